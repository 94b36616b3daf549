"""Detection on the real data: the study's codebook, mapping, frequencies and survey importance,
and a comparison with SEI's TEC tool run on the same example systems."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlmismatch import detect, rules, schemas

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"
SYSTEMS = ["credit-card-fraud", "traffic-signs", "customer-churn"]


def test_rule_subcategories_are_codebook_subcategories(coding_data):
    cb = coding_data.codebook
    labels = {f"({r.category_code}) {r.subcategory}" for r in cb.itertuples()}
    for r in rules.load_rules():
        assert set(r.subcategories) <= labels, r.id


def test_mapping_rule_ids_are_known():
    mapping = detect.load_mapping()
    if mapping is None or "rule_id" not in mapping.columns:
        pytest.skip("the attribute mapping does not list rule ids yet")
    known = {r.id for r in rules.load_rules()}
    used = {x.strip() for cell in mapping["rule_id"] for x in str(cell).replace(",", ";").split(";") if x.strip()}
    assert used <= known


def test_gaps_ranked_with_the_study(coding_data, survey_data, sei_schemas_dir):
    from mlmismatch import survey_stats

    importance = survey_stats.important_by_role(survey_data.responses, survey_data.items)
    mapping = detect.load_mapping()
    assert mapping is not None
    report = detect.check(EXAMPLES / "customer-churn", mapping=mapping, instances=coding_data.instances,
                          importance=importance)
    gaps = [f for f in report.findings if f.kind == "missing"]
    assert gaps and all(g.subcategories for g in gaps)
    assert all(g.frequency and g.frequency > 0 for g in gaps)
    freqs = [g.frequency for g in gaps]
    assert freqs == sorted(freqs, reverse=True)
    for role in detect.roles(importance):
        ranked = detect.rank_gaps(gaps, coding_data.instances, importance, role=role)
        imps = [g.importance or 0 for g in ranked]
        assert imps == sorted(imps, reverse=True)


def test_attributes_all_versions(sei_schemas_dir):
    df = schemas.attributes()
    counts = df.groupby("version").size()
    assert counts["1.1"] > counts["1.0"]  # 1.1 added attributes
    assert counts.to_dict() == {"1.0": 255, "1.1": 263, "1.2": 262}  # the pinned SEI schemas
    assert not df.duplicated(["descriptor", "version", "path"]).any()


# -------------------------------------------------------------------------------------------
# TEC comparison (needs a git mirror of cmu-sei/TEC; its code is imported from a temporary copy)
# -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tec(tmp_path_factory):
    module = rules.load_tec_detection(workdir=tmp_path_factory.mktemp("tec") / "helpers")
    if module is None:
        pytest.skip(f"no TEC mirror (set {rules.TEC_MIRROR_ENV})")
    return module


def _tec_labels(tec, docs):
    messages = rules.tec_rule_messages()
    project = rules.tec_project_json({d.kind: d.migrated for d in docs})
    post = bool((project.get("trained_model") or {}).get("post_processing"))
    labels = set()
    for m in tec.all_document_mismatches(project):
        label = messages[m["message"]]
        if post and label in ("3A", "3B", "3C"):  # 4A-4C reuse the messages of 3A-3C
            label = "4" + label[1]
        labels.add(label)
    return labels


@pytest.mark.parametrize("system", SYSTEMS)
def test_same_rules_fire_as_in_tec(tec, system, sei_schemas_dir):
    docs = detect.load_system(EXAMPLES / system)
    ours = {f.sei_rule for f in detect.rule_findings(docs) if f.sei_rule}
    theirs = _tec_labels(tec, docs)
    # the only planted difference: TEC's rule 15 pairs statistics by property only and misses one
    known = {"customer-churn": ({"15"}, set())}
    only_ours, only_theirs = known.get(system, (set(), set()))
    assert ours - theirs == only_ours
    assert theirs - ours == only_theirs
