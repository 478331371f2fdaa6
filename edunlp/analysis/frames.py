"""From tagged bulletins to answers: tables of paragraphs, entities and indicators, and series.

`to_frame()` is the one way to a pandas table, for a notebook and for the command line's
`--format csv|parquet` alike: one row per paragraph, entity or indicator, with typed columns
(offsets are integers, scores floats, text pandas strings, and nested fields stay Python lists).
`indicators()` flattens tagged bulletins (or an `edunlp tag` JSONL file) into one row per
indicator, with where it was said (month, region, section, head, sentence) and the action line
of its sentence. Bulletins name the same measure differently from month to month (累计访客 /
累计访问人数), so each row gets an `indicator_key`: the key of the first grouping rule that matches
(rules are data: edunlp/data/indicator_groups.tsv, format in its header, extensible with a user's
own files), else the folded name with a trivial counting suffix stripped (`fallback_key`).
`series()` turns one key into a month-indexed pandas Series.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..document import Bulletin
from ..errors import InputError
from ..indicators.quantities import UNITS
from ..reading.files import read_jsonl
from ..reading.normalize import fold

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "data" / "indicator_groups.tsv"
PLACE_FIELDS = ["source", "month", "region", "section", "head"]
INDICATOR_FIELDS = ["name", "text", "value", "multiplier", "unit", "normalized", "qualifier", "period"]
COLUMNS = [*PLACE_FIELDS, "action_line", *INDICATOR_FIELDS, "sentence", "start", "end", "indicator_key"]
# The dtype of every column of the three tables; "object" columns hold lists (of dicts).
_TEXT, _INT, _FLOAT, _LIST = "string", "Int64", "float64", "object"
INDICATOR_DTYPES = {
    **dict.fromkeys(COLUMNS, _TEXT), "value": _FLOAT, "normalized": _FLOAT, "start": _INT, "end": _INT,
}
PARAGRAPH_DTYPES = {
    "source": _TEXT, "doc_id": _TEXT, "month": _TEXT, "kind": _TEXT, "section": _TEXT, "index": _INT,
    "head": _TEXT, "region": _TEXT, "text": _TEXT, "start": _INT, "end": _INT, "top_label": _TEXT,
    "labels": _LIST, "scores": _LIST, "sentences": _LIST, "entities": _LIST, "indicators": _LIST,
}
ENTITY_DTYPES = {
    **dict.fromkeys(PLACE_FIELDS, _TEXT), "label": _TEXT, "text": _TEXT, "start": _INT, "end": _INT,
    "score": _FLOAT, "sentence": _TEXT,
}

# Trivial counting suffixes. 数量, 总数 and 总量 go whenever two characters remain. 人数 and 数 go
# after a word that names the people counted (教师人数 → 教师, 用户数 → 用户), but 访问人数 → 访问
# would lose what is counted. Elsewhere a bare 数 goes only if the character before it does not
# form a word with it: 浏览次数, 满意度指数 and 分数 keep it.
_WORD_SUFFIXES = ("数量", "总数", "总量")
_KEEPS_BARE_SHU = set("".join(u for u in UNITS if len(u) == 1)) | set("人次指分倍系基参函位岁级多少总")
_PEOPLE = ("用户", "教师", "学生", "访客", "人员", "家长", "学员", "师生", "校长", "干部", "老师", "幼儿", "者")


def fold_name(name: str) -> str:
    """How names are compared: simplified script, ASCII forms, Latin lower case, no spaces."""
    return re.sub(r"\s+", "", fold(name)).lower()


def fallback_key(name: str) -> str:
    """The folded name with one trivial counting suffix stripped: 注册用户数 → 注册用户,
    教室数量 → 教室, 教师人数 → 教师; 浏览次数 and 访问人数 stay as they are."""
    key = fold_name(name)
    for suffix in _WORD_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    for suffix in ("人数", "数"):
        if key.endswith(suffix) and key[: -len(suffix)].endswith(_PEOPLE):
            return key[: -len(suffix)]
    if key.endswith("数") and len(key) >= 3 and key[-2] not in _KEEPS_BARE_SHU:
        return key[:-1]
    return key


@dataclass
class GroupRule:
    """One line of a rules file: a key and the names (folded) and patterns it stands for."""

    key: str
    names: set[str] = field(default_factory=set)
    patterns: list[re.Pattern] = field(default_factory=list)

    def matches(self, name: str) -> bool:
        return name in self.names or any(p.fullmatch(name) for p in self.patterns)


def read_rules(path: str | Path) -> list[GroupRule]:
    """The grouping rules of one TSV file (format: see edunlp/data/indicator_groups.tsv)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read grouping rules: {error}") from error
    rules = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) == 1 and " " in fields[0]:
            raise InputError(path, "fields must be separated by TABs, not spaces", number)
        if not fields[0]:
            raise InputError(path, "empty key", number)
        rule = GroupRule(fields[0], {fold_name(fields[0])})
        for item in filter(None, fields[1:]):
            if item.startswith("re:"):
                try:
                    rule.patterns.append(re.compile(item[3:]))
                except re.error as error:
                    raise InputError(path, f"bad pattern {item!r}: {error}", number) from error
            else:
                rule.names.add(fold_name(item))
        rules.append(rule)
    return rules


