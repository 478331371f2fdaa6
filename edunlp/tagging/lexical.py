"""Character n-gram TF-IDF with one logistic regression per label: the lexical labeller.

Two uses, one implementation: the TF-IDF baseline of `edunlp evaluate`, and the lexical half of a
fine-tuned model's label scores (`Tagger` mixes `mix_weight` × the BERT's scores with the rest
from here, the weight chosen on dev). On real text this cheap model is hard to beat: it reads
every cue word in every position, where a 4-layer BERT fine-tuned on a few thousand paragraphs
still misses some.

Fitted with scikit-learn; saved without pickle, as `lexical.safetensors` (idf, coefficients,
intercepts) and `lexical.json` (the n-gram vocabulary in column order, labels, settings), and
scored at load time with scikit-learn's CountVectorizer over the fixed vocabulary, so a model
directory never holds code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from ..reading.normalize import fold

WEIGHTS, SETTINGS = "lexical.safetensors", "lexical.json"
NGRAMS = (1, 3)


class LexicalLabeller:
    """fit(texts, gold) → predict_scores(texts): sigmoid scores per label, like the BERT head's."""

    def __init__(self, labels: Sequence[str], C: float = 10.0, min_df: int = 2) -> None:
        self.labels = list(labels)
        self.C, self.min_df = C, min_df
        self.vocabulary: list[str] = []
        self.idf = np.zeros(0, dtype=np.float32)
        self.coef = np.zeros((len(self.labels), 0), dtype=np.float32)
        self.intercept = np.zeros(len(self.labels), dtype=np.float32)

    def fit(self, texts: Sequence[str], gold: np.ndarray) -> LexicalLabeller:
        """`gold`: (texts, labels) booleans. A label never or always present gets a constant score."""
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, min_df=self.min_df)
        features = vectorizer.fit_transform([fold(t) for t in texts])
        terms = vectorizer.get_feature_names_out()
        self.vocabulary = [str(t) for t in terms]
        self.idf = vectorizer.idf_.astype(np.float32)
        self.coef = np.zeros((len(self.labels), len(terms)), dtype=np.float32)
        self.intercept = np.zeros(len(self.labels), dtype=np.float32)
        for i in range(len(self.labels)):
            column = gold[:, i].astype(int)
            if column.min() == column.max():  # nothing to learn: the prior alone
                self.intercept[i] = 20.0 if column.max() else -20.0
                continue
            model = LogisticRegression(C=self.C, max_iter=2000).fit(features, column)
            self.coef[i], self.intercept[i] = model.coef_[0], model.intercept_[0]
        return self

    def features(self, texts: Sequence[str]):
        """TF-IDF rows over the fixed vocabulary, computed as TfidfVectorizer does (sublinear tf, l2)."""
        counts = CountVectorizer(analyzer="char", ngram_range=NGRAMS, vocabulary=self.vocabulary).transform(
            [fold(t) for t in texts]).astype(np.float64)
        counts.data = 1.0 + np.log(counts.data)
        return normalize(counts.multiply(self.idf[None, :]).tocsr())

    def predict_scores(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)))
        logits = self.features(texts) @ self.coef.T.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(logits)))

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        save_file({"idf": self.idf, "coef": self.coef, "intercept": self.intercept}, str(directory / WEIGHTS))
        (directory / SETTINGS).write_text(json.dumps(
            {"labels": self.labels, "ngrams": list(NGRAMS), "C": self.C, "min_df": self.min_df,
             "vocabulary": self.vocabulary}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> LexicalLabeller | None:
        """The labeller saved in `directory`, or None when it has none."""
        directory = Path(directory)
        if not (directory / WEIGHTS).is_file():
            return None
        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        labeller = cls(settings["labels"], settings["C"], settings["min_df"])
        arrays = load_file(str(directory / WEIGHTS))
        labeller.vocabulary = settings["vocabulary"]
        labeller.idf, labeller.coef, labeller.intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
        return labeller
