"""Compose the labelled bulletin corpus: corpora/labelled/*.jsonl, corpora/bulletins/, corpora/samples/.

Each month gets a bulletin in the layout of its era (2018–2019: the eight actions of
教育信息化2.0行动计划 as heads; 2020–2021: action lines; 2022 on: ★中央网信工作重要部署 and
★国家教育数字化战略行动). Paragraphs are 1–5 sentences drawn from the templates of their head's
topics (corpora/fragments/templates.txt); regional paragraphs mix several topics. A paragraph's
labels are the union of its sentences' labels, and its spans come straight from rendering.
Whole months go to dev and test. The run is seeded and deterministic; it prints the counts that
corpora/README.md quotes and fails if one paragraph template exceeds 2 % of the corpus or if any
24-character run of the real seed bulletin appears in the output.

    python training/make_corpus.py
"""

from __future__ import annotations

import html
import random
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import opencc

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus_templates import (  # noqa: E402
    Context,
    Region,
    Rendered,
    Renderer,
    Template,
    load_banks,
    load_regions,
    load_templates,
)

from edunlp.corpus.examples import ENTITY_TYPES, LABELS, Example, write_examples  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
SEED_BULLETINS = ROOT.parent / "shared" / "seeds"
SEED = 20180401
YEARS = range(2018, 2026)
MONTHS_PER_YEAR = 7
LEFT_OUT = {(2021, 8)}  # the month of the real seed bulletin stays out of the synthetic corpus
TEST_POSITIONS = (4, 13, 22, 31, 41, 51)  # indexes into the sorted month list
DEV_POSITIONS = (9, 27, 37, 47)
HTML_POSITIONS = (2, 24, 44)
TRADITIONAL_POSITIONS = (17,)
MIRROR_POSITIONS = (35, 53)
MAX_TEMPLATE_SHARE = 0.02
SEED_OVERLAP = 24
SENTENCE_COUNTS = {"national": (1, 2, 3, 4, 5), "regional": (1, 2, 3, 4, 5)}
SENTENCE_WEIGHTS = {"national": (25, 35, 25, 10, 5), "regional": (18, 30, 28, 16, 8)}
NEIGHBOUR_SHARE = 0.12
RENDER_ATTEMPTS = 20