def load_rules(extra: Iterable[str | Path] = ()) -> list[GroupRule]:
    """A user's rule files first (so they win), then the shipped ones."""
    return [rule for path in [*extra, DEFAULT_RULES] for rule in read_rules(path)]


def indicator_key(name: str, rules: list[GroupRule]) -> str:
    """The key of the first rule matching the folded or suffix-stripped name, else the stripped name."""
    candidates = (fold_name(name), fallback_key(name))
    for rule in rules:
        if any(rule.matches(candidate) for candidate in candidates):
            return rule.key
    return candidates[1]


Source = Bulletin | str | Path | Iterable[Bulletin | str | Path]


def paragraph_rows(source: Source) -> Iterator[dict[str, Any]]:
    """`Bulletin.rows()` dicts, one per paragraph, from bulletins and/or `edunlp tag` JSONL files
    (read line by line; a bad line raises InputError naming file and line)."""
    for item in [source] if isinstance(source, (Bulletin, str, Path)) else source:
        if isinstance(item, Bulletin):
            yield from item.rows()
        else:
            yield from _read_jsonl(Path(item))


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for number, row in read_jsonl(path):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("start"), int):
            raise InputError(path, "not an edunlp paragraph row (needs text and start); expected `edunlp tag` output", number)
        for key in ("sentences", "labels", "entities", "indicators"):
            items = row.get(key)
            if items is not None and not (isinstance(items, list) and all(isinstance(item, dict) for item in items)):
                raise InputError(path, f"{key} must be a list of objects", number)
        yield row


def top_label(labels: list[dict[str, Any]] | None) -> str | None:
    """The highest-scoring label of a `labels` list, or None."""
    return max(labels, key=lambda label: label.get("score", 0.0))["label"] if labels else None


def to_frame(source: Source, what: str = "paragraphs", rule_files: Iterable[str | Path] = ()) -> pd.DataFrame:
    """A pandas table of tagged bulletins and/or `edunlp tag` JSONL files (a path, a Bulletin, or
    an iterable of either): `what` is "paragraphs", "entities" or "indicators" (one row each).

    Paragraph rows carry `labels` (names, best first) with their `scores`, and `sentences`,
    `entities` and `indicators` as lists of dicts as in the JSONL output. `rule_files` are extra
    indicator grouping rules (see `indicators`)."""
    tables = {"paragraphs": paragraph_table, "entities": entity_table,
              "indicators": lambda rows: indicator_table(rows, load_rules(rule_files))}
    if what not in tables:
        raise ValueError(f"unknown table {what!r}; expected one of {sorted(tables)}")
    return tables[what](paragraph_rows(source))


