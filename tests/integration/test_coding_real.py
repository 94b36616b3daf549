"""The real coding workbook: totals, every category and subcategory count, the quality report."""

from __future__ import annotations

import pytest

from mlmismatch.analyses import categories as c

# Counts recomputed from the workbook's per-interview sheets; the workbook's own pivot tables
# (sheet 'Interview Statistics') state the same numbers, which the loader cross-checks.
CATEGORY_COUNTS = {
    "Trained Model": 84, "Operational Environment": 38, "Task and Purpose": 34, "Raw Data": 23,
    "Development Environment": 21, "Operational Data": 19, "Training Data": 13,
}
SUBCATEGORY_COUNTS = {
    ("Trained Model", "Test Cases and Data"): 14, ("Trained Model", "API/Specifications"): 14,
    ("Trained Model", "Decisions, Assumptions, Limitations and Constraints"): 12,
    ("Trained Model", "Model Output Interpretation"): 12,
    ("Trained Model", "Programming Language/ML Framework/Tools/Libraries"): 10,
    ("Trained Model", "Evaluation Metrics"): 9, ("Trained Model", "Versioning"): 7,
    ("Trained Model", "System Configuration Requirements"): 4, ("Trained Model", "Data Buffering/Window Requirements"): 2,
    ("Operational Environment", "Runtime Metrics and Data"): 20, ("Operational Environment", "Computing Resources"): 13,
    ("Operational Environment", "Required Model Inference Time"): 5,
    ("Task and Purpose", "Business Goals"): 10, ("Task and Purpose", "Success Criteria"): 9,
    ("Task and Purpose", "Task"): 6, ("Task and Purpose", "Usage Context"): 5,
    ("Task and Purpose", "Data Rights and Policies"): 4,
    ("Raw Data", "Metadata"): 11, ("Raw Data", "Data Dictionary"): 7, ("Raw Data", "Proxy Data"): 3,
    ("Raw Data", "Anonymization"): 1, ("Raw Data", "Restrictions"): 1,
    ("Development Environment", "Programming Language/ML Framework/Tools/Libraries"): 10,
    ("Development Environment", "Upstream and Downstream System Components"): 8,
    ("Development Environment", "Computing Resources"): 2,
    ("Development Environment", "Development and Integration Timelines"): 1,
    ("Operational Data", "Data Statistics"): 7, ("Operational Data", "Data Sources"): 4,
    ("Operational Data", "Data Pipelines"): 4, ("Operational Data", "Data Syntax and Semantics"): 3,
    ("Operational Data", "Data Rates"): 1,
    ("Training Data", "Data Preparation Pipelines"): 8, ("Training Data", "Data Statistics"): 3,
    ("Training Data", "Versioning"): 2,
}

pytestmark = pytest.mark.integration


def test_totals(coding_data):
    assert len(coding_data.mismatches) == 140
    assert len(coding_data.instances) == 232
    assert coding_data.n_interviews == 20
    assert len(coding_data.codebook) == 34
    assert coding_data.codebook.category.nunique() == 7
    assert coding_data.mismatches.mismatch_id.is_unique
    assert coding_data.mismatches.n_codes.sum() == 232


def test_every_category_count(coding_data):
    got = c.category_counts(coding_data.instances).set_index("category").n_instances.to_dict()
    assert got == CATEGORY_COUNTS


def test_every_subcategory_count(coding_data):
    df = c.subcategory_counts(coding_data.instances, coding_data.codebook)
    got = {(r.category, r.subcategory): r.n_instances for r in df.itertuples()}
    assert got == SUBCATEGORY_COUNTS
    assert len(got) == 34


def test_pairs_and_interviews(coding_data):
    per = c.mismatches_per_interview(coding_data.mismatches)
    assert per.n_mismatches.sum() == 140 and len(per) == 20
    assert per.set_index("interview").n_mismatches[2] == 11 and per.set_index("interview").n_mismatches[20] == 2
    pairs = c.pairs_per_mismatch(coding_data.mismatches)
    assert (pairs.n_codes * pairs.n_mismatches).sum() == 232


def test_quality_report(coding_data):
    q = coding_data.quality
    assert "disagrees" not in set(q.status), q[q.status == "disagrees"]
    agrees = set(q[q.status == "agrees"].check)
    assert {"interview statistics: mismatches per interview", "interview statistics: total",
            "mismatch sheet vs interview sheets", "interview statistics pivot vs instances",
            "drop-down lists vs codebook", "mismatch id sequence"} <= agrees
    pivot = q[q.check == "interview statistics pivot vs instances"].detail.iloc[0]
    assert pivot.startswith("41 ")  # 7 categories + 34 subcategories
    normalized = q[q.status == "normalized"]
    assert any("System Configuration Requirements" in d for d in normalized.detail)
    assert any("Information that was Not Communicated" in d for d in normalized.detail)
