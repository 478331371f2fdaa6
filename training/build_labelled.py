"""Assemble the independently labelled data from the annotators' files into the repository.

    python training/build_labelled.py --annotations /work/annot

Reads, from the annotation folder (outside the repository; see corpora/README.md for who wrote
what): the real-paragraph packs (`packs/`, made by training/sample_realtext.py), the labels of
each annotator (`labels/`) and the independent writers' paragraphs (`written/`). Writes:

- `corpora/blind/dev.jsonl`, `corpora/blind/test.jsonl`: the blind sets (real paragraphs as
  references, written ones as text), labelled twice and settled, with indicator gold, split by
  document; about a quarter carry a noise recipe (edunlp.corpus.noise).
- `corpora/blind/AGREEMENT.md`: agreement of the two annotations per label, before settling.
- `corpora/real/train.jsonl`: real training paragraphs as references, with their labels.
- `corpora/written/train.jsonl`: the training writers' paragraphs.

Both training files also carry the indicator names written for training paragraphs (`names3/`:
packs `train_*.jsonl` of the quantities the rules find, names `names_*.jsonl`), as `indicators`
of the paragraph's clean record: the quantity's start, end and text, `name`, `name_variants`, and
`not_indicator` where the quantity is no measured fact (training/train_name_selector.py reads them).
- `corpora/real/indicator_names.jsonl`: more real paragraphs of the training pool named the same way
  (`names4/`, with `refs.jsonl` giving each paragraph's reference), as references with `indicators`
  and no labels: name gold for the selector only, never label training data.

Never writes real text: a real paragraph is stored as its reference (edunlp.corpus.realtext).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from edunlp.corpus import realtext
from edunlp.corpus.examples import LABELS, Example
from edunlp.output import write_jsonl

ROOT = Path(__file__).resolve().parent.parent
NAME_ROUNDS = ("names3", "names4")  # folders of named quantities, in the order they were written
NOISE_RECIPES = ("s2t", "s2tw", "s2hk", "s2t+pinyin", "s2hk+pinyin", "wrap", "kangxi", "bpe", "s2tw+wrap")


def noise_for(key: str, share: float) -> str | None:
    """A fixed noise recipe for about `share` of keys, None for the rest."""
    if realtext.hash_fraction(f"noise:{key}") >= share:
        return None
    return NOISE_RECIPES[int(realtext.hash_fraction(f"recipe:{key}") * len(NOISE_RECIPES))]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def by_id(path: Path) -> dict[str, dict]:
    return {record["id"]: record for record in read_jsonl(path)} if path.exists() else {}


def ordered(labels: list[str]) -> list[str]:
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}")
    return [label for label in LABELS if label in labels]


def agreement(first: dict[str, list[str]], second: dict[str, list[str]]) -> list[str]:
    """Markdown rows: per label, positives by each annotator, both, Cohen's kappa; then exact-set agreement."""
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(set(first) & set(second))
    rows = ["| label | first | second | both | Cohen's kappa |", "|---|---|---|---|---|"]
    for label in LABELS:
        a = [label in first[i] for i in ids]
        b = [label in second[i] for i in ids]
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else 1.0
        rows.append(f"| {label} | {sum(a)} | {sum(b)} | {sum(x and y for x, y in zip(a, b))} | {kappa:.2f} |")
    same = sum(set(first[i]) == set(second[i]) for i in ids)
    rows.append(f"\n{len(ids)} paragraphs; identical label sets on {same} ({same / len(ids):.1%}).")
    return rows


Blind = tuple[Example, "dict | None"]  # an example and, for a real paragraph, its reference


