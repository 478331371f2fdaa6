"""A learned choice of an indicator's name among the phrases of its clause.

The rules (edunlp.indicators.extract) name each quantity by the shape of its clause; on real text
their name is often one word too long or too short (全省|覆盖率, 学校|出口带宽). This selector
lists the names a quantity could have — every word-aligned span of its clause before the number
and the first words after it, up to `MAX_WORDS` words, plus the rules' own name — describes each
candidate by plain features (the rules' choice and how the candidate differs from it, its side,
length, boundary words and their parts of speech, the words between it and the number, the unit)
and scores it with a logistic regression fitted on hand-named training quantities and the names of
the generated bulletins (training/train_name_selector.py). The best-scoring candidate is the name
when it beats the rules' own by the saved margin: the rules were written for the bulletin's
conventions (累计访客, 开放课程), and a close call keeps them.

Saved without pickle: `name_selector.safetensors` (coefficients, intercept) and
`name_selector.json` (the feature names in column order and the settings), shipped in
edunlp/data, so `segment` uses it without a model. Without the files the rules' names stand.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy.sparse import csr_matrix

from ..document import Indicator
from ..reading.normalize import fold
from .extract import COPULAS, GENERIC_NAMES, NOMINAL_TAGS, TRAILING_FILLERS, continues
from .quantities import read_word_list

DATA = Path(__file__).resolve().parents[1] / "data"
WEIGHTS, SETTINGS = "name_selector.safetensors", "name_selector.json"
MAX_WORDS, MAX_CHARS = 8, 24
RIGHT_STARTS = 3  # a name after the number starts within its first few words (1919家|企业)
BREAKS = set(",;。!?:|") | set("，；。！？：")  # not a line break: a wrap inside a sentence
GAP_CHARS = 4  # the words between a name and its number, as a feature when this short
SCOPE_START = re.compile("全(?:国|省|市|区|县|校)|各|我(?:省|市|县|校)|本(?:省|市|校)|该(?:省|市|县|校)")
SCOPE_INSIDE = re.compile("全(?:国|省|市|区|县|校)")  # 高考成绩位于全省前: a name holds no scope word
COMPARISON = re.compile("较|比(?:去年|上年|上一年|上月|上季)|同比|环比")  # 问题数据较上月下降: the change's reference
# 当季云业务收入, 全年访问量: a time word says when, not what (the tagger may cut 当季 as 当|季云)
TIME_START = re.compile("当(?:季|月|年|期)|本(?:月|季|年|周|期|学期|学年)|今年|去年|上(?:月|年|季)|全年|年度|每(?:年|月|周|天|日)")
MEASURE_HEAD = re.compile("(?:率|数|量|人次|比例|规模|总额|金额|面积|时长|增长|增加|下降|减少|提高|上涨)$")

# Parts of speech of a word that may be a name alone (PKU tags: nouns, nouns from verbs, names,
# abbreviations, idioms and set phrases, distinguishing words, verbs: 投入, 办件); any other alone
# names nothing, nor does a copula or filler of the rules (达到, 突破, 已有).
NAME_TAGS = {"n", "vn", "nz", "nt", "j", "b", "an", "Ng", "l", "nx", "ns", "nr", "i", "a", "v"}
LINKING_WORDS = frozenset(COPULAS + TRAILING_FILLERS)
# A phrase that names nothing measured, whatever its words: only a change or a comparison (同比下降,
# 比上年末净增, 攀升), a share named by its base alone (占比, 占考核总分: a share of what?), a name
# that ends in a verb of reaching, a hedge or a modal (升至, 扩大到, 超过, 差不多, 可, 须).
CHANGE_ONLY = re.compile(r"同比|环比|(?:(?:同比|环比|(?:较|比)[^\d]{0,5}?)?净?(?:增长|增加|提高|提升|上升|下降|减少|降低|新增|"
                         r"净增|增|减|降|攀升|上涨|扩大|剩余)(?:了|到|至|为)?)")
SHARE_OF = re.compile("[占佔]")
TRAILING_HEDGES = ("超过", "超", "接近", "差不多", "约", "近", "可", "须", "需", "应", "能", "要", "可达", "以上")
REPORTING_VERBS = frozenset({"称", "表示", "指出", "显示", "透露", "介绍", "说", "宣布", "认为", "记得", "获悉"})
LEADING_PREPOSITIONS = frozenset("从于自向到至")  # 从恒大投资: the words a name follows, not its own (not 在: 在校生)
OPENING, CLOSING = "（(“「‘《", "）)”」’》"
LEADING_MODALS = frozenset({"可", "能", "须", "需", "应", "要", "可以", "能够"})  # 可|通过多邻国: the way one may go
MANNER_TAGS = frozenset({"a", "ad", "d"})  # 热情高涨: how something goes, not what is measured (近视 alone may be)
# adverbs that make a clause of subject and verb (学生每周要学习, 造车已经投入); not 月均, 专项 (tagged so)
CLAUSE_ADVERBS = frozenset({"已经", "已", "便", "就", "都", "也", "还", "将", "正在", "曾", "曾经", "不要", "自愿", "仍",
                            "仍然", "才", "又", "再", "便能", "最好"})
JOINING_CONJUNCTIONS = frozenset({"和", "与", "及", "或", "以及", "并", "或者"})  # 中小学和幼儿园: not 虽然, 但
Words = list[tuple[int, int, str]]  # (start, end, part of speech), offsets into the text


@dataclass
class Candidate:
    """One name a quantity could have: the text's [start, end) (a composed rules' name keeps the
    rules' offsets), the name as it reads, and its features."""

    start: int | None
    end: int | None
    name: str
    features: list[str]
    junk: bool = False  # one word that names nothing: a verb, adverb or connective alone (达到, 已经, 也即)


