"""The damage real archives do to text, made with the real converters, for tests and training.

A *recipe* is a `+`-joined list of steps, applied in order, each seeded from the text and the
recipe so the same input always gives the same output:

- `s2t`, `s2tw`, `s2hk`: OpenCC simplified → traditional (generic, Taiwan, Hong Kong forms);
- `pinyin`: a tone-marked reading in brackets after about a third of the Han characters, as some
  traditional-script converters write them (pypinyin);
- `wrap`: hard line breaks every 18–40 characters, inside sentences (text copied out of a PDF);
- `kangxi`: characters that have a Kangxi-radical code point written with it (⼈ for 人), as PDF
  extraction leaves them;
- `bpe`: `@@ ` markers between characters, left over from subword tools.

`edunlp.reading.normalize.clean` removes the readings and markers, `fold` undoes the radicals and the
traditional forms; the wraps stay, as in a real archive.
"""

from __future__ import annotations

import functools
import hashlib
import random
import unicodedata

import opencc

STEPS = ("s2t", "s2tw", "s2hk", "pinyin", "wrap", "kangxi", "bpe")


def add_noise(text: str, recipe: str) -> str:
    """`text` after every step of `recipe` (e.g. "s2hk+pinyin"); an empty recipe changes nothing."""
    for step in filter(None, recipe.split("+")):
        if step not in STEPS:
            raise ValueError(f"unknown noise step {step!r} (known: {', '.join(STEPS)})")
        rng = random.Random(hashlib.sha1(f"{recipe}\x00{text}".encode("utf-8")).digest())
        text = _STEP_FUNCTIONS[step](text, rng)
    return text


@functools.lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _opencc(config: str):
    return lambda text, rng: _converter(config).convert(text)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _pinyin(text: str, rng: random.Random) -> str:
    from pypinyin import Style, pinyin

    out = []
    for char in text:
        out.append(char)
        if _is_han(char) and rng.random() < 0.33:
            reading = pinyin(char, style=Style.TONE, errors="ignore")
            if reading and reading[0] and any(c in _TONE_MARKS for c in reading[0][0]):
                out.append(f"({reading[0][0]})")
    return "".join(out)


_TONE_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")


def _wrap(text: str, rng: random.Random) -> str:
    out, width = [], 0
    limit = rng.randint(18, 40)
    for char in text:
        out.append(char)
        width += 1
        if width >= limit and char != "\n":
            out.append("\n")
            width, limit = 0, rng.randint(18, 40)
    return "".join(out).rstrip("\n")


@functools.lru_cache(maxsize=1)
def _kangxi_forms() -> dict[str, str]:
    """Unified character → its Kangxi-radical (or supplement) code point, from Unicode's NFKC."""
    forms = {}
    for code in list(range(0x2F00, 0x2FD6)) + list(range(0x2E80, 0x2EF4)):
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1 and folded != chr(code):
            forms.setdefault(folded, chr(code))
    return forms


def _kangxi(text: str, rng: random.Random) -> str:
    forms = _kangxi_forms()
    return "".join(forms[c] if c in forms and rng.random() < 0.8 else c for c in text)


def _bpe(text: str, rng: random.Random) -> str:
    out = []
    for i, char in enumerate(text):
        out.append(char)
        if i + 1 < len(text) and _is_han(char) and _is_han(text[i + 1]) and rng.random() < 0.3:
            out.append("@@ ")
    return "".join(out)


_STEP_FUNCTIONS = {
    "s2t": _opencc("s2t"),
    "s2tw": _opencc("s2tw"),
    "s2hk": _opencc("s2hk"),
    "pinyin": _pinyin,
    "wrap": _wrap,
    "kangxi": _kangxi,
    "bpe": _bpe,
}
