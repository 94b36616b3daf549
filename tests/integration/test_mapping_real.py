"""The curated mapping on the real data: every subcategory accounted for, gap analysis, split, text-evidence
scores, derived schemas valid and not stale, comparison with the published 1.0, 1.1 and 1.2, bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real(coding_path, sei_schemas_dir):
    from mlmismatch.study import coding
    from mlmismatch.mapping import matrix as mapping
    from mlmismatch.descriptors import schemas

    c = coding.load_coding(path=coding_path)
    attrs = schemas.attributes()
    md = mapping.load_mapping(codebook=c.codebook, mismatch_ids=c.mismatches["mismatch_id"], attributes=attrs)
    return c, attrs, md


@pytest.fixture(scope="module")
def table2(survey_path):
    from mlmismatch.study import survey
    from mlmismatch.analyses import survey_stats

    s = survey.load_survey(path=survey_path)
    return survey_stats.important_by_role(s.responses, s.items)


def test_every_subcategory_is_accounted_for(real):
    c, _attrs, md = real
    a = md.attributes
    keys = set(zip(c.codebook["category"], c.codebook["subcategory"]))
    assert len(keys) == 34
    assert set(zip(a["category"], a["subcategory"])) == keys
    # every evidence id is a coded mismatch, and most cite mismatches coded with that subcategory
    coded = set(zip(c.instances["mismatch_id"], c.instances["category"], c.instances["subcategory"]))
    from mlmismatch.mapping.matrix import split_ids

    cites = [(mid, r.category, r.subcategory) for r in a.itertuples() for mid in split_ids(r.evidence)]
    assert sum(x in coded for x in cites) / len(cites) > 0.9


def test_mapping_and_rule_file_agree(real):
    from mlmismatch.mapping import matrix as mapping

    _c, _a, md = real
    assert mapping.rule_consistency(md.attributes).empty


def test_gap_analysis_on_real_data(real):
    from mlmismatch.mapping import matrix as mapping

    c, attrs, md = real
    a = md.attributes
    assert mapping.gap_uncovered_subcategories(a, c.codebook, c.instances, attrs).empty
    proposed = set(a.loc[a["status"] == "proposed", "descriptor"] + "." + a.loc[a["status"] == "proposed", "path"])
    assert "raw_data.metadata.collection_process" in proposed
    assert "production_environment.deployed_model_version" in proposed
    un = mapping.gap_unneeded_attributes(a, attrs)
    assert set(un["version"]) == {"1.0", "1.1", "1.2"}
    assert ("trained_model", "error_handling") in set(zip(un["descriptor"], un["path"]))
    assert "documentation" in set(un["path"])
    # the practice gaps are the rated practice matrix's: tests/integration/test_practices_real.py


def test_coverage_weighted_by_instances_and_importance(real, table2):
    from mlmismatch.mapping import matrix as mapping

    c, attrs, md = real
    rows = {v: mapping.coverage_by_category(md.attributes, c.codebook, c.instances, table2, attrs, v)
            .set_index("category").loc["All"] for v in ("1.0", "1.1", "1.2")}
    assert rows["1.2"]["n_instances"] == 232 and rows["1.2"]["pct_instances_covered"] == 100.0
    assert rows["1.0"]["n_instances_complete"] < rows["1.1"]["n_instances_complete"] <= rows["1.2"]["n_instances_complete"]
    assert rows["1.2"]["n_instances_complete"] == 168
    for role in ("Data Science", "Software Engineering", "Operations + Other"):
        assert 0 < rows["1.2"][f"pct_important_complete_{role}"] < 100


def test_information_sharing_vs_predicate_split(real):
    from mlmismatch.mapping import matrix as mapping

    c, _attrs, md = real
    split = mapping.sharing_vs_predicate(md.attributes, c.codebook, c.instances)
    total = split[split["category"] == "All"].set_index("coverage")
    assert total["n_instances"].sum() == 232
    assert total.loc["predicate", "n_instances"] == 155
    assert total.loc["information sharing", "n_instances"] == 77


def test_text_evidence_scores_on_real_data(real):
    from mlmismatch.mapping import matrix as mapping

    c, attrs, md = real
    res = mapping.text_evidence(c.mismatches, c.instances, c.codebook, attrs, md.attributes, k=5)
    s = res["summary"].set_index("measure")
    base = mapping.random_baseline(md.attributes, attrs, c.codebook, k=5)
    assert s.loc["precision@5", "macro"] == pytest.approx(0.388, abs=0.002)
    assert s.loc["recall@5", "macro"] == pytest.approx(0.437, abs=0.002)
    assert s.loc["MAP", "macro"] == pytest.approx(0.480, abs=0.002)
    assert s.loc["precision@5", "macro"] > 10 * base["precision_at_k"]
    assert len(res["scores"]) == 34
    assert set(res["disagreements"]["kind"]) == {"top-k but not curated", "curated but ranked below k"}


def test_derived_schemas_are_valid_and_not_stale(real, table2):
    """Fails when data/mapping, the coding, the survey or the derive code changed without
    `mlmismatch descriptors derive` being re-run and its output committed."""
    from mlmismatch.mapping import derive as descriptors
    from mlmismatch.descriptors import schemas

    c, _attrs, _md = real
    derived = descriptors.derive_default(c, table2)
    assert set(derived) == set(schemas.KINDS)
    for kind in schemas.KINDS:
        committed = schemas.read_schema_file(schemas.derived_path(kind))  # valid JSON and JSON Schema
        assert committed["$id"] == f"urn:mlmismatch:descriptor:{kind}:derived"
    assert descriptors.stale(derived) == []


def test_comparison_with_all_three_published_versions(real):
    from mlmismatch.mapping import derive as descriptors

    t = descriptors.comparison_table()
    assert set(t["version"]) == {"1.0", "1.1", "1.2"}
    total = t[t["descriptor"] == "All"].set_index("version")
    assert total.loc["1.2", "n_derived"] == total.loc["1.0", "n_derived"]
    assert total.loc["1.0", "n_both"] < total.loc["1.2", "n_both"] < total.loc["1.2", "n_derived"]
    assert total.loc["1.2", "n_only_derived"] == total.loc["1.2", "n_proposed"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlmismatch", *args], capture_output=True, text=True, cwd=REPO)


def test_cli_summary_counts_subcategories_by_category(real):
    # Versioning etc. occur under several categories: the summary must count (category, subcategory) pairs.
    _c, _attrs, md = real
    r = _cli("--quiet", "mapping", "--section", "rules")
    assert r.returncode == 0, r.stdout + r.stderr
    head = " ".join(r.stdout.split())
    assert f"mapping: {len(md.attributes)} rows, 34 subcategories," in head


def test_cli_every_section_at_once(real):
    # the default --section all runs the practice tables before the text evidence: the --k option must
    # reach the text evidence intact (a table of the practice section once took its name)
    r = _cli("--quiet", "mapping", "--k", "3")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Agreement of the two ratings" in r.stdout and "Text evidence (TF-IDF)" in r.stdout


@pytest.mark.parametrize("old,new,expected", [
    ("raw_data,anonymization,", "raw_data,anonymisation,", "unknown attribute path 'raw_data.anonymisation'"),
    (",Anonymization,raw_data,", ",Anonymisation,raw_data,", "unknown subcategory 'Anonymisation'"),
    (",M01-01,", ",M01-99,", "unknown mismatch id 'M01-99'"),
])
def test_bad_mapping_row_exits_2_with_one_line(tmp_path, real, old, new, expected):
    from mlmismatch.mapping.matrix import mapping_dir

    d = tmp_path / "mapping"
    shutil.copytree(mapping_dir(), d)
    f = d / "subcategory_attributes.csv"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    r = _cli("--quiet", "mapping", "--mapping-dir", str(d), "--section", "rules")
    assert r.returncode == 2, r.stdout + r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "subcategory_attributes.csv, row " in lines[0] and expected in lines[0]
    assert "Traceback" not in r.stderr


def test_reproduce_steps_write_contract_files(tmp_path, real, survey_path):
    import csv

    from mlmismatch.pipeline.steps import mapping as mapping_report
    from mlmismatch.pipeline import run as reproduce

    ctx = reproduce.Context(out=tmp_path)
    from mlmismatch.pipeline.steps import practices as practice_report

    for step in [*mapping_report.STEPS, *practice_report.STEPS]:
        step.run(ctx)

    def header(rel: str) -> list[str]:
        with open(tmp_path / rel, newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh))

    assert header("tables/mapping_matrix.csv") == ["category", "subcategory", "descriptor", "attribute", "rule_id"]
    assert header("tables/descriptor_coverage.csv") == ["descriptor", "version", "n_published", "n_derived", "n_both"]
    assert header("tables/descriptor_comparison.csv")[:5] == ["descriptor", "version", "n_published", "n_derived", "n_both"]
    assert "up to date" in (tmp_path / "tables/descriptor_derived_status.md").read_text()
    for rel in ("figures/mapping_matrix.png", "figures/practice_matrix.pdf", "tables/text_evidence_summary.md"):
        assert rel in ctx.written
    # no mismatch text in any output: ids only
    c, _a, _m = real
    texts = [t for t in c.mismatches["info_not_communicated"].dropna().astype(str) if len(t) > 40]
    for rel in ctx.written:
        if rel.endswith((".csv", ".md")):
            body = (tmp_path / rel).read_text(encoding="utf-8")
            assert not any(t[:40] in body for t in texts), rel