def _names_nothing(word: str, tag: str) -> bool:
    """Whether a word alone names nothing (已经/d, 也即/c, 达到/v): see NAME_TAGS."""
    return tag not in NAME_TAGS or word in LINKING_WORDS


def _phrase_names_nothing(text: str, words: Words) -> bool:
    """Whether a phrase of `words` names nothing measured: a word that names nothing alone, a change
    or comparison alone, a share by its base alone, a trailing verb of reaching, copula, hedge or
    modal (…的中小学超过, 整改率须), a verb of reporting inside (官方称…), a preposition first (从…)
    or a modal before one (可通过…), a conjunction that joins clauses (虽然), an adverb first with no
    noun after it (还剩余), a clause of subject, adverb and verb (学生每周要学习, 造车已经投入), a verb
    of one character alone (没), a generic word alone (数量: of what?), words of manner alone
    (热情高涨), a place word last (产业链上, 实测下), a bracket or quote left open (位置”), a bracket's
    words alone (（市）; a quoted name may be one: “护学岗”)."""
    name = fold(_name_of(text, words[0][0], words[-1][1]))
    said = [fold(text[w[0]:w[1]]) for w in words]
    if len(words) == 1 and (_names_nothing(name, words[0][2]) or (words[0][2] == "v" and len(name) == 1)
                            or name in GENERIC_NAMES):
        return True
    if len(words) > 1 and {w[2] for w in words} <= MANNER_TAGS:
        return True
    return bool(CHANGE_ONLY.fullmatch(name) or SHARE_OF.match(name) or re.search("[到至]了?$", name)
                or said[-1] in LINKING_WORDS or name.endswith(TRAILING_HEDGES)
                or any(w[2] == "v" and word in REPORTING_VERBS for w, word in zip(words, said))
                or said[0] in LEADING_PREPOSITIONS or (said[0] in LEADING_MODALS and words[1:2] and words[1][2] == "p")
                or name.endswith(("上", "下")) or (words[-1][2] == "f" and len(said[-1]) == 1)
                or _unbalanced(name) or bool(re.fullmatch(r"[(（][^()（）]*[)）]", name))
                or any(w[2] == "c" and word not in JOINING_CONJUNCTIONS for w, word in zip(words, said))
                or (words[0][2] == "d" and not any(w[2] in NOMINAL_TAGS for w in words))
                or (words[-1][2] == "v" and any(word in CLAUSE_ADVERBS for word in said[1:-1])
                    and not CHANGE_ONLY.fullmatch(said[-1])))


