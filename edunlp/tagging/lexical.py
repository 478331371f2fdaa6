"""Character n-gram TF-IDF with one logistic regression per label: the lexical labeller.

Two uses, one implementation: the TF-IDF baseline of `edunlp evaluate`, and the lexical half of a
fine-tuned model's label scores (`Tagger` mixes `mix_weight` × the BERT's scores with the rest
from here, the weight chosen on dev). On real text this cheap model is hard to beat: it reads
every cue word in every position, where a 4-layer BERT fine-tuned on a few thousand paragraphs
still misses some.

Fitted with scikit-learn; saved without pickle, as `lexical.safetensors` (idf, coefficients,
intercepts) and `lexical.json` (the n-gram vocabulary in column order, labels, settings), so a
model directory never holds code. Scoring looks up the n-grams that scikit-learn's char analyzer
finds in a sorted numpy array of integer keys, one per vocabulary term (`ngram_keys`), rather
than in the dict of Python strings that CountVectorizer(vocabulary=…) builds on every call: a
few MiB instead of tens, and the same counts, so the same scores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from ..reading.normalize import fold

WEIGHTS, SETTINGS = "lexical.safetensors", "lexical.json"
NGRAMS = (1, 3)
ANALYZER = CountVectorizer(analyzer="char", ngram_range=NGRAMS).build_analyzer()
CODE_BITS, CODE_MASK = 21, 2**21 - 1  # a code point + 1 (at most 0x110000) fits in 21 bits


def ngram_keys(grams: list[str]) -> np.ndarray:
    """One 64-bit integer per n-gram of up to NGRAMS[1] characters: each character's code point + 1
    in 21 bits of its own, 0 past the end. Unlike numpy's strings, which drop trailing NULs, the
    key tells "a" from "a\\0"."""
    width = NGRAMS[1]
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    if len(grams) and lengths.max() > width:
        raise ValueError(f"an n-gram longer than {width} characters: {grams[int(lengths.argmax())]!r}")
    codes = np.array(grams, dtype=f"<U{width}").view(np.uint32).reshape(-1, width).astype(np.uint64) + 1
    codes[np.arange(width) >= lengths[:, None]] = 0
    return np.bitwise_or.reduce(codes << (CODE_BITS * np.arange(width, dtype=np.uint64)), axis=1)


class LexicalLabeller:
    """fit(texts, gold) → predict_scores(texts): sigmoid scores per label, like the BERT head's."""

    def __init__(self, labels: Sequence[str], C: float = 10.0, min_df: int = 2) -> None:
        self.labels = list(labels)
        self.C, self.min_df = C, min_df
        self.use_vocabulary([])
        self.idf = np.zeros(0, dtype=np.float32)
        self.coef = np.zeros((len(self.labels), 0), dtype=np.float32)
        self.intercept = np.zeros(len(self.labels), dtype=np.float32)

    def fit(self, texts: Sequence[str], gold: np.ndarray) -> LexicalLabeller:
        """`gold`: (texts, labels) booleans. A label never or always present gets a constant score."""
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, min_df=self.min_df)
        features = vectorizer.fit_transform([fold(t) for t in texts])
        terms = vectorizer.get_feature_names_out()
        self.use_vocabulary(terms)
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

    @property
    def vocabulary(self) -> list[str]:
        """The terms, in column order."""
        terms = [""] * len(self._keys)
        for key, column in zip(self._keys.tolist(), self._columns.tolist()):
            codes = [key >> (CODE_BITS * place) & CODE_MASK for place in range(NGRAMS[1])]
            terms[column] = "".join(chr(code - 1) for code in codes if code)
        return terms

    def use_vocabulary(self, terms: Sequence[str]) -> None:
        """Take `terms` as the vocabulary, in column order, kept as sorted n-gram keys."""
        keys = ngram_keys(list(terms))
        self._columns = np.argsort(keys)  # the column of each sorted key
        self._keys = keys[self._columns]

    def counts(self, texts: Sequence[str]) -> csr_matrix:
        """How often each vocabulary term occurs in each text: CountVectorizer(vocabulary=…)'s matrix,
        the n-grams of its analyzer looked up by binary search in the sorted keys."""
        grams = [ANALYZER(text) for text in texts]
        found = ngram_keys([gram for row in grams for gram in row])
        rows = np.repeat(np.arange(len(texts)), [len(row) for row in grams])
        at = np.searchsorted(self._keys, found).clip(max=len(self._keys) - 1)
        hit = self._keys[at] == found
        matrix = csr_matrix((np.ones(int(hit.sum()), dtype=np.int64), (rows[hit], self._columns[at[hit]])),
                            shape=(len(texts), len(self._keys)))
        matrix.sum_duplicates()
        return matrix

    def features(self, texts: Sequence[str]):
        """TF-IDF rows over the fixed vocabulary, computed as TfidfVectorizer does (sublinear tf, l2)."""
        counts = self.counts([fold(t) for t in texts]).astype(np.float64)
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
        labeller.use_vocabulary(settings["vocabulary"])
        labeller.idf, labeller.coef, labeller.intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
        return labeller
