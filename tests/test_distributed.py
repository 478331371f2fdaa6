"""The ray engine on a local Ray instance: the local engine's rows and errors file, and its resume."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from edunlp.batch import jobs as batch
from edunlp.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "samples"
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'edunlp[ray]')")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample bulletins, one more inside a zip, and two broken files."""
    root = tmp_path_factory.mktemp("archive")
    for sample in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(sample, root / sample.name)
    with zipfile.ZipFile(root / "bundle.zip", "w") as bundle:
        bundle.writestr("2021-05.txt", (SAMPLES / "2021-04.txt").read_text(encoding="utf-8").replace("本月", "五月"))
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not a real docx")
    (root / "empty.txt").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def local(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[dict]]:
    """The local engine's rows and errors."""
    from edunlp.pipeline import load

    out = tmp_path_factory.mktemp("local") / "rows.jsonl"
    batch.run([archive], out, apply=load().apply, workers=0)
    return _lines(out), _errors(out)


@pytest.fixture(scope="module")
def ray_instance():
    import ray

    # Ray runs its workers at nice 15, which starves them on a busy machine; 0 like pytest itself.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_worker_niceness", "0")
        ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        json.loads(line)  # never a partial line
    return lines


def _errors(out: Path) -> list[dict]:
    return [json.loads(line) for line in _lines(out.with_name(out.name + ".errors.jsonl"))]


@needs_ray
def test_ray_engine_gives_the_local_rows_and_errors(tmp_path: Path, archive: Path, local, ray_instance, capsys) -> None:
    out = tmp_path / "rows.jsonl"
    status = main(["tag", str(archive), "-o", str(out), "--engine", "ray", "--workers", "2"])
    rows, errors = local
    assert status == 1  # the broken files
    assert _lines(out) == rows
    assert len({json.loads(line)["source"] for line in rows}) == 4  # three samples and the zip member
    assert _errors(out) == errors
    assert {Path(e["source"]).name for e in errors} == {"broken.docx", "empty.txt"}
    assert "2 failed" in capsys.readouterr().err


@needs_ray
def test_rerun_after_ctrl_c_skips_what_was_written_and_repeats_nothing(tmp_path: Path, archive: Path, local, ray_instance,
                                                                        monkeypatch) -> None:
    from edunlp.batch import distributed

    out = tmp_path / "rows.jsonl"
    written = []
    real_write = batch.Job.write

    def interrupted(job: batch.Job, *args) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(args[0])
        real_write(job, *args)

    monkeypatch.setattr(batch.Job, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        distributed.tag([archive], out, workers=1)
    monkeypatch.setattr(batch.Job, "write", real_write)
    assert len(_lines(out)) < len(local[0])
    summary = distributed.tag([archive], out, workers=1)
    assert (summary.skipped, summary.done) == (2, 2)
    assert _lines(out) == local[0]


def test_without_ray_the_error_says_how_to_install_it(tmp_path: Path, archive: Path, monkeypatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as if it were not installed
    assert main(["tag", str(archive), "-o", str(tmp_path / "rows.jsonl"), "--engine", "ray"]) == 2
    assert "pip install 'edunlp[ray]'" in capsys.readouterr().err