def _unbalanced(name: str) -> bool:
    """Whether a bracket or quote of `name` is left open or closes one it never opened."""
    depth = []
    for char in name:
        if char in OPENING:
            depth.append(OPENING.index(char))
        elif char in CLOSING:
            if not depth or depth.pop() != CLOSING.index(char):
                return True
    return bool(depth)


def clause_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch of `text` around [start, end) up to the nearest clause breaks (、 kept: lists)."""
    left = start
    while left > 0 and text[left - 1] not in BREAKS:
        left -= 1
    right = end
    while right < len(text) and text[right] not in BREAKS:
        right += 1
    return left, right


def regions(text: str, indicator: Indicator) -> tuple[tuple[int, int], tuple[int, int]]:
    """The stretches before and after the quantity in its clause, whose words the candidates take;
    for a quantity the rules could not name, the clause before it too when only a comma parts
    them (选学人数最多，|达到57人)."""
    left, right = clause_of(text, indicator.start, indicator.end)
    if not indicator.name and left > 0 and text[left - 1] in ",，":
        left = clause_of(text, left - 1, left - 1)[0]
    return (left, indicator.start), (indicator.end, right)


def _name_of(text: str, start: int, end: int) -> str:
    """The name read at text[start:end], a line wrap between Chinese characters dropped (智慧|教室)."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text[start:end]).strip()


@functools.cache
def field_terms() -> frozenset[str]:
    """The field's own terms (edunlp/data/user_dict.txt: 教师空间, 数字教育资源, …), folded: a name that
    is one follows the bulletin's convention."""
    return frozenset(fold(term) for term in read_word_list("user_dict.txt"))


def _unit_kind(indicator: Indicator) -> str:
    if indicator.unit in ("%", "‰", "个百分点", "百分点"):
        return "share"
    if not indicator.unit:
        return "bare"
    return "latin" if indicator.unit.isascii() else "count"


def _word(text: str, word: tuple[int, int, str] | None) -> tuple[str, str]:
    return (fold(text[word[0]:word[1]]), word[2]) if word else ("^", "^")


def _span_features(text: str, words: Words, i: int, j: int, side: str, indicator: Indicator) -> list[str]:
    """What a candidate made of words[i:j] on `side` ("L" before the number, "R" after) looks like."""
    start, end = words[i][0], words[j - 1][1]
    name = fold(text[start:end])
    first, first_tag = _word(text, words[i])
    last, last_tag = _word(text, words[j - 1])
    before, before_tag = _word(text, words[i - 1] if i > 0 else None)
    after, after_tag = _word(text, words[j] if j < len(words) else None)
    gap = fold(text[end:indicator.start] if side == "L" else text[indicator.end:start]).strip()
    gap = gap if len(gap) <= GAP_CHARS else "long"
    tags = [w[2] for w in words[i:j]]
    kind = _unit_kind(indicator)
    features = [
        f"side={side}", f"gap={side}:{gap}", f"gap_kind={side}:{kind}:{gap}", f"unit={side}:{indicator.unit}",
        f"kind={side}:{kind}", f"words={side}:{min(j - i, MAX_WORDS)}", f"chars={side}:{min(len(name) // 2, 8)}",
        f"first={first}", f"first_tag={side}:{first_tag}", f"last={last}", f"last_tag={side}:{last_tag}",
        f"last_tag_kind={kind}:{last_tag}", f"before={before}", f"before_tag={side}:{before_tag}",
        f"after={after}", f"after_tag={side}:{after_tag}", f"edge_tags={side}:{before_tag}|{first_tag}",
        f"end_tags={side}:{last_tag}|{after_tag}", f"last_char={kind}:{name[-1:]}", f"first_char={name[:1]}",
        f"verbs={min(tags.count('v'), 3)}", f"clause_start={side}:{i == 0}",
    ]
    features += [f"has={mark}" for mark in ("的", "、", "和", "及", "与") if mark in name]
    if name in field_terms():
        features.append("field_term")
    if any(c.isdigit() for c in name):
        features.append("has_digit")
    if SCOPE_START.match(name):
        features.append("scope_start")
    features += _shape_features(name, tags, kind)
    return features


