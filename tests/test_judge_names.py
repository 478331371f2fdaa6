"""evaluation/judge_names.py: the pack hides who wrote a name, and the score counts verdicts by key."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "evaluation"))
import judge_names  # noqa: E402

TEXT = "全省共有中小学2371所，其中完成网络安全等级保护备案的学校1200所。"


@pytest.fixture
def data(tmp_path: Path) -> str:
    gold = [{"text": "2371所", "value": 2371, "unit": "所", "name": "中小学", "name_variants": []},
            {"text": "1200所", "value": 1200, "unit": "所", "name": "完成备案学校", "name_variants": []}]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": TEXT, "labels": ["security"], "indicators": gold}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return str(path)


def test_pack_holds_each_unaccepted_name_and_its_gold_control_without_sources(data: str, tmp_path: Path) -> None:
    pairs = judge_names.judged_pairs(data)
    unaccepted = [(i, g) for i, g, _ in pairs if i.name != g["name"]]
    assert unaccepted, "the fixture should hold a name the gold does not accept"
    judge_names.pack(data, tmp_path / "pack", seed=0)
    items = [json.loads(line) for line in (tmp_path / "pack" / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(item["name"] for item in items) == sorted(n for i, g in unaccepted for n in (i.name, g["name"]))
    assert all(set(item) == {"key", "context", "quantity", "name"} for item in items)
    assert all(f"【{item['quantity']}】" in item["context"] for item in items)


def test_score_counts_accepted_and_judged_names(data: str, tmp_path: Path, capsys) -> None:
    pairs = judge_names.judged_pairs(data)
    verdicts = [{"key": judge_names.item_key(text, i, i.name), "name": i.name, "right": True}
                for i, g, text in pairs if i.name != g["name"]]
    assert verdicts, "the fixture should hold a name the gold does not accept"
    path = tmp_path / "verdicts.jsonl"
    path.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in verdicts), encoding="utf-8")
    judge_names.score(data, path)
    assert "names right (accepted, or judged right): 1.000" in capsys.readouterr().out
    path.write_text(json.dumps({"key": "k", "right": "yes"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="verdicts.jsonl:1"):
        judge_names.score(data, path)
