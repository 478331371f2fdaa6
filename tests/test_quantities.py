"""parse_quantity: table tests for each written form, round-trip properties for numbers."""

from decimal import Decimal
import math

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edunlp.indicators.quantities import parse_quantity

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "text, value, multiplier, unit, normalized, qualifier",
    [
        ("2910万人", 2910, "万", "人", 29_100_000, None),
        ("6.82亿人", 6.82, "亿", "人", 682_000_000, None),
        ("41.29亿次", 41.29, "亿", "次", 4_129_000_000, None),
        ("99.96%", 99.96, "", "%", 99.96, None),
        ("71.2％", 71.2, "", "%", 71.2, None),
        ("431万间", 431, "万", "间", 4_310_000, None),
        ("5.27万门次", 5.27, "万", "门次", 52_700, None),
        ("100M以上", 100, "", "M", 100, "at_least"),
        ("1000Mbps", 1000, "", "Mbps", 1000, None),
        ("314,382所", 314_382, "", "所", 314_382, None),
        ("１２００名", 1200, "", "名", 1200, None),
        ("5千人", 5, "千", "人", 5000, None),
        ("1.2万余人次", 1.2, "万", "人次", 12_000, "more_than"),
        ("6.3亿余次", 6.3, "亿", "次", 630_000_000, "more_than"),
        ("10多万人", 10, "万", "人", 100_000, "more_than"),
        ("一千九百一十九家", 1919, "", "家", 1919, None),
        ("两千五百元", 2500, "", "元", 2500, None),
        ("一万二千", 12_000, "", "", 12_000, None),
        ("五千万元", 5000, "万", "元", 50_000_000, None),
        ("3亿5千万", 350_000_000, "", "", 350_000_000, None),
        ("百余所", 100, "", "所", 100, "more_than"),
        ("千余名", 1000, "", "名", 1000, "more_than"),
        ("百分之八十五", 85, "", "%", 85, None),
        ("百分之12.5", 12.5, "", "%", 12.5, None),
        ("约30万人", 30, "万", "人", 300_000, "approx"),
        ("近百所", 100, "", "所", 100, "approx"),
        ("200人左右", 200, "", "人", 200, "approx"),
        ("超过6.4万门", 6.4, "万", "门", 64_000, "more_than"),
        ("不少于50学时", 50, "", "学时", 50, "at_least"),
        ("至少3项", 3, "", "项", 3, "at_least"),
        ("不足5%", 5, "", "%", 5, "less_than"),
        ("不到两千人", 2000, "", "人", 2000, "less_than"),
        ("八成", 80, "", "%", 80, None),
        ("九成五", 95, "", "%", 95, None),
        ("近三成", 30, "", "%", 30, "approx"),
        ("12.4个百分点", 12.4, "", "个百分点", 12.4, None),
        ("6.5:1", 6.5, "", ":", 6.5, None),
        ("1：4", 0.25, "", ":", 0.25, None),
        ("3700毫安时", 3700, "", "毫安时", 3700, None),
        ("200TPS", 200, "", "TPS", 200, None),
        ("21省", 21, "", "省", 21, None),
        ("4大类", 4, "", "大类", 4, None),
        ("6 行", 6, "", "行", 6, None),
        ("60个小时", 60, "", "小时", 60, None),  # written 个小时, read as the unit 小时
        ("5000+TPS", 5000, "", "TPS", 5000, "more_than"),
    ],
)
def test_forms(text, value, multiplier, unit, normalized, qualifier):
    quantity = parse_quantity(text)
    assert quantity is not None, text
    assert quantity.text == text
    assert quantity.value == pytest.approx(value)
    assert quantity.multiplier == multiplier
    assert quantity.unit == unit
    assert quantity.normalized == pytest.approx(normalized)
    assert quantity.qualifier == qualifier
    assert quantity.low is None and quantity.high is None


def test_fraction_reads_as_percentage():
    quantity = parse_quantity("三分之一")
    assert quantity.unit == "%"
    assert quantity.normalized == pytest.approx(100 / 3)


@pytest.mark.parametrize(
    "text, low, high, unit",
    [("3万—5万人", 30_000, 50_000, "人"), ("2-3万人", 20_000, 30_000, "人"), ("1至2名", 1, 2, "名"), ("10~20%", 10, 20, "%")],
)
def test_ranges(text, low, high, unit):
    quantity = parse_quantity(text)
    assert (quantity.low, quantity.high, quantity.unit) == (pytest.approx(low), pytest.approx(high), unit)
    assert quantity.normalized == pytest.approx(low)


@pytest.mark.parametrize("text", ["", "   ", "教育部", "IPv6", "2910万人次和3人", "十四五", "约", "三成员", "完成",
                                  "6行业", "3省级", "10台式", "5套件"])  # a unit that starts a word is none
def test_not_one_quantity(text):
    assert parse_quantity(text) is None


def test_traditional_and_full_width_forms():
    quantity = parse_quantity("約１．２萬餘人次")
    assert (quantity.normalized, quantity.unit, quantity.qualifier) == (pytest.approx(12_000), "人次", "approx")
    assert quantity.text == "約１．２萬餘人次"


MULTIPLIERS = {"": 1, "万": 10_000, "亿": 100_000_000}
UNITS = ["", "人", "人次", "个", "所", "万", "元"]


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=999_999),
    fraction=st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    multiplier=st.sampled_from(["", "万", "亿"]),
    unit=st.sampled_from([u for u in UNITS if u != "万"]),
    full_width=st.booleans(),
)
def test_digits_round_trip(whole, fraction, multiplier, unit, full_width):
    written = str(whole) if fraction is None else f"{whole}.{fraction:02d}"
    text = written + multiplier + unit
    if full_width:
        text = text.translate(FULL_WIDTH_DIGITS)
    quantity = parse_quantity(text)
    assert quantity is not None, text
    assert quantity.value == pytest.approx(float(written))
    assert quantity.multiplier == multiplier
    assert quantity.unit == unit
    expected = Decimal(written) * MULTIPLIERS[multiplier]
    assert math.isclose(quantity.normalized, float(expected), rel_tol=1e-12)


@settings(max_examples=200, deadline=None)
@given(number=st.integers(min_value=1_000, max_value=10**12))
def test_thousands_separators_round_trip(number):
    quantity = parse_quantity(f"{number:,}人")
    assert quantity is not None and quantity.normalized == number


@settings(max_examples=300, deadline=None)
@given(number=st.integers(min_value=0, max_value=10**12), unit=st.sampled_from(["", "人", "所", "元"]))
def test_chinese_numerals_round_trip(number, unit):
    text = cn2an.an2cn(number) + unit
    quantity = parse_quantity(text)
    assert quantity is not None, text
    assert quantity.normalized == number, text
    assert quantity.unit == unit


@settings(max_examples=100, deadline=None)
@given(whole=st.integers(min_value=0, max_value=9_999), hundredths=st.integers(min_value=1, max_value=99))
def test_chinese_decimals_round_trip(whole, hundredths):
    written = f"{whole}.{hundredths:02d}".rstrip("0")
    quantity = parse_quantity(cn2an.an2cn(written))
    assert quantity is not None
    assert quantity.normalized == pytest.approx(float(written))
