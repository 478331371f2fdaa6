"""Measuring a model on labelled paragraphs, beside keyword and TF-IDF baselines (`edunlp evaluate`).

Labels: per-label precision/recall/F1, micro- and macro-F1, a confusion table (rows: gold labels,
columns: predicted labels, cells: paragraphs), the calibration error of the scores, and the same
figures for the baselines, overall, per genre and per origin (real, written, generated). Entities: F1 by type, strict (seqeval, IOB2 over
characters). Indicators: a predicted indicator counts when value, unit and name all match gold.
Heads are withheld unless asked for, so the scores say what the model reads from bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import bootstrap
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.metrics import f1_score, precision_recall_fscore_support

from ..corpus.examples import Example
from ..document import Indicator
from ..indicators.linking import link_indicators
from ..indicators.quantities import MULTIPLIERS
from ..reading.normalize import fold
from ..tagging.lexical import LexicalLabeller
from ..tagging.tagger import Tagger, decide, model_text, paragraph_input

_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
CUES_FILE = Path(__file__).resolve().parents[1] / "data" / "label_cues.tsv"


def label_scores(tagger: Tagger, examples: Sequence[Example], use_heads: bool = False) -> tuple[np.ndarray, list]:
    outputs = tagger.predict([paragraph_input(e, with_head=use_heads) for e in examples])
    return np.stack([o.label_scores for o in outputs]), outputs


def gold_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    gold = np.zeros((len(examples), len(labels)), dtype=bool)
    for row, example in enumerate(examples):
        for label in example.labels:
            gold[row, index[label]] = True
    return gold


def best_thresholds(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per label, the grid threshold with the best F1 on (scores, gold); 0.5 for a label never seen."""
    thresholds = np.full(scores.shape[1], 0.5)
    for i in range(scores.shape[1]):
        if gold[:, i].any():
            f1s = [f1_score(gold[:, i], scores[:, i] >= t, zero_division=0) for t in _GRID]
            thresholds[i] = _GRID[int(np.argmax(f1s))]
    return thresholds


def threshold_examples(dev: Sequence[Example]) -> list[Example]:
    """Thresholds are tuned on the text a user will meet: the real and independently written part
    of dev when there is one, not our own generator's easy months."""
    return [e for e in dev if e.origin in ("real", "written")] or list(dev)


def tune_thresholds(tagger: Tagger, dev: Sequence[Example]) -> dict[str, float]:
    """Per label, the threshold on dev (see threshold_examples) that maximises that label's F1."""
    examples = threshold_examples(dev)
    scores, _ = label_scores(tagger, examples)
    found = best_thresholds(scores, gold_matrix(examples, tagger.labels))
    return {label: float(t) for label, t in zip(tagger.labels, found)}


def label_report(predicted: np.ndarray, gold: np.ndarray, labels: Sequence[str]) -> dict:
    """Per-label P/R/F1 (sklearn), micro- and macro-F1 over the labels present in gold, confusion."""
    p, r, f, support = precision_recall_fscore_support(gold, predicted, zero_division=0)
    per_label = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
                 for i, label in enumerate(labels)}
    present = [v["f1"] for v in per_label.values() if v["support"]]
    confusion = (gold.T.astype(int) @ predicted.astype(int)).tolist()
    return {"labels": per_label, "label_macro_f1": float(np.mean(present)) if present else 0.0,
            "label_micro_f1": float(f1_score(gold, predicted, average="micro", zero_division=0)),
            "confusion": confusion}