def _shape_features(name: str, tags: list[str], kind: str) -> list[str]:
    """What a name phrase holds whatever its words: a preposition or a scope word inside (公司高管
    团队自愿在降薪, 高考成绩位于全省前), a change's reference (较上月), a time word first (当季),
    a quote or bracket at an edge or left open (“每周工作, 省高校重点（), the measure head it ends
    in (率, 数, 增长)."""
    features = [f"preps={min(tags.count('p'), 2)}", f"adverb_first={tags[:1] == ['d']}"]
    if SCOPE_INSIDE.search(name[1:]):
        features.append("scope_inside")
    if COMPARISON.search(name):
        features.append("comparison")
    if TIME_START.match(name):
        features.append("time_start")
    if re.match(r"[^\w]", name) or re.search(r"[^\w）)”」]$", name):
        features.append("punct_edge")
    if _unbalanced(name):
        features.append("unbalanced")
    head = MEASURE_HEAD.search(name)
    features.append(f"head={kind}:{head.group() if head else '-'}")
    return features


def _against_rules(text: str, words: Words, i: int, j: int, indicator: Indicator) -> list[str]:
    """How words[i:j] differs from the rules' name (read at its offsets): the words it adds or
    drops at each end."""
    rule_start, rule_end = indicator.name_start, indicator.name_end
    start, end = words[i][0], words[j - 1][1]
    features = ["leaves_field_term"] if fold(indicator.name) in field_terms() else []
    if end <= rule_start or start >= rule_end:
        return [*features, "rules_apart"]
    for edge, here, there in (("start", start, rule_start), ("end", end, rule_end)):
        if here == there:
            features.append(f"{edge}=same")
            continue
        low, high = min(here, there), max(here, there)
        moved = [w for w in words if low <= w[0] and w[1] <= high]
        grows = (here < there) if edge == "start" else (here > there)
        change = "adds" if grows else "drops"
        features.append(f"{edge}={change}:{min(len(moved), 3)}")
        if moved:
            word = moved[0] if edge == "start" else moved[-1]
            said = fold(text[low:high])
            features += [f"{edge}_{change}_tag={word[2]}", f"{edge}_{change}_word={fold(text[word[0]:word[1]])}",
                         f"{edge}_{change}_tags={'|'.join(sorted({w[2] for w in moved}))}"]
            features += [f"{edge}_{change}_has={mark}" for mark in ("的", "以上", "达到") if mark in said]
            if any(c.isdigit() for c in said):
                features.append(f"{edge}_{change}_digit")
    return features


def _cut_at(words: Words, edges: tuple[int | None, int | None]) -> Words:
    """`words` with a word over an edge of the rules' name cut there: the rules cut names by their
    own word lists (当季|云业务收入) where the tagger may join across (当|季云|业务), and a rules'
    name that is no span of words would go without the features of one."""
    cut: Words = []
    for start, end, tag in words:
        for edge in edges:
            if edge is not None and start < edge < end:
                cut.append((start, edge, tag))
                start = edge
        cut.append((start, end, tag))
    return cut