def _typed(records: list[dict[str, Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)


def paragraph_table(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per paragraph (columns: `PARAGRAPH_DTYPES`), labels best first."""
    records = []
    for row in rows:
        labels = sorted(row.get("labels") or [], key=lambda label: -label.get("score", 0.0))
        records.append({
            **{name: row.get(name) for name in PARAGRAPH_DTYPES},
            "top_label": labels[0]["label"] if labels else None,
            "labels": [label["label"] for label in labels],
            "scores": [label.get("score") for label in labels],
            **{name: list(row.get(name) or []) for name in ("sentences", "entities", "indicators")},
        })
    return _typed(records, PARAGRAPH_DTYPES)


def entity_table(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per entity (columns: `ENTITY_DTYPES`), with where it was said and its sentence."""
    records = []
    for row in rows:
        sentences = row.get("sentences") or []
        for entity in row.get("entities") or []:
            sentence = next((s for s in sentences if s["start"] <= entity["start"] < s["end"]), None)
            records.append({
                **{name: row.get(name) for name in PLACE_FIELDS},
                **{name: entity.get(name) for name in ("label", "text", "start", "end", "score")},
                "sentence": sentence["text"] if sentence else row["text"],
            })
    return _typed(records, ENTITY_DTYPES)


def indicators(source: Source, rule_files: Iterable[str | Path] = ()) -> pd.DataFrame:
    """`to_frame(source, "indicators", rule_files)`: one row per indicator (columns: `COLUMNS`).

    `action_line` is the top label of the indicator's sentence, else of its paragraph.
    `rule_files` are extra grouping rules, tried before the shipped ones."""
    return to_frame(source, "indicators", rule_files)


def indicator_table(rows: Iterable[dict[str, Any]], rules: list[GroupRule]) -> pd.DataFrame:
    """`indicators` over paragraph rows already read, with rules already loaded."""
    records = []
    for row in rows:
        sentences = row.get("sentences") or []
        starts = [s["start"] for s in sentences]
        for item in row.get("indicators") or []:
            index = bisect_right(starts, item["start"]) - 1  # the sentence it starts in, if any
            sentence = sentences[index] if index >= 0 and item["start"] < sentences[index]["end"] else None
            records.append({
                **{name: row.get(name) for name in PLACE_FIELDS},
                "action_line": top_label(sentence.get("labels") if sentence else None) or top_label(row.get("labels")),
                **{name: item.get(name) for name in INDICATOR_FIELDS},
                "sentence": sentence["text"] if sentence else row["text"],
                "start": item["start"],
                "end": item["end"],
                "indicator_key": indicator_key(item["name"], rules),
            })
    return _typed(records, INDICATOR_DTYPES)


def series(table: pd.DataFrame, key: str, region: str | None = None) -> pd.Series:
    """The normalised values of `key` by month (a monthly PeriodIndex, sorted).

    `region=None` takes the national figures (rows without a region), else that region's rows.
    Per month the LAST value in document order is kept, not the sum: the abstract repeats figures
    of the body, and stocks (累计…) cannot be added up. If the key's rows carry several units, only
    the most common unit is kept (with a warning), so a line never mixes 人 and %; it is in
    `.attrs["unit"]`."""
    rows = table[(table["indicator_key"] == key) & table["month"].notna()]
    rows = rows[rows["region"].isna()] if region is None else rows[rows["region"] == region]
    units = rows["unit"].fillna("")
    unit = units.value_counts().index[0] if len(units) else ""
    if units.nunique() > 1:
        warnings.warn(f"indicator {key!r} has units {sorted(units.unique())}; keeping {unit!r}", stacklevel=2)
        rows = rows[units == unit]
    values = rows.groupby("month", sort=True)["normalized"].last()
    values.index = pd.PeriodIndex(values.index, freq="M", name="month")
    values.attrs["unit"] = unit
    return values.rename(key)
