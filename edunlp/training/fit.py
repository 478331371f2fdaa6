"""Fine-tuning the joint model on labelled paragraphs (`edunlp train`).

Starts from any BERT-family directory (our `models/edunlp-zh-mini-base`, an hfl/rbt3 on disk, or
a fine-tuned edunlp model to retrain on new months), trains both heads together with early
stopping on a dev split, tunes one threshold per label on dev, and writes a model directory with
a model card holding its evaluation.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from huggingface_hub import ModelCard, ModelCardData
from safetensors.torch import load_file, save_file
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from ..corpus.examples import ENTITY_TYPES, LABELS, Example

from ..output import replace_directory, write_atomically
from ..tagging.lexical import LexicalLabeller
from ..tagging.model import Features, JointModel, collate, encode_tags, joint_config
from ..tagging.tagger import Tagger, model_text, paragraph_input
from .evaluation import (BertAlone, KeywordBaseline, TfidfBaseline, compare_labellers, evaluate, gold_matrix,
                         label_scores, tune_mix, tune_thresholds)


@dataclass
class TrainConfig:
    epochs: int = 8
    batch_size: int = 16
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3  # the new heads learn faster than the pretrained encoder
    warmup: float = 0.1
    seed: int = 13
    patience: int = 2
    max_length: int = 128  # tokens per window; our base was pretrained on windows of 128
    head_dropout: float = 0.5  # share of training paragraphs shown without their head
    max_minutes: float | None = None
    word_boundaries: bool = True  # feed each character's place in its pkuseg word (model.py)
    lexical: bool = True  # mix the BERT's label scores with a character n-gram labeller's (lexical.py)


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of records of similar length (less padding), sorted within pools of 50 batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = 50 * batch_size
    batches = []
    for start in range(0, len(order), pool):
        ranked = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(ranked[i : i + batch_size] for i in range(0, len(ranked), batch_size))
    rng.shuffle(batches)
    return batches


def split_dev(examples: list[Example], share: float = 0.1, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """Hold out whole bulletins (by month or doc_id) as the dev split, never single paragraphs."""
    groups = sorted({e.month or e.doc_id or "" for e in examples})
    random.Random(seed).shuffle(groups)
    n_dev = max(1, round(len(groups) * share)) if len(groups) > 1 else 0
    dev_groups = set(groups[:n_dev])
    if not dev_groups:  # one bulletin only: hold out every tenth paragraph instead
        return [e for i, e in enumerate(examples) if i % 10], [e for i, e in enumerate(examples) if not i % 10]
    return [e for e in examples if (e.month or e.doc_id or "") not in dev_groups], [
        e for e in examples if (e.month or e.doc_id or "") in dev_groups
    ]


def _training_records(tagger: Tagger, examples: list[Example], config: TrainConfig, rng: random.Random) -> list[dict]:
    """One record per chunk: token ids, the labelled spans with multi-hot labels, BIO tag ids.

    The body span carries the paragraph's labels (a chunk of a long paragraph: those of its
    sentences, when known); sentence spans carry their own labels where the corpus has them.
    """
    label_index = {label: i for i, label in enumerate(tagger.labels)}

    def multi_hot(labels) -> list[float]:
        vector = [0.0] * len(tagger.labels)
        for label in labels:
            vector[label_index[label]] = 1.0
        return vector

    inputs = [paragraph_input(e, with_head=rng.random() >= config.head_dropout) for e in examples]
    chunks, features = tagger.chunks(inputs)
    records = []
    for chunk, feature in zip(chunks, features):
        example = examples[chunk.paragraph]
        sentence_labels = [example.sentences[number][2] for _, _, number in chunk.sentences] if example.sentences else []
        whole = len(chunk.sentences) == len(inputs[chunk.paragraph].sentences) or not sentence_labels
        body_labels = example.labels if whole else sorted({label for labels in sentence_labels for label in labels})
        spans, targets = [list(feature.spans[0])], [multi_hot(body_labels)]
        for span, labels in zip(feature.spans[1:], sentence_labels):
            spans.append(list(span))
            targets.append(multi_hot(labels))
        records.append({
            "input_ids": feature.input_ids,
            "token_type_ids": feature.token_type_ids,
            "word_places": feature.word_places,
            "spans": spans,
            "targets": targets,
            # Labels-only paragraphs (real text, independent writers) teach no entities: -100 is ignored.
            "tag_ids": encode_tags(example.entities, feature.offsets, tagger.tags) if example.entities_annotated
            else [-100] * len(feature.input_ids),
        })
    return records


def _batch(records: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    features = [
        Features(r["input_ids"], r["token_type_ids"], [], [tuple(span) for span in r["spans"]], r["word_places"])
        for r in records
    ]
    inputs = collate(features, pad_id)
    width = inputs["input_ids"].shape[1]
    tag_ids = torch.full((len(records), width), -100, dtype=torch.long)
    for row, record in enumerate(records):
        tag_ids[row, : len(record["tag_ids"])] = torch.tensor(record["tag_ids"])
    inputs["span_labels"] = torch.tensor([target for r in records for target in r["targets"]], dtype=torch.float)
    inputs["tag_ids"] = tag_ids
    return inputs


def new_tagger(
    base: str | Path, labels: list[str], entity_types: list[str], max_length: int, word_boundaries: bool = True
) -> Tagger:
    """A tagger whose encoder starts from `base` and whose heads are new unless `base` has them.
    Its config is an EdunlpConfig, so the directory it is saved to says model_type "edunlp"."""
    config = joint_config(base)
    new_word_places = word_boundaries and not config.word_boundaries
    config.word_boundaries = word_boundaries
    same_heads = (config.action_labels or []) == labels and (config.entity_types or []) == entity_types
    config.action_labels, config.entity_types, config.window = labels, entity_types, max_length
    config.id2label = dict(enumerate(labels))
    config.label2id = {label: i for i, label in enumerate(labels)}
    if not same_heads:
        config.thresholds = {}
    model = JointModel.from_pretrained(  # fp32 even from fp16 weights: AdamW needs full precision
        base, config=config, local_files_only=True, use_safetensors=True, ignore_mismatched_sizes=not same_heads,
        dtype=torch.float32,
    )
    if new_word_places:  # a no-op at first, so the encoder starts exactly as pretrained
        torch.nn.init.zeros_(model.word_places.weight)
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)  # a hub base may have vocab.txt only
    return Tagger(model, tokenizer)


def fit(
    train: list[Example],
    dev: list[Example],
    base: str | Path,
    out: str | Path,
    config: TrainConfig | None = None,
    test: list[Example] | None = None,
    command: str | None = None,
    progress: bool = True,
    data: list[str] | None = None,
    dev_data: list[str] | None = None,
    resume: bool = False,
) -> dict:
    """Fine-tune from `base` on `train`, stop early on `dev`, tune thresholds, evaluate on `dev`
    (and `test`) beside the keyword and TF-IDF baselines, and write the model directory `out`
    with its card. `data` names the training files, so `edunlp evaluate` can refit the baselines.

    After every epoch the whole training state is saved beside `out` (`.OUT.last`); `resume`
    continues an interrupted run from it, with the same data order and random state, so the
    result is the one an uninterrupted run would have given.

    Returns the training summary (epochs run, best dev score, time, thresholds, figures).
    """
    config = config or TrainConfig()
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    tagger = new_tagger(base, list(LABELS), list(ENTITY_TYPES), config.max_length, config.word_boundaries)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = tagger.model.to(device)
    pad_id = tagger.tokenizer.pad_token_id or 0

    heads = [p for name, p in model.named_parameters() if not name.startswith("bert.")]
    encoder = [p for name, p in model.named_parameters() if name.startswith("bert.")]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": config.learning_rate}, {"params": heads, "lr": config.head_learning_rate}],
        weight_decay=0.01,
    )
    scheduler = None
    best_score, best_state, best_epoch, stale = -float("inf"), None, 0, 0
    checkpoint = Path(out).resolve().with_name(f".{Path(out).name}.best")
    last = Path(out).resolve().with_name(f".{Path(out).name}.last")
    started = time.monotonic()
    history: list[dict] = []
    done = {}
    if resume and (last / "state.json").is_file():
        done = _load_state(last, model, optimizer, rng)
        history, best_score, best_epoch, stale = done["history"], done["best_score"], done["best_epoch"], done["stale"]
        best_state = {k: v.clone() for k, v in load_file(checkpoint / "model.safetensors").items()}
        started -= done["minutes"] * 60
        if progress:
            print(f"resuming after epoch {len(history)} from {last}", file=sys.stderr)
    for epoch in range(len(history) + 1, config.epochs + 1):
        records = _training_records(tagger, train, config, rng)
        batches = length_batches([len(record["input_ids"]) for record in records], config.batch_size, rng)
        if scheduler is None:
            total = len(batches) * config.epochs
            scheduler = get_linear_schedule_with_warmup(optimizer, int(total * config.warmup), total)
            if done:  # where the schedule was, and the rates it had set (its constructor reset them)
                scheduler.load_state_dict(done["scheduler"])
                for group, rate in zip(optimizer.param_groups, scheduler.get_last_lr()):
                    group["lr"] = rate
        model.train()
        bar = tqdm(batches, desc=f"epoch {epoch}", disable=not progress)
        for indices in bar:
            batch = {k: v.to(device) for k, v in _batch([records[i] for i in indices], pad_id).items()}
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            bar.set_postfix(loss=f"{loss.item():.3f}")
        model.eval()
        report = evaluate(tagger, dev) if dev else {"score": float(epoch)}  # no dev: keep the last epoch
        history.append({"epoch": epoch, **{k: round(report[k], 4) for k in ("score", "label_macro_f1", "entity_f1") if k in report}})
        if progress:
            print(f"epoch {epoch}: dev {json.dumps(history[-1])}", file=sys.stderr)
        if report["score"] > best_score:
            best_score, best_epoch, stale = report["score"], epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            tagger.save_pretrained(checkpoint)  # the best weights survive a crash in what follows
        else:
            stale += 1
        _save_state(last, model, optimizer, scheduler, rng, {
            "history": history, "best_score": best_score, "best_epoch": best_epoch, "stale": stale,
            "minutes": (time.monotonic() - started) / 60})
        out_of_time = config.max_minutes and (time.monotonic() - started) / 60 > config.max_minutes
        if stale >= config.patience or out_of_time:
            break
    model.load_state_dict(best_state)
    tagger.model = model.to("cpu").eval()
    summary = {
        "base": _shown(base),
        "command": command,
        "data": data or [],
        "dev_data": dev_data or [],
        "epochs_run": len(history),
        "best_epoch": best_epoch,
        "minutes": round((time.monotonic() - started) / 60, 2),
        "seed": config.seed,
        "word_boundaries": config.word_boundaries,
        "learning_rates": {"encoder": config.learning_rate, "heads": config.head_learning_rate},
        "history": history,
    }
    summary = finish(tagger, train, dev, test or [], summary, out, lexical=config.lexical)
    shutil.rmtree(checkpoint, ignore_errors=True)
    shutil.rmtree(last, ignore_errors=True)
    return summary


def _save_state(folder: Path, model: JointModel, optimizer: torch.optim.Optimizer, scheduler, rng: random.Random,
                progress: dict) -> None:
    """The state of training after an epoch, as safetensors and JSON (nothing to unpickle):
    weights, the optimizer's moments, the schedule, the random states and the history."""
    optimizer_state = optimizer.state_dict()
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    for index, values in optimizer_state["state"].items():
        tensors.update({f"optimizer.{index}.{name}": value.detach().contiguous() for name, value in values.items()})
    tensors["torch_rng"] = torch.get_rng_state()
    record = {**progress, "scheduler": scheduler.state_dict(), "param_groups": optimizer_state["param_groups"],
              "python_rng": rng.getstate()}
    new = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    save_file(tensors, new / "state.safetensors")
    (new / "state.json").write_text(json.dumps(record), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(new, folder)


def _load_state(folder: Path, model: JointModel, optimizer: torch.optim.Optimizer, rng: random.Random) -> dict:
    """Restore what `_save_state` wrote into `model`, `optimizer` and `rng`; the rest is returned."""
    record = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    tensors = load_file(folder / "state.safetensors")
    model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")})
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": record["param_groups"]})
    torch.set_rng_state(tensors["torch_rng"])
    version, internal, gauss = record["python_rng"]
    rng.setstate((version, tuple(internal), gauss))
    return record


def finish(tagger: Tagger, train: list[Example], dev: list[Example], test: list[Example], summary: dict,
           out: str | Path, lexical: bool = True) -> dict:
    """Everything after the weights are trained: the lexical half of the label scores and its
    weight (edunlp.tagging.lexical), thresholds, figures beside the baselines on dev and test, and the
    model directory `out` with its card. `summary` says how the weights were made."""
    if lexical:
        tagger.lexical = LexicalLabeller(tagger.labels).fit([model_text(e) for e in train],
                                                            gold_matrix(train, tagger.labels))
        tagger.bert_weight = tune_mix(tagger, dev) if dev else 0.5
    else:
        tagger.lexical, tagger.bert_weight = None, 1.0
    tagger.model.config.bert_weight = tagger.bert_weight
    if dev:
        tagger.model.config.thresholds = tune_thresholds(tagger, dev)
        tagger.thresholds = np.array([tagger.model.config.thresholds[label] for label in tagger.labels])

    splits = {"dev": dev, "test": test}
    baselines = {"keywords": KeywordBaseline(tagger.labels), "tfidf": TfidfBaseline(tagger.labels).fit(train, dev)}
    if tagger.lexical is not None:  # what the BERT alone would give, to see what each half adds
        baselines["bert alone"] = BertAlone(tagger, dev)
    figures = {}
    for name, examples in splits.items():
        if examples:
            predicted = label_scores(tagger, examples)  # one pass serves both tables
            figures[name] = {"model": evaluate(tagger, examples, predicted=predicted),
                             "labels": compare_labellers(tagger, examples, baselines, scores=predicted[0])}
    summary = {
        **summary,
        "train_paragraphs": len(train),
        "train_origins": dict(Counter(e.origin or "unknown" for e in train)),
        "dev_paragraphs": len(dev),
        "test_paragraphs": len(test),
        "bert_weight": tagger.bert_weight,
        "thresholds": tagger.model.config.thresholds if dev else {},
        "figures": {name: {
            "label_micro_f1": {k: v["label_micro_f1"] for k, v in f["labels"]["overall"].items()},
            "label_macro_f1": {k: v["label_macro_f1"] for k, v in f["labels"]["overall"].items()},
            "calibration_error": f["labels"]["calibration_error"],
            "entity_f1": f["model"]["entity_f1"] if f["model"]["entity_paragraphs"] else None,
        } for name, f in figures.items()},
    }
    with tempfile.TemporaryDirectory(dir=Path(out).resolve().parent, prefix=f".{Path(out).name}.") as temp:
        tagger.save_pretrained(temp)
        (Path(temp) / "training.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        (Path(temp) / "README.md").write_text(model_card(summary, figures, tagger.labels), encoding="utf-8")
        replace_directory(Path(temp), Path(out))
    return summary


def _shown(path: str | Path) -> str:
    """A path as a reader of the card would type it: relative to the working directory when inside it."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) else str(resolved)


# What each origin of training paragraphs is, for the card (corpora/README.md says more).
ORIGINS = {
    "generated": "synthetic bulletins composed by the project's templates (training/make_corpus.py): "
                 "invented figures, platforms and documents; labels, sentence labels and entities",
    "real": "real Chinese prose (news, TV news, government reports, laws) labelled by hand; paragraph labels "
            "only, and the repository keeps references, not the text",
    "written": "written by independent authors in the genres the model reads; paragraph labels only",
    "unknown": "origin not recorded",
}
CARD_TAGS = ["edunlp", "chinese", "education", "text-classification", "multi-label-classification",
             "token-classification", "named-entity-recognition"]


def card_metadata(summary: dict) -> ModelCardData:
    """The card's YAML front matter (Hugging Face model card metadata), from the training summary.
    No pipeline_tag: generic pipelines cannot run the model (edunlp.tagging.hf)."""
    return ModelCardData(
        language="zh", license="apache-2.0", library_name="edunlp", tags=CARD_TAGS, metrics=["f1"],
        training_data={origin: f"{n} paragraphs: {ORIGINS.get(origin, ORIGINS['unknown'])}"
                       for origin, n in sorted(summary["train_origins"].items())},
        evaluation_data={"dev": summary["dev_paragraphs"], "test": summary["test_paragraphs"]},
    )


def front_matter(summary: dict) -> str:
    """`card_metadata` as the card's opening block."""
    return f"---\n{card_metadata(summary).to_yaml()}\n---\n"


def write_metadata(path: str | Path) -> None:
    """Rewrite, around trained weights, what the current code writes with them: config.json (an
    EdunlpConfig, model_type "edunlp") and the whole card from training.json (`card`). Only the
    training run could compute the card's tables per label, genre and entity, so they are carried
    over from the old card as they stand. Weights, tokenizer and lexical labeller are not touched."""
    path = Path(path)
    summary = json.loads((path / "training.json").read_text(encoding="utf-8"))
    write_atomically(path / "config.json", joint_config(path).to_json_file)
    old = ModelCard((path / "README.md").read_text(encoding="utf-8"), ignore_metadata_errors=True).text
    tables = old[old.index(TABLES_HEADING):old.index(THRESHOLDS_LINE)].rstrip() if TABLES_HEADING in old else ""
    write_atomically(path / "README.md", lambda temp: Path(temp).write_text(card(summary, tables), encoding="utf-8"))


TABLES_HEADING = "## Label figures beside the baselines"
THRESHOLDS_LINE = "Thresholds per label"


def model_card(summary: dict, figures: dict, labels: list[str]) -> str:
    """The model directory's README.md, with the tables of the run's evaluation (`figures`)."""
    from .evaluation import format_comparison, format_report

    lines = [f"{TABLES_HEADING} (topic heads withheld; written by the training run)", "",
             "Keyword cues: `edunlp/data/label_cues.tsv`; TF-IDF: character 1–3-grams and logistic regression",
             "trained on the same paragraphs as the model, thresholds tuned on the same dev split."]
    for name, f in figures.items():
        lines += ["", f"### {name} ({f['model']['paragraphs']} paragraphs)", "", "```text",
                  format_comparison(f["labels"], labels), "```"]
        if f["model"]["entity_paragraphs"]:
            lines += ["", f"Entities and indicators on the {f['model']['entity_paragraphs']} paragraphs of {name} "
                      "that carry entity annotations:", "", "```text", format_report(f["model"], labels), "```"]
    return card(summary, "\n".join(lines))


def _headline_figures(figures: dict) -> list[str]:
    """training.json's figures as a table: label F1 of the model and each baseline per split."""
    if not figures:
        return ["None: the run had no dev or test split."]
    lines = ["| split | labeller | label micro F1 | label macro F1 |", "| --- | --- | --- | --- |"]
    for split, f in figures.items():
        lines += [f"| {split} | {name} | {micro:.3f} | {f['label_macro_f1'][name]:.3f} |"
                  for name, micro in f["label_micro_f1"].items()]
    lines.append("")
    for split, f in figures.items():
        entity = f"{f['entity_f1']:.3f}" if f.get("entity_f1") is not None else "not measured"
        lines.append(f"- {split}: model calibration error (ECE, 10 bins) {f['calibration_error']:.3f}; "
                     f"entity F1 (micro, strict) {entity}")
    return lines


def card(summary: dict, tables: str) -> str:
    """The card from the training summary (training.json) alone, and the run's `tables` (markdown,
    from `TABLES_HEADING` on; empty when there are none)."""
    origins = ", ".join(f"{n} {k}" for k, n in sorted(summary["train_origins"].items()))
    lines = [
        "# edunlp fine-tuned model",
        "",
        "One BERT encoder with two heads: multi-label action lines (paragraph and sentence spans,",
        "mean-pooled) and BIO entity tags (QUANTITY, INDICATOR, DATE, ORG, GPE, DOC, PLATFORM, EVENT),",
        "decoded with BIO-constrained Viterbi. With word places on, each character's place in its pkuseg",
        "word (begin/middle/end/single) is added to its embedding.",
        "Load it with `edunlp.load(PATH)`; it is plain safetensors and a Hugging Face tokenizer.",
        "`AutoModel.from_pretrained(PATH)` gives the whole model after `import edunlp.tagging.hf`; generic",
        "pipelines refuse it (they cannot compute the word places or decode the two heads).",
        "",
        "## Intended use",
        "",
        "Tagging paragraphs of Chinese education-informatization and cybersecurity texts (the MoE monthly",
        "bulletin and reports, news, notices written like it) with the 11 action lines, and marking",
        "entities, inside edunlp's pipeline (`edunlp tag`), which also reads the numeric indicators.",
        "",
        "## Training data",
        "",
        *[f"- {origin}: {n} paragraphs, {ORIGINS.get(origin, ORIGINS['unknown'])}"
          for origin, n in sorted(summary["train_origins"].items())],
        "",
        "## Limitations",
        "",
        "- Entities were learned from the synthetic generated bulletins only (real and written paragraphs",
        "  carry labels, not entities), so expect entity quality to fall on real text and other genres;",
        "  the generated test figures overstate it.",
        "- Scores are per-label sigmoids with thresholds tuned on dev; `other` is given only when no other",
        "  label passes, and every paragraph gets at least its best label, so text outside the field is",
        "  labelled too: check the scores.",
        "- Chinese only (traditional characters are folded to simplified before tagging).",
        "",
        "## How it was made",
        "",
        f"- base encoder: `{summary['base']}`",
        f"- training paragraphs: {summary['train_paragraphs']} ({origins}); dev {summary['dev_paragraphs']}, "
        f"test {summary['test_paragraphs']}",
        f"- data: {', '.join(f'`{d}`' for d in summary['data']) or 'given from Python'}",
        f"- epochs run: {summary['epochs_run']} (best on dev: {summary['best_epoch']}), seed {summary['seed']}, "
        f"{summary['minutes']} minutes",
        f"- pkuseg word places as input: {'yes' if summary['word_boundaries'] else 'no'}; learning rates: "
        f"encoder {summary['learning_rates']['encoder']:g}, heads {summary['learning_rates']['heads']:g}",
        f"- command: `{summary['command'] or 'edunlp train (called from Python)'}`",
        *([f"- finished (lexical half, thresholds, figures) by: `{summary['finished_by']}`"]
          if summary.get("finished_by") else []),
        f"- label scores: {summary['bert_weight']:g} × BERT + {1 - summary['bert_weight']:g} × the character "
        "n-gram labeller (`edunlp/tagging/lexical.py`), weight chosen on dev",
        "",
        "## Figures (training.json)",
        "",
        *_headline_figures(summary["figures"]),
        *(["", tables] if tables else []),
    ]
    lines += ["", f"{THRESHOLDS_LINE} (tuned on the real and written part of dev): "
              + ", ".join(f"{k} {v:.2f}" for k, v in summary["thresholds"].items()), ""]
    return front_matter(summary) + "\n".join(lines)