def blind_examples(annotations: Path) -> tuple[list[Blind], list[Blind], list[str]]:
    labels_dir, written_dir = annotations / "labels", annotations / "written"
    examples: list[tuple[str, Example, dict | None]] = []
    report = ["# Agreement of the two blind annotations (before settling)", ""]

    # Real paragraphs, pack by pack (`blind_real.jsonl`, then later rounds such as `d2blind_real.jsonl`,
    # drawn from blind-dev documents only): annotators R1 (labels + indicator gold) and R2 (labels),
    # settled by a third reading.
    for pack_path in sorted((annotations / "packs").glob("*blind_real.jsonl"), key=lambda p: (len(p.name), p.name)):
        stem = pack_path.stem
        first, second = by_id(labels_dir / f"{stem}_R1.jsonl"), by_id(labels_dir / f"{stem}_R2.jsonl")
        settled = by_id(labels_dir / f"{stem}_adjudicated.jsonl")
        later_round = stem != "blind_real"
        report += [f"## Real paragraphs (../shared/realtext, blind documents): `{stem}`", ""]
        report += agreement({i: r["labels"] for i, r in first.items()}, {i: r["labels"] for i, r in second.items()})
        report.append("")
        for record in read_jsonl(pack_path):
            rid = record["id"]
            a, b = set(first[rid]["labels"]), set(second[rid]["labels"])
            labels = settled[rid]["labels"] if rid in settled else sorted(a)
            if a != b and rid not in settled:
                raise ValueError(f"{pack_path}: {rid}: annotators disagree and nothing settles it")
            ref = record["ref"]
            document = f"{ref['source']}|{ref['path']}|{ref['item']}"
            if later_round and realtext.blind_part(document) != "dev":
                raise ValueError(f"{pack_path}: {rid}: a later round may only add to blind-dev")
            examples.append((document, Example(
                text="", labels=ordered(labels), doc_id=rid, genre=record["genre"], origin="real",
                entities_annotated=False, indicators=first[rid].get("indicators", []),
            ), ref))

    # Written paragraphs: the author's labels and an independent second annotator's, settled.
    authored: dict[str, dict] = {}
    for path in sorted(written_dir.glob("blind_W*.jsonl")):
        authored.update(by_id(path))
    second_written: dict[str, dict] = {}
    for path in sorted(labels_dir.glob("blind_written_[A-Z].jsonl")):  # one file per second annotator
        second_written.update(by_id(path))
    settled_written = by_id(labels_dir / "blind_written_adjudicated.jsonl")
    report += ["## Written paragraphs (independent authors; first = author, second = annotator)", ""]
    report += agreement({i: r["labels"] for i, r in authored.items() if i in second_written},
                        {i: r["labels"] for i, r in second_written.items()})
    for rid, record in authored.items():
        if rid not in second_written:
            raise ValueError(f"{rid}: no second annotation")
        a, b = set(record["labels"]), set(second_written[rid]["labels"])
        if a != b and rid not in settled_written:
            raise ValueError(f"{rid}: author and annotator disagree and nothing settles it")
        labels = settled_written[rid]["labels"] if rid in settled_written else sorted(a)
        examples.append((rid, Example(
            text=record["text"], labels=ordered(labels), doc_id=rid, genre=record["genre"], origin="written",
            region=record.get("province"), entities_annotated=False, indicators=record.get("indicators", []),
        ), None))

    dev, test = [], []
    for document, example, reference in examples:
        (dev if realtext.blind_part(document) == "dev" else test).append((example, reference))
    return dev, test, report


def add_second_names(annotations: Path, examples: list[Blind]) -> list[str]:
    """Give each gold indicator the names a second annotator wrote for the same quantity without
    seeing the first's (`names2/second_*.jsonl`: id, k = the indicator's place, name, variants) as
    `second_names`; return the markdown rows of how often the two readings agree."""
    second: dict[tuple[str, int], list[str]] = {}
    for path in sorted((annotations / "names2").glob("second_*.jsonl")):
        for record in read_jsonl(path):
            second[(record["id"], record["k"])] = [n for n in [record["name"], *record.get("variants", [])] if n]
    exact = accepted = both_ways = total = 0
    for example, _ in examples:
        for k, gold in enumerate(example.indicators or []):
            names = second.get((example.doc_id, k))
            if names is None:
                continue
            gold["second_names"] = names
            first = {gold.get("name") or "", *(gold.get("name_variants") or [])}
            total += 1
            exact += names[0] == gold.get("name")
            accepted += names[0] in first
            both_ways += names[0] in first and gold.get("name") in names
    if not total:
        return []
    return [f"{total} gold indicators read twice: the second reading's name equals the first's on "
            f"{exact / total:.1%}, is among the first's accepted names on {accepted / total:.1%}, and "
            f"each reading accepts the other's name on {both_ways / total:.1%}."]


def write_blind(path: Path, examples: list[Blind]) -> None:
    """Like write_examples, but a real paragraph is written as its reference, never as text."""
    records = []
    for example, reference in examples:
        record = example.to_json()
        if reference is not None:
            del record["text"]
            record = {"ref": reference, **record}
        record["noise"] = noise_for(example.doc_id or "", 0.25)
        records.append(record)
    write_jsonl(path, records)


def training_names(annotations: Path) -> dict[str, list[dict]]:
    """The named quantities of each paragraph of the NAME_ROUNDS folders, by paragraph id: each
    quantity of a pack found again in its text (by the rules that listed it) with its offsets,
    and the name written for it. A paragraph with a quantity nobody named yet is left out."""
    names: dict[tuple[str, int], dict] = {}
    for path in sorted(p for folder in NAME_ROUNDS for p in (annotations / folder).glob("names_*.jsonl")):
        for record in read_jsonl(path):
            names[(record["id"], record["k"])] = record
    gold: dict[str, list[dict]] = {}
    for pack_path in sorted(p for folder in NAME_ROUNDS for p in (annotations / folder).glob("train_*.jsonl")):
        for line, record in enumerate(read_jsonl(pack_path), 1):
            written = [names.get((record["id"], q["k"])) for q in record["quantities"]]
            if not written or None in written:
                continue
            places = quantity_places(record["text"], [q["text"] for q in record["quantities"]], f"{pack_path}:{line}")
            gold[record["id"]] = [
                {"start": start, "end": end, "text": record["text"][start:end], "name": w["name"],
                 "name_variants": w.get("variants", []), **({"not_indicator": True} if w.get("not_indicator") else {})}
                for (start, end), w in zip(places, written)
            ]
    return gold