def candidates(text: str, indicator: Indicator, left_words: Words, right_words: Words) -> list[Candidate]:
    """Every name `indicator` could have in its clause, the rules' first; `left_words` and
    `right_words` are the tagged words of `regions` (offsets into `text`). A name the rules
    composed (开通网络学习空间的中小学比例, 注册用户增加, a count's modifier and noun) is marked so:
    on real text most are wrong (学生在阅读比例), and a span of the text may win over it."""
    kind, edges = _unit_kind(indicator), (indicator.name_start, indicator.name_end)
    rules = Candidate(indicator.name_start, indicator.name_end, indicator.name, ["rules", f"rules_kind={kind}"])
    unnamed = not indicator.name
    composed = not unnamed and (indicator.name_start is None or indicator.name_end is None
                                or _name_of(text, indicator.name_start, indicator.name_end) != indicator.name)
    if composed:  # 开通网络学习空间的中小学比例 is right, 学生在阅读比例 is not: the selector weighs the shape
        rules.features += ["rules_composed", f"composed_tail={kind}:{fold(indicator.name)[-2:]}"]
        rules.junk = bool(BREAKS & set(indicator.name))
    if unnamed:  # the clause before only when this one holds nothing that could name (…，|达到57人)
        own = [w for w in left_words if w[0] >= clause_of(text, indicator.start, indicator.end)[0]]
        if any(not _names_nothing(fold(text[w[0]:w[1]]), w[2]) for w in own):
            left_words = own
    found = [rules]
    for side, words in (("L", _cut_at(left_words, edges)), ("R", _cut_at(right_words, edges))):
        starts = range(len(words)) if side == "L" else range(min(RIGHT_STARTS, len(words)))
        for i in starts:
            for j in range(i + 1, min(i + MAX_WORDS, len(words)) + 1):
                start, end = words[i][0], words[j - 1][1]
                if end - start > MAX_CHARS or BREAKS & set(text[start:end]):
                    break
                name = _name_of(text, start, end)
                junk = _phrase_names_nothing(text, words[i:j]) or (
                    # 78.6%的教师能够熟练…: the rules' 能够熟练…的教师比例 says what share; 教师, or 教师能够熟练…, does not
                    composed and kind == "share" and side == "R" and not rules.junk)
                if composed and (start, end) == edges:  # the words the rules composed from: their shape
                    tags = [w[2] for w in words[i:j]]
                    rules.features += [f"composed:{f}" for f in (*_shape_features(fold(indicator.name), tags, kind),
                                                                  f"verbs={min(tags.count('v'), 3)}",
                                                                  f"has_de={'的' in indicator.name}",
                                                                  f"last_tag={tags[-1]}")]
                if not composed and (start, end) == edges:
                    # the bulletin's own convention names a change or share by itself (较上季度下降, 占比):
                    # the rules' name gives way for other junk only
                    rules.features += _span_features(text, words, i, j, side, indicator)
                    rules.junk = junk and not (CHANGE_ONLY.fullmatch(fold(name)) or SHARE_OF.match(name))
                    continue
                features = _span_features(text, words, i, j, side, indicator)
                if unnamed:
                    features.append("rules_unnamed")
                elif composed:
                    features += ["against_composed", *(_against_rules(text, words, i, j, indicator)
                                                       if None not in edges else [])]
                else:
                    features += _against_rules(text, words, i, j, indicator)
                found.append(Candidate(start, end, name, features, junk))
    return found


def candidate_lists(texts: Sequence[str], indicators: Sequence[Sequence[Indicator]]) -> list[list[list[Candidate]]]:
    """`candidates` of every indicator of every text, all regions tagged in one batch."""
    from ..segmentation.words import tagged_spans_in_context

    pieces = [(text, (left[0], right[1]), region) for text, found in zip(texts, indicators) for i in found
              for left, right in [regions(text, i)] for region in (left, right)]
    words = iter(tagged_spans_in_context(pieces))
    return [[candidates(text, i, next(words), next(words)) for i in found] for text, found in zip(texts, indicators)]