def calibration_error(scores: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over every (paragraph, label) score: the mean gap between the
    score and the observed rate of the label, weighted by how many scores fall in each bin."""
    scores, gold = scores.ravel(), gold.ravel().astype(float)
    which = np.minimum((scores * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(scores[mask].mean() - gold[mask].mean())
    return float(error)


def breakdown(examples: Sequence[Example], gold: np.ndarray, predictions: dict[str, np.ndarray],
              labels: Sequence[str], key: str) -> dict[str, dict]:
    """Micro- and macro-F1 of each labeller for each value of an example field (genre, origin)."""
    groups: dict[str, list[int]] = {}
    for row, example in enumerate(examples):
        groups.setdefault(getattr(example, key) or "unknown", []).append(row)
    table = {}
    for value, rows in sorted(groups.items()):
        table[value] = {"paragraphs": len(rows)}
        for name, predicted in predictions.items():
            report = label_report(predicted[rows], gold[rows], labels)
            table[value][name] = {"micro_f1": report["label_micro_f1"], "macro_f1": report["label_macro_f1"]}
    return table


def _char_bio(length: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * length
    for start, end, kind in spans:
        for i in range(start, min(end, length)):
            tags[i] = ("B-" if i == start else "I-") + kind
    return tags


def entity_report(gold: list[list[tuple[int, int, str]]], predicted: list[list[tuple[int, int, str]]], texts: list[str]) -> dict:
    y_true = [_char_bio(len(t), g) for t, g in zip(texts, gold)]
    y_pred = [_char_bio(len(t), p) for t, p in zip(texts, predicted)]
    report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    by_type = {k: {"precision": v["precision"], "recall": v["recall"], "f1": v["f1-score"], "support": int(v["support"])}
               for k, v in report.items() if not k.endswith("avg")}
    micro = report.get("micro avg", {"f1-score": 0.0})
    return {"entities": by_type, "entity_f1": float(micro["f1-score"])}


def indicator_report(texts: list[str], gold: list[list[tuple[int, int, str]]], predicted: list[list[tuple[int, int, str]]]) -> dict:
    def keys(text: str, spans: list[tuple[int, int, str]]) -> list[tuple]:
        return [(round(i.normalized, 6), i.unit, fold(i.name)) for i in link_indicators(text, spans)]

    tp = n_pred = n_gold = 0
    for text, g, p in zip(texts, gold, predicted):
        gold_keys, pred_keys = keys(text, g), keys(text, p)
        n_gold += len(gold_keys)
        n_pred += len(pred_keys)
        remaining = list(gold_keys)
        for key in pred_keys:
            if key in remaining:
                remaining.remove(key)
                tp += 1
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"indicator": {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}, "indicator_f1": f1}


def evaluate(tagger: Tagger, examples: Sequence[Example], use_heads: bool = False,
             predicted: tuple[np.ndarray, list] | None = None) -> dict:
    """Every figure of the model on `examples`; `score` (label macro-F1, averaged with entity F1
    where some examples carry entity annotations) drives early stopping. `predicted`: what
    `label_scores` already gave for them, so a caller that also compares labellers predicts once."""
    scores, outputs = predicted or label_scores(tagger, examples, use_heads)
    gold = gold_matrix(examples, tagger.labels)
    report = label_report(decide(scores, tagger.thresholds, tagger.labels), gold, tagger.labels)
    report["calibration_error"] = calibration_error(scores, gold)
    annotated = [i for i, e in enumerate(examples) if e.entities_annotated]
    report.update({"entities": {}, "entity_f1": 0.0, "indicator": {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                                                  "support": 0}, "indicator_f1": 0.0})
    if annotated:
        texts = [examples[i].text for i in annotated]
        predicted_spans = [[(s, e, k) for s, e, k, _ in outputs[i].entities] for i in annotated]
        gold_spans = [list(examples[i].entities) for i in annotated]
        report.update(entity_report(gold_spans, predicted_spans, texts))
        report.update(indicator_report(texts, gold_spans, predicted_spans))
    report["score"] = (report["label_macro_f1"] + report["entity_f1"]) / 2 if annotated else report["label_macro_f1"]
    report["paragraphs"] = len(examples)
    report["entity_paragraphs"] = len(annotated)
    return report


def _gold_value(gold: dict) -> float:
    """value × multiplier as an annotator wrote them (万, 萬, 亿, and 万亿 as 万 × 亿, or the
    multiplier as a number, 10000)."""
    multiplier = gold.get("multiplier")
    if isinstance(multiplier, (int, float)):
        return float(gold["value"]) * multiplier
    scale = 1.0
    for char in fold(multiplier or ""):
        scale *= float(MULTIPLIERS.get(char, 1))
    return float(gold["value"]) * scale


def indicator_pairs(examples: Sequence[Example], predicted: Sequence[Sequence[Indicator]]
                    ) -> tuple[list[tuple[Indicator, dict, Example]], int, int]:
    """Each predicted indicator with the hand-written gold it finds by normalised value (each gold
    used once), and the numbers of gold and predicted indicators, over the examples with gold."""
    pairs, n_gold, n_pred = [], 0, 0
    for example, found in zip(examples, predicted):
        if example.indicators is None:
            continue
        gold = list(example.indicators)
        n_gold += len(gold)
        n_pred += len(found)
        for indicator in found:
            for g in gold:
                if abs(indicator.normalized - _gold_value(g)) <= 1e-6 * max(1.0, abs(_gold_value(g))):
                    pairs.append((indicator, g, example))
                    gold.remove(g)
                    break
    return pairs, n_gold, n_pred


def gold_names(gold: dict, second_reading: bool = False) -> set[str]:
    """The folded gold name and its accepted variants; with `second_reading`, also the names a
    second annotator wrote for the same quantity without seeing the first's (`second_names`)."""
    names = [gold.get("name") or "", *(gold.get("name_variants") or [])]
    if second_reading:
        names += gold.get("second_names") or []
    return {fold(n) for n in names}


def indicator_gold_report(examples: Sequence[Example], predicted: Sequence[Sequence[Indicator]]) -> dict:
    """Predicted indicators against hand-written gold (Example.indicators), paragraph by paragraph.

    A prediction finds its gold by normalised value (`indicator_pairs`); among the pairs found,
    unit, qualifier and name are checked: the name exactly (folded), as one of the gold's
    accepted variants, or (`name_either`) as a name either of two independent readings accepts.
    Value F1 counts pairs; the others are shares of the pairs.
    """
    pairs, n_gold, n_pred = indicator_pairs(examples, predicted)
    precision = len(pairs) / n_pred if n_pred else 0.0
    recall = len(pairs) / n_gold if n_gold else 0.0

    def share(right) -> float:
        return sum(map(right, pairs)) / len(pairs) if pairs else 0.0

    def unit(text: str | None) -> str:
        return fold(text or "").strip()

    return {
        "gold": n_gold, "predicted": n_pred, "matched": len(pairs),
        "value_precision": precision, "value_recall": recall,
        "value_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "unit_right": share(lambda p: unit(p[0].unit) == unit(p[1].get("unit"))),
        "qualifier_right": share(lambda p: (p[0].qualifier or None) == (p[1].get("qualifier") or None)),
        "name_exact": share(lambda p: fold(p[0].name) == fold(p[1].get("name") or "")),
        "name_accepted": share(lambda p: fold(p[0].name) in gold_names(p[1])),
        "name_either": share(lambda p: fold(p[0].name) in gold_names(p[1], second_reading=True)),
        "name_empty": sum(not i.name for e, f in zip(examples, predicted) if e.indicators is not None for i in f)
        / n_pred if n_pred else 0.0,
    }


def indicator_paths(tagger: Tagger | None, examples: Sequence[Example]) -> dict[str, list[list[Indicator]]]:
    """The indicators each path reads from the examples: `segment` (rules only) and, given a
    tagger, `tag` (what `edunlp tag` writes)."""
    from ..indicators.extract import extract_indicators
    from ..pipeline import paragraph_indicators

    texts = [model_text(e) for e in examples]
    paths = {"segment": [extract_indicators(text) for text in texts]}
    if tagger is not None:
        outputs = tagger.predict([paragraph_input(e, with_head=False) for e in examples])
        paths["tag"] = [paragraph_indicators(text, [(s, e, k) for s, e, k, _ in o.entities])
                        for text, o in zip(texts, outputs)]
    return paths


def format_indicator_reports(reports: dict[str, dict]) -> str:
    columns = ("value_precision", "value_recall", "value_f1", "unit_right", "qualifier_right", "name_exact",
               "name_accepted", "name_either", "name_empty")
    lines = [f"{'indicators':<12}{'gold':>6}{'found':>7}" + "".join(f"{c.replace('_', ' '):>17}" for c in columns)]
    for path, r in reports.items():
        lines.append(f"{path:<12}{r['gold']:>6}{r['predicted']:>7}" + "".join(f"{r[c]:>17.3f}" for c in columns))
    return "\n".join(lines)


class KeywordBaseline:
    """One list of cue words per label (edunlp/data/label_cues.tsv): a label when one of its cues
    occurs in the folded text, `other` when none does. No training: the grep an analyst would write."""

    def __init__(self, labels: Sequence[str], cues_file: Path = CUES_FILE) -> None:
        self.labels = list(labels)
        self.cues: dict[str, list[str]] = {}
        for line in cues_file.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, words = line.split("\t", 1)
                self.cues[label] = words.split()
        self.thresholds = np.full(len(self.labels), 0.5)

    def fit(self, train: Sequence[Example] = (), dev: Sequence[Example] = ()) -> KeywordBaseline:
        return self

    def predict_scores(self, examples: Sequence[Example]) -> np.ndarray:
        scores = np.zeros((len(examples), len(self.labels)))
        for row, example in enumerate(examples):
            text = fold(model_text(example))
            for i, label in enumerate(self.labels):
                scores[row, i] = float(any(cue in text for cue in self.cues.get(label, ())))
        if "other" in self.labels:
            other = self.labels.index("other")
            scores[:, other] = np.delete(scores, other, axis=1).max(1) == 0
        return scores

    def predict(self, examples: Sequence[Example]) -> np.ndarray:
        return decide(self.predict_scores(examples), self.thresholds, self.labels)

    def evaluate(self, examples: Sequence[Example]) -> dict:
        return label_report(self.predict(examples), gold_matrix(examples, self.labels), self.labels)


class TfidfBaseline:
    """Character n-gram TF-IDF + one logistic regression per label (edunlp.tagging.lexical), thresholds
    tuned on dev: what a lexical model alone makes of the same training data."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.lexical = LexicalLabeller(self.labels)
        self.thresholds = np.full(len(self.labels), 0.5)

    def fit(self, train: Sequence[Example], dev: Sequence[Example] = ()) -> TfidfBaseline:
        self.lexical.fit([model_text(e) for e in train], gold_matrix(train, self.labels))
        tuning = threshold_examples(dev)
        if tuning:
            self.thresholds = best_thresholds(self.predict_scores(tuning), gold_matrix(tuning, self.labels))
        return self

    def predict_scores(self, examples: Sequence[Example]) -> np.ndarray:
        return self.lexical.predict_scores([model_text(e) for e in examples])

    def predict(self, examples: Sequence[Example]) -> np.ndarray:
        return decide(self.predict_scores(examples), self.thresholds, self.labels)

    def evaluate(self, examples: Sequence[Example]) -> dict:
        return label_report(self.predict(examples), gold_matrix(examples, self.labels), self.labels)


class BertAlone:
    """The fine-tuned model's BERT half on its own (no lexical scores), thresholds tuned on dev."""

    def __init__(self, tagger: Tagger, dev: Sequence[Example]) -> None:
        self.tagger, self.labels = tagger, tagger.labels
        tuning = threshold_examples(dev)
        self.thresholds = best_thresholds(self.predict_scores(tuning), gold_matrix(tuning, self.labels)) \
            if tuning else np.full(len(self.labels), 0.5)

    def predict_scores(self, examples: Sequence[Example]) -> np.ndarray:
        lexical, self.tagger.lexical = self.tagger.lexical, None
        try:
            return label_scores(self.tagger, examples)[0]
        finally:
            self.tagger.lexical = lexical

    def predict(self, examples: Sequence[Example]) -> np.ndarray:
        return decide(self.predict_scores(examples), self.thresholds, self.labels)


def held_out_f1(scores: np.ndarray, gold: np.ndarray, labels: Sequence[str], repeats: int = 50, seed: int = 0,
                groups: dict[str, np.ndarray] | None = None) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation of micro-F1 on a random half of the rows, thresholds tuned on
    the other half (`best_thresholds`), over `repeats` random cuts: what a choice made on a small
    dev set is worth on paragraphs it was not tuned on. Per group of rows (default: all rows)."""
    groups = groups or {"all": np.ones(len(gold), dtype=bool)}
    rng = np.random.default_rng(seed)
    found: dict[str, list[float]] = {name: [] for name in groups}
    for _ in range(repeats):
        order = rng.permutation(len(gold))
        tune, score = order[: len(gold) // 2], order[len(gold) // 2:]
        chosen = decide(scores, best_thresholds(scores[tune], gold[tune]), list(labels))
        for name, members in groups.items():
            rows = score[members[score]]
            found[name].append(f1_score(gold[rows], chosen[rows], average="micro", zero_division=0))
    return {name: (float(np.mean(v)), float(np.std(v))) for name, v in found.items()}


def tune_mix(tagger: Tagger, dev: Sequence[Example]) -> float:
    """The weight of the BERT's scores against the lexical labeller's (0 … 1 in tenths) with the
    best held-out micro-F1 on dev (see threshold_examples and held_out_f1): chosen in sample, on
    ~150 paragraphs, the weight followed the noise of the thresholds."""
    examples = threshold_examples(dev)
    gold = gold_matrix(examples, tagger.labels)
    bert = BertAlone(tagger, []).predict_scores(examples)
    lexical = tagger.lexical.predict_scores([model_text(e) for e in examples])
    best_weight, best_f1 = 1.0, -1.0
    for weight in np.round(np.arange(0.0, 1.01, 0.1), 1):
        f1 = held_out_f1(weight * bert + (1 - weight) * lexical, gold, tagger.labels)["all"][0]
        if f1 > best_f1 + 1e-9:
            best_weight, best_f1 = float(weight), f1
    return best_weight


def compare_labellers(tagger: Tagger, examples: Sequence[Example], baselines: dict, use_heads: bool = False,
                      scores: np.ndarray | None = None) -> dict:
    """The model beside each baseline on the same examples: overall, per genre and per origin
    (`scores`: the model's label scores when already computed)."""
    if scores is None:
        scores, _ = label_scores(tagger, examples, use_heads)
    gold = gold_matrix(examples, tagger.labels)
    predictions = {"model": decide(scores, tagger.thresholds, tagger.labels)}
    predictions.update({name: baseline.predict(examples) for name, baseline in baselines.items()})
    return {
        "overall": {name: label_report(p, gold, tagger.labels) for name, p in predictions.items()},
        "genre": breakdown(examples, gold, predictions, tagger.labels, "genre"),
        "origin": breakdown(examples, gold, predictions, tagger.labels, "origin"),
        "calibration_error": calibration_error(scores, gold),
        "margins": {name: micro_f1_margin(predictions["model"], predictions[name], gold) for name in baselines},
    }


def micro_f1_margin(model: np.ndarray, baseline: np.ndarray, gold: np.ndarray, resamples: int = 2000,
                    seed: int = 0) -> dict[str, float]:
    """The model's micro-F1 minus a baseline's, with a 95 % paired bootstrap interval over
    paragraphs (percentile method; BCa fails on the degenerate resamples of tiny sets): how sure a
    margin on a few hundred paragraphs is."""
    def margin(rows: np.ndarray) -> float:
        rows = rows.astype(int)
        return (f1_score(gold[rows], model[rows], average="micro", zero_division=0)
                - f1_score(gold[rows], baseline[rows], average="micro", zero_division=0))

    rows = np.arange(len(gold))
    interval = bootstrap((rows,), margin, vectorized=False, n_resamples=resamples, confidence_level=0.95,
                         method="percentile", random_state=np.random.default_rng(seed)).confidence_interval
    return {"margin": float(margin(rows)), "low": float(interval.low), "high": float(interval.high)}


def format_comparison(comparison: dict, labels: Sequence[str]) -> str:
    """Per-label F1 of every labeller side by side, then micro/macro per genre and per origin."""
    names = list(comparison["overall"])
    lines = [f"{'label':<16}{'n':>5}" + "".join(f"{name + ' F1':>14}" for name in names)]
    for label in labels:
        support = comparison["overall"][names[0]]["labels"][label]["support"]
        lines.append(f"{label:<16}{support:>5}" + "".join(
            f"{comparison['overall'][n]['labels'][label]['f1']:>14.3f}" for n in names))
    for kind in ("micro", "macro"):
        lines.append(f"{kind + ' F1':<21}" + "".join(
            f"{comparison['overall'][n][f'label_{kind}_f1']:>14.3f}" for n in names))
    lines.append(f"model calibration error (ECE, 10 bins): {comparison['calibration_error']:.3f}")
    for name, m in comparison.get("margins", {}).items():
        lines.append(f"model − {name} micro-F1: {m['margin']:+.3f} (95 % paired bootstrap interval "
                     f"{m['low']:+.3f} … {m['high']:+.3f})")
    for key in ("genre", "origin"):
        lines += ["", f"{key:<20}{'n':>5}" + "".join(f" {name + ' mi/ma':>17}" for name in names)]
        for value, row in comparison[key].items():
            lines.append(f"{value:<20}{row['paragraphs']:>5}" + "".join(
                f" {row[n]['micro_f1']:>11.3f}/{row[n]['macro_f1']:.3f}" for n in names))
    return "\n".join(lines)


def format_report(report: dict, labels: Sequence[str]) -> str:
    """The model's own tables: labels (P/R/F1), confusion, entities, indicators."""
    lines = [f"{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
    for label in labels:
        v = report["labels"][label]
        lines.append(f"{label:<16}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}")
    lines.append(f"{'micro F1':<16}{'':>14}{report['label_micro_f1']:>7.3f}")
    lines.append(f"{'macro F1':<16}{'':>14}{report['label_macro_f1']:>7.3f}")
    lines.append("")
    lines.append("confusion (rows gold, columns predicted, paragraphs)")
    short = [label[:6] for label in labels]
    lines.append(f"{'':<16}" + "".join(f"{s:>8}" for s in short))
    for label, row in zip(labels, report["confusion"]):
        lines.append(f"{label:<16}" + "".join(f"{c:>8}" for c in row))
    lines.append("")
    lines.append(f"{'entity':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for kind, v in sorted(report["entities"].items()):
        lines.append(f"{kind:<16}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}")
    lines.append(f"{'entity F1 (micro, strict)':<30}{report['entity_f1']:>7.3f}")
    v = report["indicator"]
    lines.append(f"{'indicator (value+unit+name)':<30}P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  n {v['support']}")
    return "\n".join(lines)