Heads = list[tuple[str, tuple[str, ...]]]
EDU_HEADS_2018: Heads = [
    ("数字资源服务普及行动", ("res_platform", "res_course")),
    ("网络学习空间覆盖行动", ("space",)),
    ("网络扶智工程攻坚行动", ("poverty",)),
    ("教育治理能力优化行动", ("gov_app", "gov_system", "gov_service")),
    ("百区千校万课引领行动", ("bqqx",)),
    ("数字校园规范建设行动", ("campus",)),
    ("智慧教育创新发展行动", ("innovation",)),
    ("信息素养全面提升行动", ("literacy",)),
    ("教育信息化宣传", ("publicity",)),
]
EDU_HEADS_2020: Heads = [head for head in EDU_HEADS_2018 if head[0] != "百区千校万课引领行动"]
EDU_HEADS_2022: Heads = [
    ("网络学习空间应用", ("space",)),
    ("“三个课堂”应用", ("poverty",)),
    ("教育App备案管理", ("gov_app",)),
    ("教育管理信息系统", ("gov_system",)),
    ("教育政务服务", ("gov_service",)),
    ("教育新型基础设施", ("campus",)),
    ("人工智能教育", ("innovation",)),
    ("教育信息化宣传", ("publicity",)),
]
STRATEGY_HEADS: Heads = [
    ("国家智慧教育公共服务平台", ("res_platform",)),
    ("国家中小学智慧教育平台", ("res_platform", "res_course")),
    ("国家高等教育智慧教育平台", ("res_course",)),
    ("国家职业教育智慧教育平台", ("res_course",)),
    ("教育数字化转型试点", ("innovation",)),
    ("教师数字素养提升", ("literacy",)),
    ("宣传推广", ("publicity",)),
]
SECURITY_HEADS: Heads = [
    ("网络安全事件处置", ("sec_incident",)),
    ("信息系统安全监测", ("sec_monitor",)),
    ("网络安全等级保护", ("sec_dengbao",)),
    ("关键信息基础设施保护", ("sec_cii",)),
    ("网络安全宣传教育", ("sec_week",)),
    ("数据安全和个人信息保护", ("sec_data",)),
    ("网络安全专项检查", ("sec_check",)),
    ("教育App安全检测", ("sec_app",)),
]
INFO_HEADS: Heads = [
    ("人教数字教材", ("res_course",)),
    ("教育统计", ("gov_system",)),
    ("工作调研", ("other_news",)),
    ("交流合作", ("other_news",)),
    ("会议活动", ("other_news",)),
]
CENTRAL_HEADS: Heads = [
    ("网信工作部署", ("policy_central",)),
    ("数字中国建设", ("policy_central",)),
    ("网络法治建设", ("policy_central",)),
    ("工作要点", ("policy_moe",)),
    ("规划编制", ("policy_moe",)),
]
NEIGHBOURS = {
    "res_platform": ("space", "poverty"),
    "res_course": ("literacy",),
    "space": ("res_platform",),
    "poverty": ("res_platform", "literacy"),
    "gov_app": ("sec_app",),
    "gov_system": ("gov_service",),
    "campus": ("innovation",),
    "innovation": ("publicity", "literacy"),
    "literacy": ("res_course",),
    "sec_monitor": ("sec_app",),
    "policy_moe": ("sec_check",),
}
REGIONAL_TOPICS = {
    "reg_security": 20,
    "reg_campus": 12,
    "reg_resources": 11,
    "reg_governance": 9,
    "reg_innovation": 10,
    "reg_literacy": 9,
    "reg_poverty": 7,
    "reg_space": 7,
    "reg_policy": 7,
    "reg_other": 6,
    "reg_publicity": 5,
}
EXCHANGE_TOPICS = {"香港": "reg_exchange_hkmo", "澳门": "reg_exchange_hkmo", "台湾": "reg_exchange_tw"}
MULTI_REGION_PHRASES = {
    "security": "开展网络安全检查和宣传教育",
    "campus": "推进教育新型基础设施建设",
    "resources": "推进数字教育资源建设与应用",
    "governance": "推进教育数据治理和政务服务",
    "innovation": "开展智慧教育创新试点",
    "literacy": "组织教师信息素养培训",
    "poverty": "推进“三个课堂”常态化应用",
    "learning_space": "推进网络学习空间应用",
    "policy": "部署教育信息化重点任务",
}
ISSUING_VERBS = ("印发", "发布", "出台", "修订完善", "编写", "研究编制")


@dataclass
class Paragraph:
    """One generated paragraph with the sentence templates it came from."""

    section: str
    head: str | None
    region: str | None
    body: Rendered
    labels: list[str]
    template_ids: tuple[str, ...]
    sentences: list[tuple[int, int, list[str]]] = field(default_factory=list)


@dataclass
class Fact:
    """Something the abstract can mention: an issued document or a held event."""

    kind: str  # "doc" or "event"
    actor: str | None
    name: str
    labels: tuple[str, ...]
    region: str | None


@dataclass
class Issue:
    """One month's bulletin: title, head separator, abstract and sections in order."""

    year: int
    month: int
    title: str
    separator: str
    abstract: Paragraph
    sections: list[tuple[str, list[Paragraph]]] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [self.abstract] + [p for _, paragraphs in self.sections for p in paragraphs]