class NameSelector:
    """fit(candidate lists, chosen) → scores: one logistic regression over candidate features."""

    def __init__(self, features: Sequence[str] = (), coef: np.ndarray | None = None, intercept: float = 0.0,
                 settings: dict | None = None) -> None:
        self.features = list(features)
        self.columns = {feature: column for column, feature in enumerate(self.features)}
        self.coef = np.zeros(len(self.features), dtype=np.float32) if coef is None else coef
        self.intercept = intercept
        self.settings = settings or {}

    def fit(self, lists: Sequence[list[Candidate]], right: Sequence[list[float]], C: float = 1.0,
            min_count: int = 3, weights: Sequence[float] | None = None, margin: float = 0.0) -> NameSelector:
        """`right[n][c]`: the weight of candidate c of list n as a right name (0 when wrong);
        `weights[n]` scales all of list n (a source that should count more or less); `margin`: the
        log-odds by which a candidate must beat the rules' name (the first) to replace it."""
        from sklearn.linear_model import LogisticRegression  # training only: loading stays light

        counts = Counter(f for candidates_ in lists for c in candidates_ for f in set(c.features))
        self.features = sorted(f for f, n in counts.items() if n >= min_count)
        self.columns = {feature: column for column, feature in enumerate(self.features)}
        matrix = self.matrix([c for candidates_ in lists for c in candidates_])
        rights = np.array([w for row in right for w in row])
        scale = np.repeat(np.ones(len(lists)) if weights is None else np.asarray(weights, dtype=float),
                          [len(candidates_) for candidates_ in lists])
        gold = rights > 0
        sample_weight = np.where(gold, rights, 1.0) * scale
        model = LogisticRegression(C=C, max_iter=3000).fit(matrix, gold, sample_weight=sample_weight)
        self.coef, self.intercept = model.coef_[0].astype(np.float32), float(model.intercept_[0])
        self.settings = {"C": C, "min_count": min_count, "max_words": MAX_WORDS, "max_chars": MAX_CHARS,
                         "margin": margin}
        return self

    def matrix(self, flat: Sequence[Candidate]) -> csr_matrix:
        """One row of 0/1 feature columns per candidate (features unseen in training dropped)."""
        rows, cols = [], []
        for row, candidate in enumerate(flat):
            for column in {self.columns[f] for f in candidate.features if f in self.columns}:
                rows.append(row)
                cols.append(column)
        return csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(flat), len(self.features)))

    def scores(self, candidates_: Sequence[Candidate]) -> np.ndarray:
        """The log-odds that each candidate is a right name."""
        return np.array([
            self.intercept + sum(float(self.coef[self.columns[f]]) for f in set(c.features) if f in self.columns)
            for c in candidates_
        ])

    def best(self, candidates_: Sequence[Candidate]) -> Candidate:
        """The best-scoring candidate if it beats the rules' name (the first) by the margin, else
        that; when the rules found no name, the best of the others (a name beats none)."""
        scores = self.scores(candidates_)
        names = [n for n, c in enumerate(candidates_) if n and not c.junk]
        if not names:
            return candidates_[0]
        top = max(names, key=lambda n: scores[n])
        if not candidates_[0].name or candidates_[0].junk:
            return candidates_[top]
        return candidates_[top] if scores[top] - scores[0] > self.settings.get("margin", 0.0) else candidates_[0]

    def save(self, directory: str | Path = DATA) -> None:
        directory = Path(directory)
        save_file({"coef": np.asarray(self.coef, dtype=np.float32),
                   "intercept": np.array([self.intercept], dtype=np.float32)}, str(directory / WEIGHTS))
        (directory / SETTINGS).write_text(json.dumps({**self.settings, "features": self.features}, ensure_ascii=False,
                                                     indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path = DATA) -> NameSelector | None:
        """The selector saved in `directory` (edunlp/data by default), or None when it has none."""
        directory = Path(directory)
        if not (directory / WEIGHTS).is_file() or not (directory / SETTINGS).is_file():
            return None
        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        arrays = load_file(str(directory / WEIGHTS))
        features = settings.pop("features")
        if len(features) != len(arrays["coef"]):
            raise ValueError(f"{directory / SETTINGS}: {len(features)} features for {len(arrays['coef'])} weights")
        return cls(features, arrays["coef"], float(arrays["intercept"][0]), settings)


@functools.lru_cache(maxsize=1)
def shipped_selector() -> NameSelector | None:
    """The selector in edunlp/data, read once per process; None when it is not shipped."""
    return NameSelector.load()


def choose_names(texts: Sequence[str], indicators: Sequence[Sequence[Indicator]],
                 selector: NameSelector | None = None) -> None:
    """Rename each indicator of each text (offsets into it) by the selector's best candidate;
    nothing changes without a selector."""
    selector = selector or shipped_selector()
    if selector is None or not any(indicators):
        return
    for text, found, lists in zip(texts, indicators, candidate_lists(texts, indicators)):
        previous = None
        for indicator, candidates_ in zip(found, lists):
            if not indicator.name and previous is not None and continues(text, previous, indicator):
                # 从2007年的4.3万人，攀升至2017年的14.1万人: the name chosen for the first figure
                indicator.name, indicator.name_start, indicator.name_end = (
                    previous.name, previous.name_start, previous.name_end)
            else:
                best = selector.best(candidates_)
                if best.name and best is not candidates_[0]:
                    indicator.name, indicator.name_start, indicator.name_end = best.name, best.start, best.end
            previous = indicator
