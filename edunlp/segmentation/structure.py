"""What the bulletins' structure is made of: section titles, regions and common topic heads.

These are data, not logic: `segment` matches folded text (simplified, NFKC) against them.
"""

from __future__ import annotations

import difflib
import re

# Canonical key → the titles used from 2018 to 2026 (without ★, simplified).
SECTION_TITLES: dict[str, tuple[str, ...]] = {
    "central": ("中央网信工作重要部署",),
    "digital_strategy": ("国家教育数字化战略行动",),
    "informatization": ("教育信息化重点工作进展", "教育信息化重点工作"),
    "security": ("网络安全重点工作进展", "网络安全重点工作"),
    "news": ("相关工作资讯",),
    "regional": ("各地工作动态",),
}

# Province-level regions: canonical short name → other names (full names, common abbreviations).
REGIONS: dict[str, tuple[str, ...]] = {
    "北京": ("北京市",),
    "天津": ("天津市",),
    "河北": ("河北省",),
    "山西": ("山西省",),
    "内蒙古": ("内蒙古自治区",),
    "辽宁": ("辽宁省",),
    "吉林": ("吉林省",),
    "黑龙江": ("黑龙江省",),
    "上海": ("上海市",),
    "江苏": ("江苏省",),
    "浙江": ("浙江省",),
    "安徽": ("安徽省",),
    "福建": ("福建省",),
    "江西": ("江西省",),
    "山东": ("山东省",),
    "河南": ("河南省",),
    "湖北": ("湖北省",),
    "湖南": ("湖南省",),
    "广东": ("广东省",),
    "广西": ("广西壮族自治区", "广西自治区"),
    "海南": ("海南省",),
    "重庆": ("重庆市",),
    "四川": ("四川省",),
    "贵州": ("贵州省",),
    "云南": ("云南省",),
    "西藏": ("西藏自治区",),
    "陕西": ("陕西省",),
    "甘肃": ("甘肃省",),
    "青海": ("青海省",),
    "宁夏": ("宁夏回族自治区", "宁夏自治区"),
    "新疆": ("新疆维吾尔自治区", "新疆自治区"),
    "香港": ("香港特别行政区", "香港特区"),
    "澳门": ("澳门特别行政区", "澳门特区"),
    "台湾": ("台湾省", "台湾地区"),
    "新疆生产建设兵团": ("兵团", "新疆兵团"),
}

# Common topic heads and the action line each stands for (docs/LABELS.md). They are also the heads
# that may run straight into the body with no separator at all.
HEAD_LABELS: dict[str, str] = {
    "数字资源服务普及行动": "resources",
    "网络学习空间覆盖行动": "learning_space",
    "网络扶智工程攻坚行动": "poverty",
    "教育治理能力优化行动": "governance",
    "数字校园规范建设行动": "campus",
    "智慧教育创新发展行动": "innovation",
    "百区千校万课引领行动": "innovation",
    "信息素养全面提升行动": "literacy",
    "教育信息化宣传": "publicity",
    "网络安全事件处置": "security",
    "信息系统安全监测": "security",
    "关键信息基础设施名录识别认定": "security",
    "人教数字教材": "resources",
}
KNOWN_HEADS: tuple[str, ...] = tuple(HEAD_LABELS)

_REGION_NAMES: list[tuple[str, str]] = sorted(
    ((name, short) for short, others in REGIONS.items() for name in (short, *others)),
    key=lambda pair: -len(pair[0]),
)
_NON_TITLE = re.compile(r"[\s★☆*#：:]+")


def section_key(title: str) -> str:
    """Canonical key of a folded ★ title, tolerant of spaces and a typo or two; "other" if none."""
    cleaned = _NON_TITLE.sub("", title)
    best_key, best_ratio = "other", 0.0
    for key, titles in SECTION_TITLES.items():
        for candidate in titles:
            if cleaned == candidate:
                return key
            ratio = difflib.SequenceMatcher(None, cleaned, candidate).ratio()
            if ratio > best_ratio:
                best_key, best_ratio = key, ratio
    return best_key if best_ratio >= 0.75 else "other"


def region_of(name: str) -> str | None:
    """The canonical region a folded head names exactly (北京市 → 北京), else None."""
    for candidate, short in _REGION_NAMES:
        if name == candidate:
            return short
    return None


def region_prefix(text: str) -> tuple[str, str] | None:
    """(canonical region, name as matched) when folded `text` starts with a region name."""
    for candidate, short in _REGION_NAMES:
        if text.startswith(candidate):
            return short, candidate
    return None