class Composer:
    """Builds whole bulletins from the fragments with one random source."""

    def __init__(self, rng: random.Random) -> None:
        banks = load_banks(CORPORA / "fragments" / "vocabulary.txt")
        self.rng = rng
        self.regions = load_regions(banks["REGIONS"])
        self.templates = load_templates(CORPORA / "fragments" / "templates.txt")
        self.renderer = Renderer(banks)
        self.facts: list[Fact] = []
        self.seed_windows = seed_windows(strip=False)
        self.stripped_seed_windows = seed_windows(strip=True)

    # ---- bulletins ----------------------------------------------------------------------------

    def issue(self, year: int, month: int, small: bool = False) -> Issue:
        self.facts = []
        sections = [
            (title, [self.national(title, head, topics, year, month) for head, topics in heads])
            for title, heads in self.layout(year, small)
        ]
        regions = self.pick_regions(self.rng.randint(6, 9) if small else self.rng.randint(12, 20))
        sections.append(("各地工作动态", [self.regional(region, year, month) for region in regions]))
        title = self.rng.choice(
            (f"教育部教育信息化和网络安全工作月报 {year}年第{month}期", f"{year}年{month}月教育信息化和网络安全工作月报")
        )
        separator = "\u3000" if year <= 2021 or self.rng.random() < 0.4 else " "
        return Issue(year, month, title, separator, self.abstract(), sections)

    def layout(self, year: int, small: bool) -> list[tuple[str, Heads]]:
        """Sections and heads in the order of the era; `small` gives the short README samples."""

        def pick(heads: Heads, low: int, high: int) -> Heads:
            if small:
                low, high = max(1, low // 2), max(1, high // 3)
            chosen = sorted(self.rng.sample(range(len(heads)), self.rng.randint(low, min(high, len(heads)))))
            return [heads[i] for i in chosen]

        sections: list[tuple[str, Heads]] = []
        if year >= 2022:
            sections.append(("中央网信工作重要部署", pick(CENTRAL_HEADS, 1, 3)))
            sections.append(("国家教育数字化战略行动", pick(STRATEGY_HEADS, 3, 6)))
            edu_title = self.rng.choice(("教育信息化重点工作进展", "教育信息化重点工作"))
            sections.append((edu_title, pick(EDU_HEADS_2022, 3, 6)))
        else:
            if year >= 2020 and self.rng.random() < 0.4:
                sections.append(("中央网信工作重要部署", pick(CENTRAL_HEADS, 1, 2)))
            edu_heads = EDU_HEADS_2018 if year <= 2019 else EDU_HEADS_2020
            sections.append(("教育信息化重点工作进展", pick(edu_heads, 5, 9)))
        sections.append(("网络安全重点工作进展", pick(SECURITY_HEADS, 2, 4)))
        if year <= 2021 and not small and self.rng.random() < 0.6:
            sections.append(("相关工作资讯", pick(INFO_HEADS, 1, 2)))
        return sections

    def pick_regions(self, count: int) -> list[Region]:
        """Weighted sampling without replacement, listed in the bulletins' usual order."""
        keyed = sorted(self.regions, key=lambda r: self.rng.random() ** (1 / r.weight), reverse=True)
        chosen = set(id(region) for region in keyed[:count])
        return [region for region in self.regions if id(region) in chosen]

    # ---- paragraphs ---------------------------------------------------------------------------

    def national(self, section: str, head: str, topics: tuple[str, ...], year: int, month: int) -> Paragraph:
        pool = [t for topic in topics for t in self.templates[topic]]
        count = self.sentence_count("national")
        chosen = self.rng.sample(pool, min(count, len(pool)))
        neighbours = [n for topic in topics for n in NEIGHBOURS.get(topic, ())]
        if neighbours and len(chosen) < 5 and self.rng.random() < NEIGHBOUR_SHARE:
            extra = self.rng.choice(self.templates[self.rng.choice(neighbours)])
            chosen.insert(self.rng.randint(1, len(chosen)), extra)
        return self.paragraph(section, head, None, chosen, Context(self.rng, year, month))

    def regional(self, region: Region, year: int, month: int) -> Paragraph:
        if region.short in EXCHANGE_TOPICS:
            pool = self.templates[EXCHANGE_TOPICS[region.short]]
            chosen = self.rng.sample(pool, self.rng.randint(1, 2))
        else:
            count = self.sentence_count("regional")
            names, weights = list(REGIONAL_TOPICS), list(REGIONAL_TOPICS.values())
            topics: list[str] = []
            while len(topics) < count:
                topic = self.rng.choices(names, weights)[0]
                if topic not in topics or self.rng.random() < 0.15:
                    topics.append(topic)
            chosen = []
            for topic in topics:
                fresh = [t for t in self.templates[topic] if t not in chosen]
                chosen.append(self.rng.choice(fresh))
        ctx = Context(self.rng, year, month, region=region)
        return self.paragraph("各地工作动态", region.short, region.short, chosen, ctx)

    def sentence_count(self, kind: str) -> int:
        return self.rng.choices(SENTENCE_COUNTS[kind], SENTENCE_WEIGHTS[kind])[0]

    def paragraph(self, section: str, head: str, region: str | None, templates: list[Template],
                  ctx: Context) -> Paragraph:
        for _ in range(RENDER_ATTEMPTS):
            sentences = [self.renderer.render(template, ctx) for template in templates]
            body = Rendered()
            for sentence in sentences:
                body.extend(sentence)
            as_written = f"\n{head} {body.text}\n"
            after_title = f"。★{section}{head}{body.text}"  # as if first under its section title
            if not (repeats_seed(as_written, self.seed_windows)
                    or repeats_seed(after_title, self.stripped_seed_windows, strip=True)):
                break
        else:
            raise SystemExit(f"cannot render {[t.id for t in templates]} without repeating the seed bulletin")
        labels: list[str] = []
        ranges: list[tuple[int, int, list[str]]] = []
        start = 0
        for template, sentence in zip(templates, sentences):
            self.facts.extend(facts_of(sentence, template.labels, region))
            labels.extend(label for label in template.labels if label not in labels)
            ranges.append((start, start + len(sentence.text), sorted(template.labels, key=LABELS.index)))
            start += len(sentence.text)
        return Paragraph(section, head, region, body, paragraph_labels(labels),
                         tuple(t.id for t in templates), ranges)

    # ---- the abstract -------------------------------------------------------------------------

    def abstract(self) -> Paragraph:
        """【摘要】: the month's national documents first, then events, regional documents and a theme."""
        pieces: list[tuple[str, list[tuple[str, str]], set[str]]] = []  # (kind, [(text, type)], labels)
        national = [f for f in self.facts if f.kind == "doc" and f.region is None and f.actor]
        for actor in list(dict.fromkeys(f.actor for f in national))[:2]:
            docs = [f for f in national if f.actor == actor][:2]
            parts = [(actor, "ORG"), (self.rng.choice(("印发", "发布")), "")] + [(f.name, "DOC") for f in docs]
            pieces.append(("national", parts, {label for f in docs for label in f.labels}))
        later = []
        events = [f for f in self.facts if f.kind == "event"]
        for fact in self.rng.sample(events, min(2, len(events))):
            ending = self.rng.choice(("举办", "顺利举行", "成功举办", "召开"))
            parts = [("“", ""), (fact.name, "EVENT"), ("”" + ending, "")] if self.rng.random() < 0.5 \
                else [(fact.name, "EVENT"), (ending, "")]
            later.append(("event", parts, set(fact.labels)))
        seen_regions: list[str] = []
        for fact in (f for f in self.facts if f.kind == "doc" and f.region):
            if fact.region not in seen_regions and len(seen_regions) < 3:
                seen_regions.append(fact.region)
                verb = self.rng.choice(("印发", "出台", "制定"))
                later.append(("regional", [(fact.region, "GPE"), (verb, ""), (fact.name, "DOC")], set(fact.labels)))
        theme = self.shared_theme()
        if theme:
            label, regions = theme
            parts = [part for i, r in enumerate(regions) for part in ((("、", ""),) if i else ()) + ((r, "GPE"),)]
            later.append(("theme", parts + [(f"等多地{MULTI_REGION_PHRASES[label]}", "")], {label}))
        self.rng.shuffle(later)
        out = Rendered()
        labels: set[str] = set()
        for _, parts, piece_labels in pieces + later:
            for text, kind in parts:
                out.span(text, kind) if kind else out.plain(text)
            out.plain("。")
            labels |= piece_labels
        shape = ("abstract", *(kind for kind, _, _ in pieces + later))
        return Paragraph("摘要", None, None, out, paragraph_labels(labels), shape)

    def shared_theme(self) -> tuple[str, list[str]] | None:
        """A label that at least two regions' paragraphs touch this month, with two or three of them."""
        by_label: dict[str, list[str]] = {}
        for fact in self.facts:
            if fact.region and fact.region not in EXCHANGE_TOPICS:
                for label in fact.labels:
                    by_label.setdefault(label, [])
                    if fact.region not in by_label[label]:
                        by_label[label].append(fact.region)
        options = sorted(label for label, regions in by_label.items()
                         if len(regions) >= 2 and label in MULTI_REGION_PHRASES)
        if not options:
            return None
        label = self.rng.choice(options)
        return label, by_label[label][: self.rng.randint(2, 3)]


def paragraph_labels(labels) -> list[str]:
    """The union of a paragraph's sentence labels, in LABELS order; `other` means "none of the
    lines", so it stays only when no sentence names one."""
    kept = sorted(set(labels), key=LABELS.index)
    return [label for label in kept if label != "other"] or kept


def facts_of(sentence: Rendered, labels: tuple[str, ...], region: str | None) -> list[Fact]:
    """Documents a sentence says were issued and events it says were held."""
    facts = []
    for start, end, kind in sentence.spans:
        name = sentence.text[start:end]
        before, after = sentence.text[:start], sentence.text[end:]
        if kind == "DOC" and before.endswith(ISSUING_VERBS):
            actors = [sentence.text[s:e] for s, e, k in sentence.spans if k == "ORG" and e <= start]
            facts.append(Fact("doc", actors[-1] if actors else None, name, labels, region))
        elif kind == "EVENT" and (after.lstrip("”")[:2] in ("在", "举办", "举行", "开幕") or after[:1] == "于"):
            facts.append(Fact("event", None, name, labels, region))
    return facts


# ---- corpus, splits and statistics ------------------------------------------------------------


def corpus_months(rng: random.Random) -> list[tuple[int, int]]:
    months = []
    for year in YEARS:
        candidates = [m for m in range(1, 13) if (year, m) not in LEFT_OUT]
        months.extend((year, m) for m in sorted(rng.sample(candidates, MONTHS_PER_YEAR)))
    return months


def split_of(position: int) -> str:
    if position in TEST_POSITIONS:
        return "test"
    return "dev" if position in DEV_POSITIONS else "train"


def examples_of(issue: Issue) -> list[Example]:
    return [
        Example(text=p.body.text, labels=p.labels, entities=list(p.body.spans), month=issue.doc_id, origin="generated",
                region=p.region, section=p.section, head=p.head, doc_id=issue.doc_id, sentences=p.sentences)
        for p in issue.paragraphs
    ]


def bulletin_text(issue: Issue) -> str:
    """One line per title, abstract, section and paragraph (head, separator, body)."""
    lines = [issue.title, "【摘要】" + issue.abstract.body.text]
    for title, paragraphs in issue.sections:
        lines.append("★" + title)
        lines += [f"{p.head}{issue.separator}{p.body.text}" for p in paragraphs]
    return "\n".join(lines) + "\n"


def bulletin_html(issue: Issue) -> str:
    """The same bulletin as a web page with navigation and a footer around it."""
    body = [f"<h1>{html.escape(issue.title)}</h1>",
            f"<p>【摘要】{html.escape(issue.abstract.body.text)}</p>"]
    for title, paragraphs in issue.sections:
        body.append(f"<p><strong>★{html.escape(title)}</strong></p>")
        body += [f"<p>{html.escape(p.head or '')}{issue.separator}{html.escape(p.body.text)}</p>" for p in paragraphs]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(issue.title)}</title></head><body>",
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/jyxxh/">教育信息化</a> &gt; 工作月报</div>',
        '<div class="article">', *body, "</div>",
        '<div class="footer">主办单位：教育部科学技术与信息化司　|　联系我们　|　网站地图</div>',
        "</body></html>", ""])


