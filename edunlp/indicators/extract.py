"""Find the measured facts (indicators) in bulletin text and name what each one measures.

Rules over characters, deterministic. The text is folded (`edunlp.reading.normalize.fold`: full-width →
ASCII, traditional → simplified, one character for one character) and these steps run on the
fold, so every offset also indexes the original text:

1. Mask what only looks like a count: dates and periods (2021年, 8月18—20日, 截至8月底), ordinals
   (第二届), document numbers (〔2021〕35号), quoted names and titles (“2021全球智慧教育大会”,
   《…2.0…》), phone numbers, e-mail addresses, times.
2. Keep the quantity candidates (`QUANTITY_RE`) that are reportable: outside masks, with a unit,
   a multiplier or a percent sign (or a bare integer after 为/达), not glued to Latin letters
   (IPv6, 5G), not a lone Chinese digit (一批, 三科).
3. Split sentences into clauses at commas, 、, semicolons (never inside brackets or quotes) and
   name each quantity in its clause by its shape:
   - share: "98%的学校实现X" → 实现X的学校比例; "其中12%为首次上线课程" → 首次上线课程比例;
   - respectively: "教师、学生空间分别新增3万个、5万个" → 教师 (3万个), 学生空间 (5万个);
   - copula: "X的比例为99.96%", "数量达到431万间" → the subject before 为/达到;
   - count before its noun: "1919家企业", "23个县" → the noun after the measure word;
   - count after its noun: "安全威胁933个", "其中漏洞716个" → the words before the number,
     from the last predicate verb (通报, 开通 …) or marker (其中, 共, 等) on.
4. Trim each name by its pkuseg words and their parts of speech (`edunlp.segmentation.words.tagged_spans`,
   all the names of a call tagged in one batch):
   scope words, places and a leading preposition go from its start (全省|教育城域网覆盖率,
   安徽省|…), so do an attribute led by a preposition (针对教育行业的|勒索软件攻击) and a verb
   governing a noun phrase (确保|三级系统等保测评率); particles go from its end (占教师总数|的).
   A count's noun ends at its first verb (7所高校|合作), or after the first noun its measure word
   classifies (87所学校|数据标准统一), and only nouns before the count qualify it (能同时操控|80万个格点),
   not an institution (信阳师范大学|3门课程). A name starts after the words that open its clause:
   pronouns, conjunctions, time words, verbs of saying (学生指出|…年薪, 此前|…投资), 获, a place inside
   it. Only whole words go, and a name keeps at least one.
5. A name that is a bare verb of change (比去年增加) takes what the indicator before it measured.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..document import Bulletin, Entity, Indicator, Quantity
from ..reading.normalize import fold
from .quantities import (
    CHINESE_NUMERAL_CHARS,
    QUALIFIER_VERBS,
    QUANTITY_RE,
    UNIT_CANONICAL,
    UNITS,
    quantity_from_match,
    read_word_list,
)

PREDICATE_VERBS = sorted(read_word_list("indicator_verbs.txt"), key=len, reverse=True)

# Verbs of winning: what follows is their object, never a noun they describe (获得|金牌).
OBJECT_VERBS = ["获得", "荣获", "斩获", "夺得", "摘得", "获"]
# Words after which a name starts (dropped from the name) and words a name starts with (kept).
NAME_START_MARKERS = ["其中", "包括", "共有", "共计", "合计", "总计", "共", "等", "对"] + [f"{n}是" for n in "一二三四五六七八九十"]
# Words that merely contain a marker: 等级保护, 一等奖, 高等教育, 等保测评, 对口帮扶, 公共服务, 共享.
NOT_MARKERS = [
    "等级", "等同", "等待", "等于", "一等", "二等", "三等", "特等", "优等", "高等", "中等", "初等", "同等", "平等", "等保",
    "对口", "对接", "对象", "针对", "对于", "对比", "对外", "对标", "对应", "对话",
    "公共", "共享", "共同", "共建", "共青团", "共识", "共性", "共育",
]
# Verbs that work as prepositions, leading an attribute (针对|面向 …的 X).
ATTRIBUTE_PREPOSITIONS = ["针对", "面向", "对于", "关于", "围绕", "基于"]
# Measure words of events: what they count is an activity, often a verb phrase (1次结对送教活动).
EVENT_UNITS = {"次", "场", "期", "轮"}
# Conjunctions that may join two nouns into the noun of one count (国家和地区).
COORDINATORS = ["和", "与", "及"]
# A count right after one of these has no modifier: 平台与46个省级平台 → 省级平台.
PREPOSITIONS = ["面向", "与", "和", "及", "向", "给", "同", "跟", "对"]
NAME_KEPT_PREFIXES = ["新增", "累计", "新建"]
# Words stripped from the end of the words before a number; the copulas make the "X为Y" shape.
COPULAS = [
    "约为", "达到", "高达", "突破", "为", "达", "是", "占到", "增至", "降至", "增长至", "增长到", "增加到", "增加至", "提升至",
    "提升到", "提高到", "提高至", "升级至", "升级到", "扩容至", "扩容到", "扩展至", "上升至", "下降至",
    "减少至", "压减至",
]
TRAILING_FILLERS = ["共计", "合计", "总计", "共有", "累计", "分别", "已经", "全部", "共", "均", "已", "都", "了", "将", "要",
                    "保持", "保持在", "已有", "现有", "拥有", "有", "预计"]
LEADING_FILLERS = ["以及", "的", "了", "和", "及", "与", "并", "向", "将", "本月", "当月", "已有", "现有", "目前",
                   "我校", "该校", "本校", "该公司", "该项目", "当季", "全体", "首批", "该平台", "本平台", "平台"]
# Words that end the noun after a measure word ("23个县参与": the noun is 县). The one-character
# ones only end it after its first character (中小学, 在线课程 start with one).
NOUN_STOPS = PREDICATE_VERBS + ["以及", "予以", "进行", "纳入", "列入", "的", "和", "及", "与", "或", "等"]
NOUN_STOP_CHARS = "在已均共将被向对从为中"
# 1个国家级众创空间“天印梦工场”，: a quoted name closing the noun phrase names the one counted, not what
# is counted
QUOTED_LAST = re.compile(r'["“「][^"”」，,;；。]{1,20}["”」](?=$|[\s，,;；。、(（]|\d)')
# Words that hold a stop character (初中班级, 结对帮扶): the noun runs on through them.
NOT_NOUN_STOPS = ["初中", "高中", "中学", "中心", "中职", "中小", "结对", "集中", "配对", "绝对", "相对"]
# A verb followed by one of these is part of a noun: 接入带宽, 覆盖率, 完成数量.
NOUN_HEADS_AFTER_VERB = ["带宽", "比例", "情况", "人数", "人次", "次数", "数量", "率", "量", "数"]
# Names too vague alone: 数量达到431万间 takes the noun of the clause before (多媒体教室数量).
GENERIC_NAMES = ["数量", "总数", "总量", "人数", "规模", "数目"]
# Units that measure rather than count, so never stand before a noun (100M, 85%, 3天).
CURRENCIES = {"元", "美元", "加元", "欧元", "英镑", "日元", "港元"}
MEASURE_ONLY_UNITS = CURRENCIES | {"%", "‰", ":", "个百分点", "百分点", "", "学时", "课时", "小时", "分钟", "天", "个月", "倍", "分",
                                   "平方米", "平米", "公里"} | {
    unit for unit in UNITS if unit.isascii()
}
# Adverbs and modals that open the predicate of a share (98%的学校|已实现…, …|能够熟练运用…).
ADVERBS = ["尚未", "已经", "基本", "全部", "正在", "能够", "可以", "均", "已", "未", "都", "还"]
# Parts of speech (PKU tag set) trimmed from a name: places, adverbs and scope words at its
# start, particles at its end. Verbs stay: many names end in one (网络安全检查, 备案申请, 新闻报道).
SCOPE_WORDS = {"全国", "全省", "全市", "全区", "全县", "全州", "全盟", "全镇", "全乡", "全院", "各地", "本省", "本市",
               "全校", "我省", "我市", "我县", "该省", "该市", "该县", "各级各类", "各校", "各高校", "各学校", "各省",
               "各市", "各县", "各区", "各县市", "各地各校"}
# The population a rate or a bandwidth is measured over is its scope (中小学|互联网接入率,
# 学校|出口带宽); before a count it is what is counted and stays (中小学教师), and so it does
# before its campus (高校校园网IPv6支持率: the campus network is the population's own).
POPULATION_WORDS = {"中小学", "中小学校", "高校", "学校", "教师", "学生", "师生"}
PROPERTY_HEADS = ("率", "带宽")
# Common nouns of place: before a count they say where, not what (偏远山区|2700个教学点).
PLACE_NOUNS = {"山区", "周边", "城区", "农村", "乡村", "牧区", "库区", "边疆", "沿海", "当地", "本地", "辖区", "境内",
               "区域内", "省内", "市内", "县域"}
TRAILING_TAGS = {"u", "y"}
# Words that open a clause, not a name: what stands before them is the clause's frame (他|为…,
# 而且|分配比例, 学生指出|…年薪, 此前|恒大投资), so a name starts after the last of them.
CLAUSE_OPENERS = {"他", "她", "它", "他们", "她们", "我们", "这", "那", "其", "这些", "那些", "而且", "并且", "但", "但是", "而",
                  "因此", "所以", "如果", "虽然", "此前", "今后", "此后", "目前", "如今", "当前", "现在", "指出", "表示", "要求",
                  "认为", "称", "显示", "透露", "介绍", "等于是", "也就是"}
NOMINAL_TAGS = {"n", "vn", "nz", "nt", "j", "b", "an", "Ng", "l", "nx", "ns", "nr"}
# Words before a count that may qualify its noun (not places: 成都市|3所优质中学), and the words
# that end the noun after it (7所高校|合作, 46个教学点|全部开通).
MODIFIER_TAGS = (NOMINAL_TAGS | {"i"}) - {"ns", "nr"}  # i: the tagger's tag for many dictionary names (数字教材)
# The nouns a measure word classifies (所: schools, 名: people, 台: machines): a count's noun ends
# after the first of them when more nouns follow (87所学校|数据标准统一).
CLASSIFIED_HEADS = {"所": ("学", "校", "园", "院"), "名": ("师", "生", "员", "人", "者", "长"), "位": ("师", "生", "员", "人", "者", "长"),
                    "台": ("器", "机", "设备", "终端")}
# Ends of the names of institutions: before a count they say whose, not what (信阳师范大学|3门课程).
INSTITUTIONS = ("大学", "学院", "中学", "小学", "学校", "公司", "集团", "医院", "研究院", "研究所")
NOUN_END_TAGS = {"v", "vd", "d", "ad", "p", "c"}  # vd, ad: verbs and adjectives used as adverbs (持续, 积极)
# Time spans: after these verbs a quantity says how long something lasted (为期3天, 持续3个月).
DURATION_VERBS = ["为期", "历时", "用时", "持续", "长达", "连续"]
TIME_UNITS = {"天", "日", "周", "个月", "月", "年", "小时", "分钟", "工作日", "个工作日"}
# Before a time unit only (经过3轮评审 is a count): 历经7个月, 提前30分钟, 用了4个月 — how long, or how early.
TIME_SPAN_VERBS = ["历经", "经过", "提前", "用了"]
# 24小时值守, 7×24小时监测: round the clock, not a measured time.
ROUND_THE_CLOCK = re.compile(r"(?:\d+\s*[×x*]\s*)?24\s?小时")
# A count glued to the word before it (备案App1436个): a word of two or more Latin letters, then
# a whole number of two or more digits that is no year, then a Chinese measure word; so IPv6, 5G,
# CERNET2 and a version (V2.0版) stay names, and so does Win10台式机 (台 never stands before 式).
GLUED_WORD = re.compile(r"(?<![A-Za-z\d.\-_])[A-Za-z]{2,}$")
# A name that is a bare verb of change (增加, 较上年提高, 新增): it changed what the indicator
# before it in the sentence measured. 同比增长 alone names a figure of its own and stays.
CHANGE_NAME = re.compile(r"(?:(?:较|比)[^,;。]{0,5}?)?(?P<verb>增长|增加|提高|提升|上升|下降|减少|降低|新增)了?")
# Words between two quantities of a sentence that make the second restate or continue the first,
# so it measures the same (80%以上，也即是|600分以上; 由4100个|压减至|2650个, 从4.3万人，|攀升至|14.1万人).
RESTATING = re.compile(r"(?:以上|以下|左右)?[,、]?(?:也即是|也就是|也即|亦即|即是|即)")
CONTINUING = re.compile(r"[,]?[^,;。!?\d]{0,6}?[至到]了?")
SCOPE_PARENTHESIS = re.compile(r"\((?:含|不含|包括|包含|不包括)[^()]*\)")

OPENING, CLOSING = "(《“‘[【〔", ")》”’]】〕"
CLAUSE_BREAKS = set(",;。!?、:|")
SENTENCE_BREAKS = set("。!?;")
HEADING_PUNCTUATION = CLAUSE_BREAKS | SENTENCE_BREAKS
DOCUMENT_KIND = re.compile(r"(?:通知|方案|意见|办法|规定|要点|报告|计划|纲要|公告|通报|决定|细则|指南|总结|简报|批复|函)[”》)]?$")
MAX_NAME = 40

_YEAR = r"(?:19|20)\d{2}"
_CN_YEAR = "[〇零一二三四五六七八九]{4}"
_DAY_RANGE = r"\d{1,2}(?:日)?(?:[-—–~至](?:\d{1,2}月)?\d{1,2})?日"
PERIOD_RE = re.compile(
    r"(?:截至|截止到|截止)(?:目前|[^,;。!?:]{1,14}(?:年底|年末|月底|月末|季度末|季度|上半年|下半年|日|月|年))"
    rf"|(?:{_YEAR}年)?(?:第[一二三四1-4]季度|上半年|下半年|前三季度|全年)"
    r"|本月|当月|今年以来|本年度|今年|去年"
    rf"|(?:{_YEAR}年)?(?:春季|秋季)学期"
    rf"|(?:{_YEAR}年)?\d{{1,2}}(?:[-—–~至]\d{{1,2}})?月(?:份)?(?:以来)?(?=,)"
)
MASK_RE = re.compile(
    "|".join(
        [
            PERIOD_RE.pattern,
            rf"{_YEAR}(?:[-—–~至](?:{_YEAR}|\d{{2}}))?年(?:度|底|初|末)?|{_YEAR}届",
            rf"{_CN_YEAR}年",
            rf"\d{{1,2}}(?:[-—–~至]\d{{1,2}})?月(?:{_DAY_RANGE}|份|底|初|末|上旬|中旬|下旬)?",
            rf"{_DAY_RANGE}",
            r"[\d一二三四五六七八九十两]+(?:个)?(?:年|月|周|天|小时)(?:以内|之内|内|来|以来)",
            r"[\d一二三四五六七八九十两]+(?:个)?(?:多|半)?(?:年|月|周|天|小时|分钟|工作日)(?:之后|以后|后|之前|以前|前)",
            # 3天后, 10天前: when, not how much (but 排队时间缩短到10分钟以内 is a measured bound)
            r"\d+个[多半]月",  # 8个多月: a duration (个 is no count here)
            r"\d+(?:[-—–~至]\d+)?年级",
            r"(?<![比为达])\d{1,2}:\d{2}(?![\d.])",  # 9:00, but not 生师比1:18
            r"第 ?[\d零〇一二两三四五六七八九十百千]+(?:[、,和及至到\-—–~][\d零〇一二两三四五六七八九十百千]+)* ?"
            r"(?:批|届|期|次|轮|名|位|个|家|项|条)?",  # also 第5、6条, 第3—5名
            r"[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*(?:第?\d+号)?",
            r"\d+号",
            r"\d+(?:个)?小?时\d+分(?:钟)?|\d+分(?:钟)?\d+秒",  # 5小时59分, 3分20秒: a time, in parts
            r"\d{3,4}-\d{7,8}|400-\d{3}-\d{4}|(?<!\d)1[3-9]\d{9}(?!\d)",
            r"[\w.\-]+@[\w.\-]+|https?://\S+|www\.\S+",
            r"[A-Za-z]+-\d+",
            r"“[^”,;。!?]{1,30}”|‘[^’,;。!?]{1,30}’|《[^》]{1,60}》",  # a name or a title; not quoted words in clauses
        ]
    )
)

# "X由去年的A压减至B": 由 and the date of the first figure stand between the name and it.
FROM_DATE = re.compile(rf"(?:由|从)\s*(?:{_YEAR}年(?:度|底|初|末)?|{PERIOD_RE.pattern})\s*的?$")
TO_FOLLOWS = re.compile(r"[^。!?;]{0,30}?[至到]")  # the 至 of a 从…至: in the clause or the next (，攀升至)
# "X达到A或N": A is another threshold of X, the name is X (总分达到B等级或80%以上).
ALTERNATIVE = re.compile(rf"(?P<copula>{'|'.join(sorted(COPULAS, key=len, reverse=True))})[^,;。!?、\d]{{1,8}}或$")


@dataclass
class Found:
    """A reportable quantity in the folded text, with what the naming step learned about it."""

    start: int
    end: int
    quantity: Quantity
    name: str = ""
    name_start: int | None = None
    name_end: int | None = None
    consumed_end: int = 0  # end of the quantity plus the noun it was read with
    modifier: tuple[int, int] | None = None  # words before a count that qualify its noun (数字教材 in 数字教材54个新编资源)
    counted: bool = False  # named by the noun after its measure word (23个县), `modifier` before it
    embedded: bool = False  # inside another indicator's name (100M in 带宽达到100M以上的学校比例)
    from_to: bool = False  # named before 由 in "X由A至B": B takes the same name


def _masked(folded: str) -> list[bool]:
    mask = [False] * len(folded)
    for match in MASK_RE.finditer(folded):
        for i in range(match.start(), match.end()):
            mask[i] = True
    return mask


def _is_reportable(folded: str, match: re.Match, quantity: Quantity, mask: list[bool]) -> bool:
    start, end = match.span()
    number_start = match.end("prefix") if match["prefix"] else start
    if any(mask[start:end]):
        return False
    before = folded[number_start - 1] if number_start > 0 else ""
    after = folded[end:end + 2]
    measure_word = not quantity.unit.isascii()  # 个, 家, 元/年: a Chinese unit ends the number, whatever follows
    if re.match(r"[.@/\d]", before) or (re.match("[A-Za-z]", before) and not _glued_count(folded, match, measure_word)):
        return False  # IPv6, MP4, v2.1.3; but 备案App1436个
    if (re.match(r"/[A-Za-z\d]|[A-Za-z]+\d", folded[end:end + 8]) if measure_word
            else re.match(r"[A-Za-z/\d]|\.\d", after)):
        return False  # 3D, 1/3, 100Mbps/s, 1个IPv6实验台 (the noun would end at its digit); but 50多家ERP厂商, 12000元/年
    if measure_word and after[:1].isdigit():
        following = QUANTITY_RE.match(folded, end)
        unit = UNIT_CANONICAL.get(following["unit"], following["unit"]) if following else None
        if not unit or unit == quantity.unit or unit in MEASURE_ONLY_UNITS:
            return False  # 1对1, 1万元以上10万元以下 (the bound after), 22个0分 (a score); but 4大类9小类, a count of counts
    if not quantity.unit and after[:1] and after[0] in "年月日号时届级版":
        return False  # 2021年, 35号, 2024届 (but 12个年级 is a count)
    lead = folded[max(0, start - 3):start].rstrip()  # the words before, across a space (为期 3 天)
    if _ends_with_any(lead, DURATION_VERBS):
        return False  # 为期3天的演练: how long an event lasted, not a measured fact
    if quantity.unit in TIME_UNITS and (_ends_with_any(lead, TIME_SPAN_VERBS)
                                        or ROUND_THE_CLOCK.fullmatch(folded, start, end)):
        return False
    if re.match(r"(?:个)?(?:工作日|小时|天|日|周|个月|月|年)?(?:以内|之内|内|来|以来)", folded[end:end + 6]) and (
        quantity.unit in TIME_UNITS or re.match("(?:个)?(?:工作日|小时|天|日|周|个?月|年)", folded[end:end + 4])
    ):
        return False  # 3个月内, 20个工作日内, 5年来: a deadline or a span of time
    first = match["first"]
    if first is not None and "\n" in first and (not (quantity.unit or quantity.multiplier) or before in ("\n", "")):
        return False  # digits split by a line wrap (187⏎0个) need a unit, and a line of their own is a table cell
    if first is not None:
        digits = first.replace(",", "").replace("\n", "")
        if re.match(r"0\d", digits):
            return False
        if quantity.unit == "G" and re.fullmatch(r"[2-6]", digits):
            return False  # 5G, 4G: network generations, not bandwidth
        if digits[0] not in "0123456789":
            if len(digits) == 1 and digits in "零〇一二两三四五六七八九":
                return False  # 一批, 三科, 两方面
            if digits[0] in "万亿":
                return False
            if digits in ("百", "千", "万") and not (match["more"] or match["prefix"]):
                return False  # 百区千校万课
            if re.fullmatch("[零〇一二两三四五六七八九]{2,}", digits):
                return False  # 二〇二一: a year or a code
    if quantity.unit or quantity.multiplier:
        return True
    if first is None or re.fullmatch(_YEAR, first):
        return False
    ends_clause = not after or after[0] in CLAUSE_BREAKS | set(CLOSING)
    if match["suffix"] in ("以上", "以下") and ends_clause and not re.search(r"[A-Za-z]\s*$", folded[:number_start]):
        return True  # (要求6.5以上): a bare score or level with its bound, not a version (Android 4.4以上)
    return "." not in first and _ends_with_any(folded[max(0, number_start - 3):number_start], COPULAS) is not None and (
        not after or after in CLAUSE_BREAKS
    )


def _glued_count(folded: str, match: re.Match, measure_word: bool) -> bool:
    """备案App1436个: see GLUED_WORD."""
    number = match["first"] or ""
    return (measure_word and not match["prefix"] and GLUED_WORD.search(folded, 0, match.start()) is not None
            and re.fullmatch(r"[1-9]\d+", number) is not None and re.fullmatch(_YEAR, number) is None)


def find_quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """Every reportable quantity in `text` as (start, end, Quantity), offsets into `text`."""
    folded = fold(text)
    return [(f.start, f.end, f.quantity) for f in _find(text, folded, _masked(folded))]


def _find(text: str, folded: str, mask: list[bool]) -> list[Found]:
    found = []
    for match in QUANTITY_RE.finditer(folded):
        quantity = quantity_from_match(match, text[match.start():match.end()])
        if quantity is not None and _is_reportable(folded, match, quantity, mask):
            verb = _ends_with_any(folded[max(0, match.start() - 4):match.start()], list(QUALIFIER_VERBS))
            if verb and not quantity.qualifier:
                quantity.qualifier = QUALIFIER_VERBS[verb]
            found.append(Found(match.start(), match.end(), quantity, consumed_end=match.end()))
    return found


def _heading_ends(folded: str) -> set[int]:
    """The line breaks that end a title (a line without punctuation that ends in the kind of a
    document: 关于…的通知, …实施方案); other line breaks are wraps inside a sentence (建成智慧|教室)."""
    ends, line_start = set(), 0
    for match in re.finditer("\n", folded):
        line = folded[line_start:match.start()].strip()
        if line and not any(char in HEADING_PUNCTUATION for char in line) and DOCUMENT_KIND.search(line):
            ends.add(match.start())
        line_start = match.end()
    return ends


def _split(folded: str, start: int, end: int, breaks: set[str], keep: list[Found],
           break_at: set[int] = frozenset()) -> list[tuple[int, int]]:
    """Cut [start, end) at break characters (and the positions `break_at`) outside brackets,
    quotes and quantities."""
    inside = {i for f in keep for i in range(f.start, f.end)}
    depth, pieces, piece_start = 0, [], start
    for i in range(start, end):
        char = folded[i]
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(0, depth - 1)
        elif (char in breaks or i in break_at) and depth == 0 and i not in inside:
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    return [(s, e) for s, e in pieces if e > s]


def _ends_with_any(text: str, words: list[str]) -> str | None:
    return next((word for word in sorted(words, key=len, reverse=True) if text.endswith(word)), None)


def _starts_with_any(text: str, words: list[str], start: int = 0, end: int | None = None) -> str | None:
    """The longest of `words` that text[start:end] starts with (without copying the text)."""
    match = _alternation(tuple(words)).match(text, start, len(text) if end is None else end)
    return match[0] if match else None


def _first_of_any(text: str, words: list[str], start: int, end: int) -> int | None:
    """Where the first of `words` in text[start:end] begins, or None."""
    match = _alternation(tuple(words)).search(text, start, end)
    return match.start() if match else None


@functools.lru_cache(maxsize=None)
def _alternation(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


def _strip(folded: str, start: int, end: int) -> tuple[int, int]:
    while start < end and folded[start].isspace():
        start += 1
    while end > start and folded[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class LeftWords:
    """What the words before a number say: the name span and how it ended."""

    start: int
    end: int
    copula: str  # the copula before the number ("…为/达到 N": the name is the subject), or ""
    stripped: bool  # fillers (共, 累计, 为 …) stood between the name and the number
    from_to: bool  # "X由 A 至 B": the name stops before 由


def _left_name(folded: str, start: int, end: int) -> LeftWords:
    """The name in the words before a number, from the last cut point on."""
    start, end = _strip(folded, start, end)
    copula, stripped, from_to = "", False, False
    dated = FROM_DATE.search(folded, start, end)
    if dated:  # 网站数量由去年的|4100个, 从2018年的|1.17亿: the date would cut the name off
        end, from_to = dated.start(), True
    while True:
        word = _ends_with_any(folded[start:end], COPULAS)
        if word:
            copula = copula or word
        else:
            word = _ends_with_any(folded[start:end], TRAILING_FILLERS)
        if not word:
            break
        end -= len(word)
        stripped = True
        start, end = _strip(folded, start, end)
    alternative = ALTERNATIVE.search(folded, start, end)
    if alternative:  # 总分达到|B等级或|80%以上: the subject measures the number too
        end, copula = alternative.start(), alternative["copula"]
        start, end = _strip(folded, start, end)
    cut = _last_mask_end(folded, start, end, start)
    for match in SCOPE_PARENTHESIS.finditer(folded, start, end):
        cut = max(cut, match.end())
    for word in NAME_START_MARKERS:
        position = folded.rfind(word, cut, end)
        while position >= 0 and _inside_word(folded, position, len(word)):
            position = folded.rfind(word, cut, position)
        if position >= 0:
            cut = max(cut, position + len(word))
    cut = max(cut, _after_last_predicate(folded, cut, end))
    for word in NAME_KEPT_PREFIXES:
        position = folded.rfind(word, start, end)
        if position >= cut:
            cut = position
            break
    start = _strip_leading(folded, cut, end)
    for word in ("由", "从"):
        position = folded.find(word, start, end)
        if position > start:
            end, from_to = position, True
            break
    return LeftWords(start, _strip(folded, start, end)[1], copula, stripped, from_to)


def _inside_word(folded: str, position: int, length: int) -> bool:
    """Whether the marker at `position` is part of a longer word in NOT_MARKERS."""
    return _inside_any(folded, position, NOT_MARKERS, length)


def _inside_any(folded: str, position: int, words: list[str], length: int = 1) -> bool:
    """Whether the `length` characters at `position` lie inside one of `words` in `folded`."""
    return any(
        folded.startswith(word, position - offset)
        for word in words for offset in range(max(0, len(word) - length + 1)) if position - offset >= 0
    )


def _after_last_predicate(folded: str, start: int, end: int) -> int:
    """Where a name starts after its last predicate verb (发现并通报|安全威胁), or `start`.
    A verb does not cut inside a relative clause (带宽达到100M以上的学校比例), a compound
    noun (接入带宽, 覆盖率), right before the number (预警通报36期: there it is a noun) or
    before a bare noun of two characters, which says little without it (参与教师, 发布作业),
    unless the verb only ever takes an object (获得|金牌)."""
    blank_from = start + len(folded[start:end].rstrip())  # nothing but spaces after this
    for i in range(end - 1, start - 1, -1):
        verb = _starts_with_any(folded, PREDICATE_VERBS, i, end)
        if verb is None:
            continue
        after = i + len(verb)
        if verb not in OBJECT_VERBS and (len(folded[after:min(blank_from, after + 8)].strip()) <= 2
                or _starts_with_any(folded, NOUN_HEADS_AFTER_VERB, after, end)):
            continue
        if "的" in folded[after:end]:
            return start  # and so it is after every verb before this one
        return after
    return start


def _last_mask_end(folded: str, start: int, end: int, cut: int) -> int:
    """After a date or period inside the words (2021年全省…) the name starts afresh; quoted
    names and titles stay part of it."""
    for match in MASK_RE.finditer(folded, start, end):
        if match[0][0] not in "“‘《":
            cut = max(cut, match.end())
    return cut


def _strip_leading(folded: str, start: int, end: int) -> int:
    while start < end:
        word = _starts_with_any(folded, LEADING_FILLERS, start, end)
        if not word:
            break
        start += len(word)
    return _strip(folded, start, end)[0]


def _noun_after(folded: str, start: int, end: int) -> tuple[int, int]:
    """The noun right after a measure word, up to a stop word, a digit or a clause end (through a
    conjunction before a word)."""
    i = start
    depth = 0
    while i < end and i - start < MAX_NAME:
        char = folded[i]
        if char in "(":
            depth += 1
        elif char in ")" and depth:
            depth -= 1
        elif depth == 0:
            if char.isdigit() or char.isspace() or char in CLAUSE_BREAKS:
                break
            if i > start and char in COORDINATORS and i + 1 < end and not (
                    folded[i + 1].isdigit() or folded[i + 1].isspace() or folded[i + 1] in CLAUSE_BREAKS):
                i += 1  # 国家和地区: the tagger decides whether the second noun belongs (_noun_end)
                continue
            if _starts_with_any(folded, NOUN_STOPS, i, end) or (
                i > start and char in NOUN_STOP_CHARS and not _inside_any(folded, i, NOT_NOUN_STOPS)
            ) or (i > start and QUOTED_LAST.match(folded, i, end)):
                break
        i += 1
    match = SCOPE_PARENTHESIS.search(folded, start, i)
    if match and match.end() == i:
        i = match.start()
    return start, i


def _name_clause(
    text: str, folded: str, start: int, end: int, found: list[Found], clause_before: tuple[int, int] | None
) -> None:
    """Name each quantity of one clause (see the module docstring for the shapes)."""
    boundary = start
    previous: Found | None = None
    for index, item in enumerate(found):
        right_end = found[index + 1].start if index + 1 < len(found) else end
        after = folded[item.end] if item.end < end else ""
        left = _left_name(folded, boundary, item.start)
        if item.quantity.unit == "%" and (after == "的" or (after in ("为", "是") and left.end == left.start)):
            _name_share(text, folded, item, item.end + 1, end, invert=after == "的")
            for other in found[index + 1:]:
                other.embedded = True
            break
        connector = folded[boundary:item.start].strip()
        noun_start, noun_end = _noun_after(folded, item.end, right_end)
        if item.quantity.unit in MEASURE_ONLY_UNITS and not (item.quantity.multiplier and not item.quantity.unit) and not (
                item.quantity.unit.isascii() and folded[noun_start:noun_end].endswith("带宽")):
            noun_end = noun_start  # but a bare 万/亿 count stands before its noun (招募5万员工), so does a bandwidth (200M专线带宽)
        if left.from_to and not TO_FOLLOWS.match(folded, item.end):
            left.from_to = False  # 从4个方面推动: no 至 follows, so 从 is a plain preposition
        if previous is not None and previous.from_to and connector[-1:] in ("至", "到"):
            _copy_name(item, previous)
        elif left.copula and left.end > left.start and not (left.copula == "为" and noun_end > noun_start):
            prefix = ""
            if folded[left.start:left.end] in GENERIC_NAMES and clause_before:
                object_start = _after_last_predicate(folded, *clause_before)
                prefix = text[slice(*_strip(folded, object_start, clause_before[1]))]
            _set_name(item, text, left.start, left.end, prefix=prefix)
            for before in range(index - 1, -1, -1):  # back to the start of the name, no further
                other = found[before]
                if other.start < left.start:
                    break
                if other.end <= left.end:
                    other.embedded = True
        elif noun_end > noun_start and not left.from_to:
            modifier: tuple[int, int] | None = (left.start, left.end) if left.end > left.start else None
            if left.stripped or _ends_with_any(folded[left.start:left.end], PREDICATE_VERBS + PREPOSITIONS):
                modifier = None  # 共23个县, 编发1期专刊, 与46个平台: the words before modify nothing
            if not modifier and previous is not None and connector in ("和", "及", "与", "以及"):
                modifier = previous.modifier
            item.modifier, item.counted = modifier, True
            _set_name(item, text, noun_start, noun_end, prefix=text[slice(*modifier)] if modifier else "")
            item.consumed_end = noun_end
        else:
            _set_name(item, text, left.start, left.end)
            item.from_to = left.from_to
        if not (after == "的" and item.quantity.unit != "%"):
            boundary = item.consumed_end  # a modifier quantity (100M以上的…) stays in the next name
        previous = item


def _name_respectively(text: str, folded: str, part: tuple[int, int], found: list[Found]) -> None:
    """"A、B和C分别新增N1、N2和N3": name each number after the item of the list in its place."""
    position = folded.find("分别", *part)
    after = [f for f in found if f.start > position]
    if position < 0 or len(after) < 2:
        return
    list_start = _left_name(folded, part[0], position).start
    items, item_start = [], list_start
    for match in re.finditer(r"以及|、|和|及|与", folded[list_start:position]):
        items.append((item_start, list_start + match.start()))
        item_start = list_start + match.end()
    items.append((item_start, position))
    if len(items) != len(after):
        return
    for (start, end), item in zip(items, after):
        _set_name(item, text, *_strip(folded, start, end))


def _name_share(text: str, folded: str, item: Found, start: int, end: int, invert: bool) -> None:
    """98.93%的中小学拥有多媒体教室 → 拥有多媒体教室的中小学比例 (`invert`; adverbs before the
    verb such as 尚未, 已 go with it, 了 after it is dropped); 12%为首次上线课程 → 首次上线课程比例."""
    start, end = _strip(folded, start, end)
    split = _first_of_any(folded, PREDICATE_VERBS + ADVERBS, start + 1, end) if invert else None
    if split is None:
        _set_name(item, text, start, end, suffix="比例")
        return
    verb = _first_of_any(folded, PREDICATE_VERBS, split, end)
    after_verb = verb + len(_starts_with_any(folded, PREDICATE_VERBS, verb, end)) if verb is not None else end
    if folded[after_verb:after_verb + 1] == "了":
        predicate = text[split:after_verb] + text[after_verb + 1:end]
    else:
        predicate = text[split:end]
    item.name = f"{predicate}的{text[start:split]}比例"
    item.name_start, item.name_end = start, end
    item.consumed_end = end


def _copy_name(item: Found, source: Found) -> None:
    item.name, item.name_start, item.name_end = source.name, source.name_start, source.name_end


def _set_name(item: Found, text: str, start: int, end: int, prefix: str = "", suffix: str = "") -> None:
    if end <= start:
        return
    item.name = prefix + text[start:end] + suffix
    item.name_start, item.name_end = start, end


def _trim_by_words(item: Found, text: str, words: list[tuple[int, int, str]]) -> None:
    """Drop scope words and places from the start and particles from the end of a name taken
    verbatim from the text (SCOPE_WORDS, TRAILING_TAGS); `words` are its
    (start, end, tag) with offsets into `text`."""
    start, end = item.name_start, item.name_end
    inside = [w for w in words if start <= w[0] and w[1] <= end]
    if len(inside) < 2:
        return
    trimmed = False
    opener = max((i for i, w in enumerate(inside[:-1]) if (fold(text[w[0]:w[1]]) in CLAUSE_OPENERS
                  and inside[i + 1][2] != "m")  # 这一比例: a reference, kept
                  or fold(text[w[0]:w[1]]) in OBJECT_VERBS  # …活动中获|一等奖
                  or (w[2] == "ns" and 0 < i and inside[i - 1][2] in NOMINAL_TAGS  # …系统河南|在籍学生
                      and not all(c in CHINESE_NUMERAL_CHARS + "兆" for c in text[w[0]:w[1]]))), default=None)  # 千兆/ns
    if opener is not None:
        inside = inside[opener + 1:]
        start = inside[0][0]
    # 现行的|保送生比例, 开设的|在线开放课程: one attribute word and its 的 before a noun phrase
    # say which, not what; 斯坦福毕业生的平均薪酬 → 毕业生平均薪酬: between nouns 的 goes, and the
    # names of people and places before it.
    if len(inside) > 2 and text[inside[1][0]:inside[1][1]] == "的" and inside[0][2] in ("b", "a", "v") and (
            inside[2][2] in NOMINAL_TAGS | {"a"}):
        inside = inside[2:]
        start = inside[0][0]
    # 针对教育行业的|勒索软件攻击, 面向乡村学校的|专递课堂案例: an attribute led by a preposition
    # goes, and the verbs before it (监测到|针对…); one with a verb of its own, or ending in an
    # adjective (在平台激活的), is a clause and stays.
    particle = next((i for i, w in enumerate(inside[:-1]) if text[w[0]:w[1]] == "的"), None)
    if particle is not None:
        lead = next((i for i, w in enumerate(inside[:particle])
                     if w[2] == "p" or fold(text[w[0]:w[1]]) in ATTRIBUTE_PREPOSITIONS), None)
        if lead is not None and all(w[2] in ("v", "vd", "d", "ad") for w in inside[:lead]) and not any(
                w[2] == "v" for w in inside[lead + 1:particle]) and inside[particle - 1][2] != "a":
            inside = inside[particle + 1:]
            start = inside[0][0]
    # a one-character adverb (…的才, …都) too: longer ones are often nouns the tagger misreads (互动)
    while len(inside) > 1 and (inside[-1][2] in TRAILING_TAGS
                               or (inside[-1][2] == "d" and inside[-1][1] - inside[-1][0] == 1)):
        inside.pop()
        trimmed = True
    while len(inside) > 1 and (
        inside[0][2] == "ns" or (inside[0][2] == "p" and inside[1][2] in NOMINAL_TAGS - {"Ng"})  # not 对|接, 在|籍
        or fold(text[inside[0][0]:inside[0][1]]) in SCOPE_WORDS
    ) and any(tag in NOMINAL_TAGS for _, _, tag in inside[1:]):
        inside.pop(0)
        start = inside[0][0]
    # 累计|培训教师, 累计|投入资金: before a verb phrase 累计 is an adverb saying the figure is a
    # running total, not what is measured; before one word (累计访客, 累计访问量) it stays.
    if len(inside) > 2 and fold(text[inside[0][0]:inside[0][1]]) == "累计" and inside[1][2] == "v":
        inside.pop(0)
        start = inside[0][0]
    # 确保|三级系统等保测评率, 培养|省级信息化教学培训团队成员: a verb before a noun phrase of
    # several words governs the clause, not the name. Not so before one noun (参与教师), a list
    # (连接高校和科研单位), a count of what was done (发起活动数量) or in 新增, 占.
    if (len(inside) > 2 and inside[0][2] == "v" and inside[1][2] in NOMINAL_TAGS | {"m"}
            and fold(text[inside[0][0]:inside[0][1]]) not in NAME_KEPT_PREFIXES + ["占"]
            and not any(text[w[0]:w[1]] == "的" or w[2] == "c" for w in inside)
            and not _ends_with_any(fold(text[start:end]), GENERIC_NAMES + ["人次", "次数"])):
        inside.pop(0)
        start = inside[0][0]
    # 中小学|互联网接入率 (see POPULATION_WORDS)
    if (len(inside) > 2 and fold(text[inside[0][0]:inside[0][1]]) in POPULATION_WORDS and inside[1][2] != "c"
            and not fold(text[inside[1][0]:inside[1][1]]).startswith("校园")
            and fold(text[start:end]).endswith(PROPERTY_HEADS)):
        inside.pop(0)
        start = inside[0][0]
    if trimmed:
        end = inside[-1][1]
    if (start, end) != (item.name_start, item.name_end):
        _set_name(item, text, start, end)


def _periods(text: str, folded: str, sentence: tuple[int, int]) -> tuple[list[int], list[str]]:
    """The ends and texts of the periods stated in a sentence (截至8月底, 2021年第二季度)."""
    found = [(match.end(), text[match.start():match.end()]) for match in PERIOD_RE.finditer(folded, *sentence)]
    return [end for end, _ in found], [said for _, said in found]


def _period_before(periods: tuple[list[int], list[str]], position: int) -> str | None:
    """The last of `_periods` that ends by `position`."""
    ends, texts = periods
    index = bisect_right(ends, position)
    return texts[index - 1] if index else None


def _within(found: list[Found], starts: list[int], start: int, end: int) -> list[Found]:
    """The items of `found` (sorted, `starts` their starts) that start in [start, end)."""
    return found[bisect_left(starts, start):bisect_left(starts, end)]


@dataclass
class Reading:
    """One text read up to its named quantities, before names are trimmed."""

    text: str
    folded: str
    found: list[Found]
    sentences: list[tuple[int, int]]
    mask: list[bool]


def _name_quantities(text: str) -> Reading:
    """Find the reportable quantities of `text` and name each by its shape (steps 1-3)."""
    folded = fold(text)
    mask = _masked(folded)
    found = _find(text, folded, mask)
    sentences = _split(folded, 0, len(folded), SENTENCE_BREAKS, found, _heading_ends(folded))
    starts = [f.start for f in found]
    for sentence in sentences:
        in_sentence = _within(found, starts, *sentence)
        for part in _split(folded, sentence[0], sentence[1], CLAUSE_BREAKS - {"、"}, in_sentence):
            _name_respectively(text, folded, part, _within(found, starts, *part))
        clause_before = None
        for clause in _split(folded, sentence[0], sentence[1], CLAUSE_BREAKS, in_sentence):
            in_clause = [f for f in _within(found, starts, *clause) if not f.name]
            _name_clause(text, folded, clause[0], clause[1], in_clause, clause_before)
            clause_before = clause
    return Reading(text, folded, found, sentences, mask)


def _noun_end(text: str, noun: list[tuple[int, int, str]], end: int, event: bool = False) -> int:
    """Where a count's noun ends: before its first verb, adverb, preposition or conjunction, but
    a conjunction joining a short noun (one or two nominal words) makes one noun of both
    (200多个国家和地区, 50余家中央和地方媒体|深入); words in brackets end nothing. A count of
    `event`s names an activity, verbs and all, up to its last nominal word (1次城乡学校结对送教活动)."""
    if event:
        stop = next((i for i, w in enumerate(noun[1:], 1) if w[2] in NOUN_END_TAGS - {"v"}), len(noun))
        last = max((i for i in range(stop) if noun[i][2] in NOMINAL_TAGS), default=None)
        if last is not None and any(w[2] == "v" for w in noun[:last]):
            return noun[last][1] if last + 1 < len(noun) else end
    depth = 0
    for index, word in enumerate(noun):
        said = fold(text[word[0]:word[1]])
        depth = max(0, depth + (said == "(") - (said == ")"))
        if not index or depth or said == ")":
            continue  # 3个省高校重点（建设）实验室: a bracket's words end nothing
        if word[2] == "c" and said in COORDINATORS:
            run = index + 1
            while run < len(noun) and noun[run][2] in NOMINAL_TAGS:
                run += 1
            if 1 <= run - index - 1 <= 2:
                return noun[run][0] if run < len(noun) else end
        if word[2] in NOUN_END_TAGS and fold(text[word[0]:word[1]]) not in NOUN_HEADS_AFTER_VERB:  # 专线带宽/v
            return word[0]
    return end


def _trim_counted(item: Found, text: str, noun: list[tuple[int, int, str]], modifier: list[tuple[int, int, str]]) -> None:
    """A count's noun ends before its first verb, adverb, preposition or conjunction (7所高校|合作,
    1万名农民|出村进厂), or after the first noun its measure word classifies, when more nouns follow
    as the subject of a predicate (87所学校|数据标准统一, 7台服务器|数据被加密); of the words
    before the count only the nouns right before it qualify that noun (能同时操控|80万个格点,
    全县|46个教学点, 成都市|3所优质中学: none do), and not the name of an institution
    (信阳师范大学|3门课程: whose, not what)."""
    end = _noun_end(text, noun, item.name_end, item.quantity.unit in EVENT_UNITS)
    heads = CLASSIFIED_HEADS.get(item.quantity.unit)
    if heads:
        inside = [w for w in noun if w[1] <= end]
        head = next((i for i, w in enumerate(inside) if w[2] in NOMINAL_TAGS and fold(text[w[0]:w[1]]).endswith(heads)), None)
        if head is not None and head + 1 < len(inside) and not any(w[2] == "c" for w in inside[head + 1:]):
            end = inside[head][1]
    kept: list[tuple[int, int, str]] = []
    for word in reversed(modifier):
        if word[2] not in MODIFIER_TAGS or fold(text[word[0]:word[1]]) in SCOPE_WORDS | PLACE_NOUNS:
            break
        kept.insert(0, word)
    if kept and fold(text[kept[0][0]:kept[-1][1]]).endswith(INSTITUTIONS) and len(kept) < len(modifier):
        kept = []
    item.modifier = (kept[0][0], kept[-1][1]) if kept else None
    _set_name(item, text, item.name_start, end, prefix=text[slice(*item.modifier)] if item.modifier else "")


def _trim_names(readings: list[Reading]) -> None:
    """Step 4 for every name read from its text (verbatim, or a count's modifier and noun), all
    spans tagged in one batch."""
    items = [
        (reading, item) for reading in readings for item in reading.found
        if item.name and (item.counted or (
            item.name_end - item.name_start > 1 and item.name == reading.text[item.name_start:item.name_end]))
    ]
    if not items:
        return
    from ..segmentation.words import tagged_spans_in_context  # spaCy loads on first use, not on `import edunlp`

    spans = [(item.name_start, item.name_end) for _, item in items]
    spans += [item.modifier or (0, 0) for _, item in items]
    # a count's noun and modifier are cut with the count beside them: alone, 国家级众创空间 after
    # 1个 reads 国家|级众|创|空间; with it, 国家级|众创|空间
    words = tagged_spans_in_context([
        (reading.text, (min(span[0], item.start), max(span[1], item.end)) if item.counted and span[1] > span[0] else span,
         span) for (reading, item), span in zip(items * 2, spans)])
    for (reading, item), name_words, modifier_words in zip(items, words, words[len(items):]):
        text = reading.text
        if item.counted:
            _trim_counted(item, text, name_words, modifier_words)
        else:
            _trim_by_words(item, text, name_words)


def _tidy_name(item: Found, text: str) -> None:
    """Last touches on any name, verbatim or composed: scope words and fillers off its start
    (全校|普通教室, 现有|乡村小规模学校), fillers and dots off its end (学校出口带宽|将), a dangling
    占 made 占比, and a name of one function word dropped. Offsets follow what is cut."""
    name, start, end = item.name, item.name_start, item.name_end
    verbatim = start is not None and text[start:end] == name
    while True:
        word = next((w for w in sorted(SCOPE_WORDS | set(LEADING_FILLERS), key=len, reverse=True)
                     if fold(name).startswith(w) and len(name) > len(w) + 1), None)
        if word is None:
            break
        name = name[len(word):]
        if start is not None and fold(text[start:start + len(word)]) == word:
            start += len(word)
    while True:
        word = _ends_with_any(fold(name), TRAILING_FILLERS + ["…", "...", "……"])
        if word is None or len(name) <= len(word) + 1:
            break
        name = name[: -len(word)]
        if verbatim:
            end -= len(word)
    name = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", name)  # 智慧|教室 across a line wrap
    if name.endswith("占"):
        name += "比"
    if len(name) == 1 and name in NOUN_STOP_CHARS + "被把由从":
        name = ""
    if name != item.name:
        item.name, item.name_start, item.name_end = name, start, end


def _restates(reading: Reading, last: Found, item: Found) -> bool:
    """Whether `item` restates or continues `last`, the quantity before it in the sentence, so
    measures what it does: only a restating word (也即是) or, after a 从/由 figure, a verb to 至
    stands between them, dates and 的 aside; a name read from those words is no name."""
    if item.counted or (item.name and item.name_start is not None and item.name_start < last.end):
        return False
    gap = _gap(reading.folded, reading.mask, last.end, item.start)
    return bool(RESTATING.fullmatch(gap) or (last.from_to and CONTINUING.fullmatch(gap)))


def _gap(folded: str, mask: list[bool], start: int, end: int) -> str:
    """folded[start:end] without dates and the like (masked), 的 and spaces: what joins two figures."""
    return "".join(char for char, masked in zip(folded[start:end], mask[start:end])
                   if not masked and char != "的" and not char.isspace())


def continues(text: str, first: Indicator, second: Indicator) -> bool:
    """Whether `second` continues `first`, the indicator before it in `text`, as the end of a
    从/由…至 pair (从2007年的4.3万人，攀升至2017年的14.1万人): the same thing measured twice. The
    rules copy the first figure's name to the second (`_restates`); for a first figure they could
    not name, the name chosen later (edunlp.indicators.names) is copied likewise."""
    folded = fold(text)
    if not (FROM_DATE.search(folded, max(0, first.start - MAX_NAME), first.start)
            or folded[:first.start].rstrip().endswith(("由", "从"))):
        return False
    return bool(CONTINUING.fullmatch(_gap(folded, _masked(folded), first.end, second.start)))


def _strip_generic(name: str) -> str:
    """多媒体教室总数 → 多媒体教室: the thing counted, for a name that says how it changed."""
    word = _ends_with_any(fold(name), ["总数", "总量", "数量"])
    return name[: -len(word)] if word and len(name) > len(word) + 1 else name


def _indicators(reading: Reading, chinese_numerals: bool = False) -> list[Indicator]:
    """The named quantities as indicators; by the field's convention only those written with
    Arabic digits, unless `chinese_numerals` (三十余所, 百分之八十 are then indicators too)."""
    text, folded = reading.text, reading.folded
    indicators = []
    starts = [f.start for f in reading.found]
    for sentence in reading.sentences:
        periods = _periods(text, folded, sentence)
        previous, last = None, None
        for item in _within(reading.found, starts, *sentence):
            if item.embedded:
                continue
            if last is not None and last.name and _restates(reading, last, item):
                _copy_name(item, last)  # 80%以上，也即是|600分以上 → the name of 80%
            last = item
            if not (chinese_numerals or any(c.isdigit() for c in folded[item.start:item.end])):
                continue
            if item.name:
                _tidy_name(item, text)
            change = CHANGE_NAME.fullmatch(fold(item.name))
            if change and previous is not None:  # 比去年增加 → 报名人数增加, 新增 → 新增多媒体教室
                subject = _strip_generic(previous.name)
                item.name = f"新增{subject}" if change["verb"] == "新增" else subject + change["verb"]
            if item.name:
                previous = item
            named = bool(item.name)  # a quantity without a name is still read (达到57人): the selector may name it
            indicators.append(Indicator.of(
                item.quantity, item.name, item.start, item.end,
                period=_period_before(periods, item.start),
                name_start=item.name_start if named else None, name_end=item.name_end if named else None,
            ))
    return indicators


def _read_all(texts: list[str], trim_names: bool = True, chinese_numerals: bool = False,
              learned_names: bool = True) -> list[tuple[list[Found], list[Indicator]]]:
    """All reportable quantities of each text and the indicators among them, named by the rules
    and then, with `learned_names` (and the tagger of `trim_names`), by the shipped name selector
    (edunlp.indicators.names) where there is one."""
    readings = [_name_quantities(text) for text in texts]
    if trim_names:
        _trim_names(readings)
    read = [(reading.found, _indicators(reading, chinese_numerals)) for reading in readings]
    if trim_names and learned_names:
        from .names import choose_names

        choose_names(texts, [indicators for _, indicators in read])
    return read


def extract_indicators(text: str, trim_names: bool = True, chinese_numerals: bool = False,
                       learned_names: bool = True) -> list[Indicator]:
    """The indicators stated in a sentence or paragraph, in text order; offsets index `text`.
    `trim_names=False` skips step 4 (the part-of-speech tagger) and the name selector, about 3x
    faster; `learned_names=False` keeps the rules' names; `chinese_numerals=True` also reports
    quantities written in Chinese numerals (三十余所)."""
    return _read_all([text], trim_names, chinese_numerals, learned_names)[0][1]


def fill_indicators(bulletin: Bulletin, trim_names: bool = True, add_entities: bool = True,
                    chinese_numerals: bool = False, learned_names: bool = True) -> Bulletin:
    """Fill `indicators` of every paragraph and sentence and (unless a model already marked
    entities) add QUANTITY and INDICATOR entities, offsets absolute into `bulletin.text`.
    Calling it again replaces rather than duplicates. Options as for `extract_indicators`."""
    units_of = [paragraph.sentences or [paragraph] for paragraph in bulletin.paragraphs]
    readings = iter(_read_all([unit.text for units in units_of for unit in units], trim_names, chinese_numerals,
                              learned_names))
    for paragraph, units in zip(bulletin.paragraphs, units_of):
        paragraph_indicators: list[Indicator] = []
        paragraph_entities: list[Entity] = []
        for unit in units:
            found, indicators = next(readings)
            for indicator in indicators:
                shift_indicator(indicator, unit.start)
            entities = [Entity("QUANTITY", f.start + unit.start, f.end + unit.start, f.quantity.text) for f in found]
            entities += [
                Entity("INDICATOR", i.name_start, i.name_end, bulletin.text[i.name_start:i.name_end])
                for i in indicators
                if i.name_start is not None and i.name_end is not None
            ]
            unit.indicators = indicators
            if add_entities and unit is not paragraph:
                _add_entities(unit.entities, entities)
            paragraph_entities.extend(entities)
            paragraph_indicators.extend(indicators)
        paragraph.indicators = paragraph_indicators
        if add_entities:  # once per paragraph, not per sentence: linear in its length
            _add_entities(paragraph.entities, paragraph_entities)
    return bulletin


def combine_indicators(rules: list[Indicator], model: list[Indicator], model_only: bool = False) -> list[Indicator]:
    """One list from the two readings of a text: the rules read and normalise every quantity they
    accept; a model indicator over the same characters confirms it (source "rules+model") and
    names it where the rules found no name. With `model_only`, model indicators the rules did
    not find are added too."""
    combined = list(rules)
    rules = sorted(rules, key=lambda r: r.start)
    starts = [r.start for r in rules]
    longest = max((r.end - r.start for r in rules), default=0)
    for found in model:
        # the rules' quantities overlapping this one start in (found.start - longest, found.end)
        near = rules[bisect_left(starts, found.start - longest):bisect_left(starts, found.end)]
        same = [r for r in near if found.start < r.end]
        for indicator in same:
            indicator.source = "rules+model"
            if not indicator.name and found.name:
                indicator.name, indicator.name_start, indicator.name_end = found.name, found.name_start, found.name_end
        if not same and model_only:
            combined.append(found)
    return sorted(combined, key=lambda i: i.start)


def shift_indicator(indicator: Indicator, offset: int) -> None:
    """Move an indicator's offsets (quantity and name) by `offset`, e.g. from sentence to document."""
    indicator.start += offset
    indicator.end += offset
    if indicator.name_start is not None and indicator.name_end is not None:
        indicator.name_start += offset
        indicator.name_end += offset


def _add_entities(entities: list[Entity], new: list[Entity]) -> None:
    present = {(e.label, e.start, e.end) for e in entities}
    for entity in new:
        if (entity.label, entity.start, entity.end) not in present:
            entities.append(entity)
            present.add((entity.label, entity.start, entity.end))
    entities.sort(key=lambda e: (e.start, e.end))
