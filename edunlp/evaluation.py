"""Measuring a model on labelled paragraphs, beside a TF-IDF baseline (`edunlp evaluate`).

Labels: per-label precision/recall/F1, macro-F1 and a confusion table (rows: gold labels,
columns: predicted labels, cells: paragraphs). Entities: F1 by type, strict (seqeval, IOB2 over
characters). Indicators: a predicted indicator counts when value, unit and name all match gold.
Heads are withheld unless asked for, so the scores say what the model reads from bodies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from .corpus import Example
from .linking import link_indicators
from .normalize import fold
from .tagger import Tagger

_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def label_scores(tagger: Tagger, examples: Sequence[Example], use_heads: bool = False) -> tuple[np.ndarray, list]:
    from .training import paragraph_input

    outputs = tagger.predict([paragraph_input(e, with_head=use_heads) for e in examples])
    return np.stack([o.label_scores for o in outputs]), outputs


def gold_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    gold = np.zeros((len(examples), len(labels)), dtype=bool)
    for row, example in enumerate(examples):
        for label in example.labels:
            gold[row, index[label]] = True
    return gold


def decide(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Labels over their threshold, and always the top label of a paragraph."""
    chosen = scores >= thresholds
    chosen[np.arange(len(scores)), scores.argmax(1)] = True
    return chosen


def tune_thresholds(tagger: Tagger, dev: Sequence[Example]) -> dict[str, float]:
    """Per label, the threshold on the dev split that maximises that label's F1."""
    scores, _ = label_scores(tagger, dev)
    gold = gold_matrix(dev, tagger.labels)
    thresholds = {}
    for i, label in enumerate(tagger.labels):
        f1s = [_f1(scores[:, i] >= t, gold[:, i])[2] for t in _GRID]
        thresholds[label] = float(_GRID[int(np.argmax(f1s))]) if gold[:, i].any() else 0.5
    return thresholds


def _f1(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((predicted & gold).sum())
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / gold.sum() if gold.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def label_report(predicted: np.ndarray, gold: np.ndarray, labels: Sequence[str]) -> dict:
    per_label = {}
    for i, label in enumerate(labels):
        p, r, f = _f1(predicted[:, i], gold[:, i])
        per_label[label] = {"precision": p, "recall": r, "f1": f, "support": int(gold[:, i].sum())}
    present = [v["f1"] for v in per_label.values() if v["support"]]
    confusion = (gold.T.astype(int) @ predicted.astype(int)).tolist()
    return {"labels": per_label, "label_macro_f1": float(np.mean(present)) if present else 0.0, "confusion": confusion}


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


def evaluate(tagger: Tagger, examples: Sequence[Example], use_heads: bool = False) -> dict:
    """Every figure of the model on `examples`; `score` (mean of label and entity F1) drives early stopping."""
    scores, outputs = label_scores(tagger, examples, use_heads)
    gold = gold_matrix(examples, tagger.labels)
    report = label_report(decide(scores, tagger.thresholds), gold, tagger.labels)
    texts = [e.text for e in examples]
    predicted_spans = [[(s, e, k) for s, e, k, _ in o.entities] for o in outputs]
    gold_spans = [list(e.entities) for e in examples]
    report.update(entity_report(gold_spans, predicted_spans, texts))
    report.update(indicator_report(texts, gold_spans, predicted_spans))
    report["score"] = (report["label_macro_f1"] + report["entity_f1"]) / 2
    report["paragraphs"] = len(examples)
    return report


class TfidfBaseline:
    """Character n-gram TF-IDF + one logistic regression per label, thresholds tuned on dev."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        self.classifier = OneVsRestClassifier(LogisticRegression(C=10.0, max_iter=2000))
        self.thresholds = np.full(len(self.labels), 0.5)

    def fit(self, train: Sequence[Example], dev: Sequence[Example] = ()) -> TfidfBaseline:
        features = self.vectorizer.fit_transform([fold(e.text) for e in train])
        self.classifier.fit(features, gold_matrix(train, self.labels).astype(int))
        if dev:
            scores, gold = self.predict_scores(dev), gold_matrix(dev, self.labels)
            for i in range(len(self.labels)):
                f1s = [_f1(scores[:, i] >= t, gold[:, i])[2] for t in _GRID]
                self.thresholds[i] = _GRID[int(np.argmax(f1s))]
        return self

    def predict_scores(self, examples: Sequence[Example]) -> np.ndarray:
        return self.classifier.predict_proba(self.vectorizer.transform([fold(e.text) for e in examples]))

    def evaluate(self, examples: Sequence[Example]) -> dict:
        predicted = decide(self.predict_scores(examples), self.thresholds)
        return label_report(predicted, gold_matrix(examples, self.labels), self.labels)


def format_report(report: dict, labels: Sequence[str], baseline: dict | None = None) -> str:
    """The printed tables: labels (with the baseline's F1 beside), confusion, entities, indicators."""
    lines = [f"{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" + (f"{'baseline F1':>13}" if baseline else "")]
    for label in labels:
        v = report["labels"][label]
        extra = f"{baseline['labels'][label]['f1']:>13.3f}" if baseline else ""
        lines.append(f"{label:<16}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}{extra}")
    extra = f"{baseline['label_macro_f1']:>13.3f}" if baseline else ""
    lines.append(f"{'macro F1':<16}{'':>21}{report['label_macro_f1']:>7.3f}{'':>6}{extra}")
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