def mirror_text(text: str) -> str:
    """A reposting site's copy: ASCII punctuation and a reposter's statement at the end."""
    folded = text.translate(str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"}))
    return folded + "\n声明:本文转载自教育部网站,仅供学习交流,如涉及版权问题请联系本站删除。\n"


def seed_windows(strip: bool) -> set[str]:
    """Every run of SEED_OVERLAP characters of the real seed bulletins (NFKC; optionally no spaces)."""
    windows: set[str] = set()
    for path in sorted(SEED_BULLETINS.glob("*.txt")):
        folded = fold(path.read_text(encoding="utf-8"), strip)
        windows.update(folded[i : i + SEED_OVERLAP] for i in range(len(folded) - SEED_OVERLAP + 1))
    return windows


def fold(text: str, strip: bool) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()) if strip else folded


def repeats_seed(text: str, windows: set[str], strip: bool = False) -> str | None:
    """The first run of `text` found in the seed windows, if any."""
    folded = fold(text, strip)
    for i in range(len(folded) - SEED_OVERLAP + 1):
        if folded[i : i + SEED_OVERLAP] in windows:
            return folded[i : i + SEED_OVERLAP]
    return None


def check_seed_overlap(texts: list[str], strip: bool) -> None:
    """Fail if any generated text repeats a run of the seed, compared with or without whitespace."""
    windows = seed_windows(strip)
    for text in texts:
        repeated = repeats_seed(text, windows, strip)
        if repeated:
            raise SystemExit(f"generated text repeats the seed bulletin: {repeated!r}")


