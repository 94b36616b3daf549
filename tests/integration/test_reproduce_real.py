"""`reproduce` end to end on the real data: contract files, determinism, committed outputs not stale, no personal data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

TEXT_SUFFIXES = {".csv", ".md", ".tex", ".json", ".html", ".txt"}
REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "paper" / "generated"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reproduce-cache")


@pytest.fixture(scope="module")
def run(tmp_path_factory, coding_path, survey_path, cache_dir):
    """One full run of reproduce with an empty cache (the expensive part of this module runs once)."""
    from mlmismatch import reproduce

    return reproduce(tmp_path_factory.mktemp("run"), cache_dir=cache_dir)


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_contract_files(run):
    out = run.out
    assert _header(out / "tables/categories.csv") == ["category", "n_instances", "share_pct"]
    assert _header(out / "tables/subcategories.csv") == ["category", "subcategory", "n_instances", "share_in_category_pct"]
    rows = list(csv.DictReader(open(out / "tables/categories.csv", encoding="utf-8")))
    assert len(rows) == 7 and sum(int(r["n_instances"]) for r in rows) == 232
    assert rows[0]["category"] == "Trained Model"
    subs = list(csv.DictReader(open(out / "tables/subcategories.csv", encoding="utf-8")))
    assert len(subs) == 34 and not any(s["subcategory"].startswith("(") for s in subs)


def test_a_rerun_in_one_process_gives_the_same_bytes(run, tmp_path, monkeypatch):
    """Rerunning a step sequentially (no child processes) writes the same bytes, figures included."""
    from mlmismatch import reproduce

    monkeypatch.setenv("MLMISMATCH_SEQUENTIAL", "1")
    again = reproduce(tmp_path, only=["categories", "survey-demographics"], use_cache=False)
    assert again.results["cache"]["ran"] == ["categories", "survey-tables", "survey-demographics"]
    assert len(again.written) >= 10
    differ = [rel for rel in again.written if rel != "manifest.json" and again.written[rel] != run.written[rel]]
    assert not differ, f"outputs differ between runs: {differ}"


def test_outputs_restored_from_the_cache_are_the_same_bytes(run, tmp_path, cache_dir):
    """A second run into another folder restores every step from the cache: the same files, the same bytes."""
    from mlmismatch import reproduce

    again = reproduce(tmp_path, cache_dir=cache_dir)
    assert again.results["cache"]["ran"] == []
    assert set(again.results["cache"]["restored"]) == {s.name for s in _steps()}
    assert again.written == run.written
    for rel in run.written:
        assert (tmp_path / rel).read_bytes() == (run.out / rel).read_bytes(), rel


def test_a_run_restored_from_the_cache_imports_no_heavy_library(run, tmp_path, cache_dir):
    import subprocess
    import sys

    code = ("import sys; from mlmismatch import reproduce; "
            f"ctx = reproduce({str(tmp_path)!r}, cache_dir={str(cache_dir)!r}); "
            "assert ctx.results['cache']['ran'] == [], ctx.results['cache']['ran']; "
            "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _steps():
    from mlmismatch.pipeline.run import steps

    return steps()


def test_every_declared_output_is_written(run):
    declared = {rel for s in _steps() for rel in s.outputs}
    assert set(run.written) == declared  # undeclared outputs fail the run itself


def test_manifest_records_inputs_and_outputs(run):
    import json

    manifest = json.loads((run.out / "manifest.json").read_text())
    assert manifest["generator"].startswith("mlmismatch ")
    assert {i["source"] for i in manifest["inputs"]} >= {"coding"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "tables/categories.csv" in manifest["outputs"]


def _comparable(rel: str, path: Path) -> bytes:
    """The bytes to compare; in manifest.json the hashes of figures (PNG/PDF) are left out, because their
    bytes depend on the installed matplotlib and FreeType, not on the data."""
    if rel != "manifest.json":
        return path.read_bytes()
    import json

    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["outputs"] = {k: v for k, v in manifest["outputs"].items() if Path(k).suffix in TEXT_SUFFIXES}
    return json.dumps(manifest, sort_keys=True).encode()


def test_committed_outputs_are_not_stale(run):
    """The text artifacts committed under paper/generated/ equal what reproduce writes now."""
    fresh = {rel: p for rel, p in _files(run.out).items() if p.suffix in TEXT_SUFFIXES}
    committed = {rel: p for rel, p in _files(COMMITTED).items() if p.suffix in TEXT_SUFFIXES}
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    stale = sorted(rel for rel in set(fresh) & set(committed)
                   if _comparable(rel, fresh[rel]) != _comparable(rel, committed[rel]))
    assert not (missing or extra or stale), (
        f"paper/generated is stale; run `make reproduce` and commit. missing={missing} extra={extra} stale={stale}")


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def test_no_personal_data_in_any_output(run):
    for rel, path in _files(run.out).items():
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        assert not EMAIL.search(text), f"e-mail address in {rel}"
        assert not IPV4.search(text), f"IP address in {rel}"
        for word in ("RecipientEmail", "RecipientLastName", "IPAddress", "LocationLatitude", "LocationLongitude"):
            assert word not in text, f"{word} in {rel}"
