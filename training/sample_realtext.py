"""Draw real paragraphs from ../shared/realtext for annotators, outside the repository.

    python training/sample_realtext.py --out /work/annot/packs --blind 180 --train 1800
    python training/sample_realtext.py --out /work/annot/packs --blind 0 --train 600 --packs 2 \
        --topical --prefix r2 --seed 9 --exclude /work/annot/packs/train_real_*.jsonl
    python training/sample_realtext.py --out /work/annot/packs --blind 200 --train 0 --packs 0 \
        --blind-part dev --prefix d2 --seed 21 --exclude /work/annot/packs/blind_real.jsonl

Writes `blind_real.jsonl` (documents of the blind pool) and `train_real_K.jsonl` packs (the
training pool), one paragraph a line: {"id", "genre", "text", "ref"}. The text is for the
annotators' eyes only and never enters the repository; the labels come back keyed by id and are
stored in `corpora/real/*.jsonl` as references (`ref`) with the labels.

Three in four paragraphs are drawn among those that mention both education and something
digital (or cybersecurity); one in four is drawn from all paragraphs, so ordinary education
news, politics and law give real negatives for `other`. At most `--per-document` paragraphs come
from one document, so the sample spreads over many.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from edunlp.corpus import realtext

DIGITAL = re.compile("信息化|网络|互联网|在线|线上|数字|智慧|平台|数据|人工智能|5G|IPv6|宽带|计算机|信息技术|电子政务|网站|APP|App|云|慕课|MOOC|多媒体|远程|信息系统|智能")
EDUCATION = re.compile("教育|学校|教师|学生|课堂|高校|中小学|校园|教学|课程|大学|幼儿园|学院")
SECURITY = re.compile("网络安全|数据安全|个人信息|信息安全")
# A narrower test for a second, on-topic-only round (--topical): informatization in education itself.
TOPICAL = re.compile("教育信息化|信息技术|网络安全|数据安全|个人信息|在线教育|网络教育|远程教育|慕课|MOOC|智慧教育|智慧校园|数字校园|校园网|宽带|教育资源|教学平台|学习平台|人工智能|编程|信息素养|数字化|三个课堂|教学点|电子政务|学籍|App|APP|多媒体|直播课|网课|在线课程")
GENRE_SHARE = {"news": 0.42, "web_news": 0.16, "tv_news": 0.2, "government_report": 0.1, "law": 0.12}


def on_topic(text: str) -> bool:
    return bool((DIGITAL.search(text) and EDUCATION.search(text)) or SECURITY.search(text))


def draw(units: list[realtext.Unit], n: int, per_document: int, rng: random.Random,
         topical: bool = False) -> list[realtext.Unit]:
    """`n` units, genre shares as GENRE_SHARE, 3/4 on topic, at most `per_document` per document
    (with `topical`: all of them on topic by the narrower TOPICAL test)."""
    by_genre: dict[tuple[str, bool], list[realtext.Unit]] = defaultdict(list)
    for unit in units:
        relevant = on_topic(unit.text) and (not topical or bool(TOPICAL.search(unit.text)))
        by_genre[(unit.document.genre, relevant)].append(unit)
    chosen: list[realtext.Unit] = []
    taken: dict[str, int] = defaultdict(int)
    for genre, share in GENRE_SHARE.items():
        for relevant_only, part in ((True, 1.0), ) if topical else ((True, 0.75), (False, 0.25)):
            pool = by_genre[(genre, True)] if relevant_only else by_genre[(genre, True)] + by_genre[(genre, False)]
            pool = pool[:]
            rng.shuffle(pool)
            want = round(n * share * part)
            for unit in pool:
                if want == 0:
                    break
                if taken[unit.document.key] >= per_document or unit in chosen:
                    continue
                taken[unit.document.key] += 1
                chosen.append(unit)
                want -= 1
    rng.shuffle(chosen)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="a folder outside the repository")
    parser.add_argument("--blind", type=int, default=180)
    parser.add_argument("--train", type=int, default=1800)
    parser.add_argument("--packs", type=int, default=4, help="training packs (one per annotator)")
    parser.add_argument("--per-document", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--topical", action="store_true", help="on-topic paragraphs only (a second round)")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="packs whose paragraphs to leave out")
    parser.add_argument("--prefix", default="", help="prefix of pack names and ids (a second round)")
    parser.add_argument("--blind-part", choices=("dev", "test"),
                        help="blind paragraphs only from documents of this blind set (a later round adds to blind-dev)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    taken = {json.dumps(json.loads(line)["ref"], sort_keys=True) for path in args.exclude
             for line in path.open(encoding="utf-8")}
    units = [u for d in realtext.documents() for u in realtext.units(d)
             if json.dumps(u.reference(), sort_keys=True) not in taken]
    blind_units = [u for u in units if u.document.blind
                   and (args.blind_part is None or realtext.blind_part(u.document.key) == args.blind_part)]
    blind = draw(blind_units, args.blind, args.per_document, rng, args.topical)
    train = draw([u for u in units if not u.document.blind], args.train, args.per_document, rng, args.topical)
    args.out.mkdir(parents=True, exist_ok=True)

    def write(name: str, prefix: str, chosen: list[realtext.Unit]) -> None:
        with open(args.out / name, "w", encoding="utf-8") as out:
            for number, unit in enumerate(chosen, 1):
                out.write(json.dumps({"id": f"{prefix}{number:04d}", "genre": unit.document.genre,
                                      "text": unit.text, "ref": unit.reference()}, ensure_ascii=False) + "\n")
        print(f"{name}: {len(chosen)} paragraphs")

    if args.blind:
        write(f"{args.prefix}blind_real.jsonl", f"{args.prefix}b", blind)
    size = -(-len(train) // args.packs) if args.packs else 0
    for k in range(args.packs):
        write(f"{args.prefix}train_real_{k + 1}.jsonl", f"{args.prefix}t{k + 1}-", train[k * size : (k + 1) * size])


if __name__ == "__main__":
    main()
