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


def _run(out: Path):
    from mlmismatch.pipeline import run as reproduce

    ctx = reproduce.Context(out=out)
    reproduce.run(ctx)
    return ctx


@pytest.fixture(scope="module")
def runs(tmp_path_factory, coding_path, survey_path):
    a = tmp_path_factory.mktemp("run_a")
    b = tmp_path_factory.mktemp("run_b")
    return _run(a), _run(b)


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_contract_files(runs):
    out = runs[0].out
    assert _header(out / "tables/categories.csv") == ["category", "n_instances", "share_pct"]
    assert _header(out / "tables/subcategories.csv") == ["category", "subcategory", "n_instances", "share_in_category_pct"]
    rows = list(csv.DictReader(open(out / "tables/categories.csv", encoding="utf-8")))
    assert len(rows) == 7 and sum(int(r["n_instances"]) for r in rows) == 232
    assert rows[0]["category"] == "Trained Model"
    subs = list(csv.DictReader(open(out / "tables/subcategories.csv", encoding="utf-8")))
    assert len(subs) == 34 and not any(s["subcategory"].startswith("(") for s in subs)


def test_two_runs_are_byte_identical(runs):
    a, b = (_files(r.out) for r in runs)
    assert a.keys() == b.keys()
    differ = [rel for rel in a if a[rel].read_bytes() != b[rel].read_bytes()]
    assert not differ, f"outputs differ between runs: {differ}"


def test_manifest_records_inputs_and_outputs(runs):
    import json

    manifest = json.loads((runs[0].out / "manifest.json").read_text())
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


def test_committed_outputs_are_not_stale(runs):
    """The text artifacts committed under paper/generated/ equal what reproduce writes now."""
    fresh = {rel: p for rel, p in _files(runs[0].out).items() if p.suffix in TEXT_SUFFIXES}
    committed = {rel: p for rel, p in _files(COMMITTED).items() if p.suffix in TEXT_SUFFIXES}
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    stale = sorted(rel for rel in set(fresh) & set(committed)
                   if _comparable(rel, fresh[rel]) != _comparable(rel, committed[rel]))
    assert not (missing or extra or stale), (
        f"paper/generated is stale; run `make reproduce` and commit. missing={missing} extra={extra} stale={stale}")


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def test_no_personal_data_in_any_output(runs):
    for rel, path in _files(runs[0].out).items():
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        assert not EMAIL.search(text), f"e-mail address in {rel}"
        assert not IPV4.search(text), f"IP address in {rel}"
        for word in ("RecipientEmail", "RecipientLastName", "IPAddress", "LocationLatitude", "LocationLongitude"):
            assert word not in text, f"{word} in {rel}"
