"""Normalising bulletin text without losing the original.

Two steps, kept apart on purpose:

* `clean` removes what is not part of the bulletin at all (a BOM, zero-width and NUL characters, Windows
  line ends, the pinyin readings some converters insert after characters: 發(fā)布 → 發布, the `@@ `
  markers subword tools leave between characters). It may
  change the length; its output is the document text every offset points into.
* `fold` maps that text character for character (same length, so offsets stay valid) to one
  canonical form for matching: NFKC (full-width digits, letters and punctuation to ASCII), U+3000,
  NBSP and other spaces to an ASCII space, and traditional characters to simplified via OpenCC.
  Labels, keywords and numbers are matched on the fold; output keeps the original characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_ZERO_WIDTH = re.compile("[\ufeff\u200b\u200c\u200d\u2060\x00]")  # and NUL, which no text holds
_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin reading right after a CJK character: 發(fā) or 發（fā）. Only readings with a tone mark
# are removed, so ordinary parentheses such as (IPv6) or (含教学点) are left alone.
_PINYIN_SYLLABLE = "[a-zü" + _TONE_VOWELS + "]+"
_PINYIN_READING = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]\s*(?=[a-zü\s]*[" + _TONE_VOWELS + "])"
    + _PINYIN_SYLLABLE + r"(?:\s+" + _PINYIN_SYLLABLE + r")*\s*[)）]"
)
# `@@ ` markers that subword tools leave between characters (never part of a bulletin).
_SUBWORD_MARK = re.compile(r"@@ ?")
_SPACES = {"\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u202f", "\t"}


def clean(raw: str) -> str:
    """Remove non-text residue and converter artefacts; this becomes the document text."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SUBWORD_MARK.sub("", _ZERO_WIDTH.sub("", text))
    return _PINYIN_READING.sub("", text)


@functools.lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _SPACES:
        return " "
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC, guaranteed to keep the length of `text`."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length somewhere: fall back to one character at a time.
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


def _fold(text: str) -> str:
    return to_simplified("".join(_fold_char(ch) for ch in text))


SHORT = 32  # words, names and features are folded again and again: their forms are kept
_fold_short = functools.lru_cache(maxsize=65536)(_fold)


def fold(text: str) -> str:
    """Length-preserving canonical form of `text` for matching (see module docstring)."""
    return _fold_short(text) if len(text) <= SHORT else _fold(text)
