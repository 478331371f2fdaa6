"""Does the BERT half earn its share? Split-half resampling of blind-dev, per mixing weight.

    python evaluation/dev_resampling.py [--model DIR] [--dev corpora/blind/dev.jsonl] [--repeats 200]

`edunlp train` picks the weight of the BERT's label scores against the lexical labeller's, and
the thresholds, on blind-dev. On ~150 paragraphs an in-sample choice follows noise. Here the real
and written part of dev is cut in two halves at random, thresholds are tuned on one half
(`best_thresholds`, as training does) and the other half is scored, `--repeats` times
(`held_out_f1`, which `edunlp train` also uses to pick the weight, with 50 cuts). Printed per
weight (0 = the lexical labeller alone, 1 = the BERT alone): the in-sample micro-F1, and the mean
and standard deviation of the held-out micro-F1, overall and per origin. A weight whose mean is
within a standard deviation of the weight 0 row has not shown that the BERT adds anything on dev.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp.corpus.examples import read_examples  # noqa: E402
from edunlp.pipeline import DEFAULT_MODEL  # noqa: E402
from edunlp.tagging.tagger import Tagger, decide, model_text  # noqa: E402
from edunlp.training.evaluation import (BertAlone, best_thresholds, gold_matrix, held_out_f1,  # noqa: E402
                                        threshold_examples)

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--dev", nargs="+", default=[str(ROOT / "corpora/blind/dev.jsonl")])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tagger = Tagger.from_pretrained(args.model)
    if tagger.lexical is None:
        sys.exit(f"{args.model}: the model has no lexical labeller; there is no mix to resample")
    examples = threshold_examples([e for path in args.dev for e in read_examples(path)])
    gold = gold_matrix(examples, tagger.labels)
    bert = BertAlone(tagger, []).predict_scores(examples)
    lexical = tagger.lexical.predict_scores([model_text(e) for e in examples])
    origins = np.array([e.origin or "unknown" for e in examples])
    groups = {"all": np.ones(len(examples), dtype=bool)} | {o: origins == o for o in sorted(set(origins))}
    print(f"{args.model}: {len(examples)} dev paragraphs ({', '.join(f'{o} {int(m.sum())}' for o, m in groups.items() if o != 'all')}); "
          f"{args.repeats} random halves; the model ships with BERT weight {tagger.bert_weight:g}")
    print(f"{'BERT weight':<12}{'in sample':>10}" + "".join(f"{name + ' held out':>22}" for name in groups))
    for weight in WEIGHTS:
        mixed = weight * bert + (1 - weight) * lexical
        in_sample = f1_score(gold, decide(mixed, best_thresholds(mixed, gold), tagger.labels), average="micro")
        held = held_out_f1(mixed, gold, tagger.labels, args.repeats, args.seed, groups)
        print(f"{weight:<12g}{in_sample:>10.3f}" + "".join(f"{m:>15.3f} ± {s:.3f}" for m, s in held.values()))


if __name__ == "__main__":
    main()