def quantity_places(text: str, quantities: list[str], where: str) -> list[tuple[int, int]]:
    """Where each listed quantity (in order) is in `text`: at the rules' own place when they still
    find it, else at its next occurrence, so that a later rule that drops a quantity (such as
    7×24小时) leaves the names already written in place."""
    from edunlp.indicators.extract import extract_indicators

    found = [(i.start, i.end) for i in extract_indicators(text, learned_names=False)]
    places, position = [], 0
    for quantity in quantities:
        start = next((s for s, e in found if s >= position and text[s:e] == quantity), text.find(quantity, position))
        if start < 0:
            raise ValueError(f"{where}: {quantity!r} is no longer in the paragraph")
        places.append((start, start + len(quantity)))
        position = start + len(quantity)
    return places


def with_names(record: dict, names: dict[str, list[dict]]) -> dict:
    """The clean record of a paragraph carries its named quantities (a noisy copy's offsets differ)."""
    return {**record, "indicators": names[record["doc_id"]]} if record["doc_id"] in names else record


def real_training(annotations: Path, names: dict[str, list[dict]]) -> list[dict]:
    """References with labels for every real training pack (and a noisy copy of about 30 %)."""
    records = []
    for pack_path in sorted((annotations / "packs").glob("*train_real_*.jsonl")):
        labels = by_id(annotations / "labels" / pack_path.name)
        for record in read_jsonl(pack_path):
            if record["id"] not in labels:
                continue
            base = {"ref": record["ref"], "labels": ordered(labels[record["id"]]["labels"]), "entities": None,
                    "doc_id": record["id"], "genre": record["genre"], "origin": "real"}
            records.append(with_names(base, names))
            if recipe := noise_for(record["id"], 0.3):
                records.append({**base, "noise": recipe})
    return records


def written_training(annotations: Path, names: dict[str, list[dict]]) -> list[dict]:
    records = []
    for path in sorted((annotations / "written").glob("train_W*.jsonl")):
        for record in read_jsonl(path):
            base = {"text": record["text"], "labels": ordered(record["labels"]), "entities": None,
                    "doc_id": record["id"], "genre": record.get("genre"), "origin": "written"}
            records.append(with_names(base, names))
            if recipe := noise_for(record["id"], 0.3):
                records.append({**base, "noise": recipe})
    return records


def named_real(annotations: Path, names: dict[str, list[dict]]) -> list[dict]:
    """References with named quantities, no labels, for the real paragraphs named in `names4/`."""
    refs = by_id(annotations / "names4" / "refs.jsonl") if (annotations / "names4" / "refs.jsonl").is_file() else {}
    return [{"ref": refs[i]["ref"], "entities": None, "doc_id": i, "origin": "real",
             "genre": realtext.GENRES.get(refs[i]["ref"]["source"], "other"), "indicators": names[i]}
            for i in sorted(refs) if i in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotations", type=Path, required=True)
    parser.add_argument("--training-only", action="store_true", help="leave the blind sets as they are")
    args = parser.parse_args()
    if not args.training_only:
        dev, test, report = blind_examples(args.annotations)
        for name, part in (("blind-dev", dev), ("blind-test", test)):
            if rows := add_second_names(args.annotations, part):
                report += ["", f"## Indicator names, a second independent reading: {name}", "", *rows]
        write_blind(ROOT / "corpora" / "blind" / "dev.jsonl", dev)
        write_blind(ROOT / "corpora" / "blind" / "test.jsonl", test)
        (ROOT / "corpora" / "blind" / "AGREEMENT.md").write_text("\n".join(report) + "\n", encoding="utf-8")
        print(f"blind dev {len(dev)}, blind test {len(test)}")
    names = training_names(args.annotations)
    real = real_training(args.annotations, names)
    written = written_training(args.annotations, names)
    write_jsonl(ROOT / "corpora" / "real" / "train.jsonl", real)
    write_jsonl(ROOT / "corpora" / "written" / "train.jsonl", written)
    named = named_real(args.annotations, names)
    write_jsonl(ROOT / "corpora" / "real" / "indicator_names.jsonl", named)
    print(f"real training {len(real)}, written training {len(written)}; "
          f"{len(names)} paragraphs with {sum(map(len, names.values()))} named quantities in all, "
          f"{len(named)} of them in corpora/real/indicator_names.jsonl (names only)")


if __name__ == "__main__":
    main()