def print_statistics(splits: dict[str, list[Example]], months: dict[str, list[str]],
                     paragraphs: list[Paragraph], region_names: list[str]) -> None:
    names = list(splits)
    print("| split | months | paragraphs | labelled spans |")
    print("|---|---|---|---|")
    for name in names:
        spans = sum(len(e.entities) for e in splits[name])
        print(f"| {name} | {len(months[name])} | {len(splits[name])} | {spans} |")
    everything = [e for name in names for e in splits[name]]
    print(f"| all | {sum(len(m) for m in months.values())} | {len(everything)} | "
          f"{sum(len(e.entities) for e in everything)} |")
    print("\n| label | " + " | ".join(names) + " | all |")
    print("|---|" + "---|" * (len(names) + 1))
    for label in LABELS:
        counts = [sum(label in e.labels for e in splits[name]) for name in names]
        print(f"| {label} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    print("\n| entity type | " + " | ".join(names) + " | all |")
    print("|---|" + "---|" * (len(names) + 1))
    for kind in ENTITY_TYPES:
        counts = [sum(k == kind for e in splits[name] for _, _, k in e.entities) for name in names]
        print(f"| {kind} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    regions = Counter(e.region for e in everything if e.region)
    print(f"\nregions: {len(regions)} distinct; fewest paragraphs: "
          + ", ".join(f"{r} {n}" for r, n in sorted(regions.items(), key=lambda kv: kv[1])[:4]))
    if len(regions) < len(region_names):
        raise SystemExit(f"regions never drawn: {sorted(set(region_names) - set(regions))}")
    for name in names:
        print(f"{name} months: {' '.join(months[name])}")
    paragraph_templates = Counter(p.template_ids for p in paragraphs)
    sentence_templates = Counter(t for p in paragraphs if p.section != "摘要" for t in p.template_ids)
    top, top_count = paragraph_templates.most_common(1)[0]
    share = top_count / len(paragraphs)
    sentences = sum(sentence_templates.values())
    top_sentence, top_sentence_count = sentence_templates.most_common(1)[0]
    print(f"paragraph templates: {len(paragraph_templates)} distinct; most frequent {top} "
          f"in {top_count} of {len(paragraphs)} paragraphs ({share:.2%}; limit {MAX_TEMPLATE_SHARE:.0%})")
    print(f"sentence templates: {len(sentence_templates)} used; most frequent {top_sentence} "
          f"in {top_sentence_count} of {sentences} sentences ({top_sentence_count / sentences:.2%})")
    if share > MAX_TEMPLATE_SHARE:
        raise SystemExit("one paragraph template is over the limit: add templates or vary the mix")


def clear(folder: Path, patterns: tuple[str, ...]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for pattern in patterns:
        for path in folder.glob(pattern):
            path.unlink()


def main() -> None:
    rng = random.Random(SEED)
    composer = Composer(rng)
    months = corpus_months(rng)
    to_traditional = opencc.OpenCC("s2t")
    bulletins = CORPORA / "bulletins"
    clear(bulletins, ("*.txt", "*.html"))
    splits: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
    split_months: dict[str, list[str]] = {"train": [], "dev": [], "test": []}
    paragraphs: list[Paragraph] = []
    raw_texts: list[str] = []
    for position, (year, month) in enumerate(months):
        issue = composer.issue(year, month)
        split = split_of(position)
        splits[split].extend(examples_of(issue))
        split_months[split].append(issue.doc_id)
        paragraphs.extend(issue.paragraphs)
        text = bulletin_text(issue)
        raw_texts.append(text)
        if position in HTML_POSITIONS:
            (bulletins / f"{issue.doc_id}.html").write_text(bulletin_html(issue), encoding="utf-8")
        elif position in TRADITIONAL_POSITIONS:
            (bulletins / f"{issue.doc_id}.txt").write_text(to_traditional.convert(text), encoding="utf-8")
        elif position in MIRROR_POSITIONS:
            (bulletins / f"{issue.doc_id}.txt").write_text(mirror_text(text), encoding="utf-8")
        else:
            (bulletins / f"{issue.doc_id}.txt").write_text(text, encoding="utf-8")
    for label, positions in (("html", HTML_POSITIONS), ("traditional", TRADITIONAL_POSITIONS),
                             ("repost", MIRROR_POSITIONS)):
        print(f"{label} bulletins: {' '.join('%04d-%02d' % months[p] for p in positions)}")
    samples = CORPORA / "samples"
    clear(samples, ("*.txt",))
    sample_composer = Composer(random.Random(SEED + 1))
    for year in (2019, 2021, 2023):
        month = next(m for m in range(1, 13) if (year, m) not in months and (year, m) not in LEFT_OUT)
        issue = sample_composer.issue(year, month, small=True)
        text = bulletin_text(issue)
        raw_texts.append(text)
        (samples / f"{issue.doc_id}.txt").write_text(text, encoding="utf-8")
        print(f"sample {issue.doc_id}: {len(issue.paragraphs)} paragraphs")
    if any(SEED_BULLETINS.glob("*.txt")):
        check_seed_overlap(raw_texts, strip=False)
        check_seed_overlap(raw_texts, strip=True)
        print(f"seed check: no {SEED_OVERLAP}-character run of the seed bulletin in the output")
    for name, examples in splits.items():
        write_examples(CORPORA / "labelled" / f"{name}.jsonl", examples)
    print_statistics(splits, split_months, paragraphs, [r.short for r in composer.regions])


if __name__ == "__main__":
    main()
