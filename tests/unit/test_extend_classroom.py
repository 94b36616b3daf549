"""A class against an answer key (mlmismatch.extend.classroom) on codings the test writes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.extend import classroom, rounds

BOOK = pd.DataFrame([
    {"category_code": "TM", "category": "Trained Model", "subcategory": "Versioning", "description": "model version"},
    {"category_code": "TM", "category": "Trained Model", "subcategory": "Evaluation Metrics", "description": "metrics"},
    {"category_code": "TD", "category": "Training Data", "subcategory": "Versioning", "description": "data version"},
    {"category_code": "OE", "category": "Operational Environment", "subcategory": "Computing Resources",
     "description": "hardware"},
])

KEY = {"X01-01": [("TM", "Versioning"), ("TD", "Versioning")], "X01-02": [("OE", "Computing Resources")],
       "X01-03": [("TM", "Evaluation Metrics")]}
STUDENTS = {
    "ann": KEY,                                                            # the key, exactly
    "bob": {"X01-01": [("TM", "Versioning")], "X01-02": [("OE", "Computing Resources")],
            "X01-03": [("TM", "Evaluation Metrics"), ("TM", "Versioning")]},  # misses TD, adds TM Versioning
    "cem": {"X01-01": [("TM", "Versioning")], "X01-02": [("OE", "Computing Resources")]},  # misses TD, skips X01-03
}


def _round(tmp_path, students=STUDENTS):
    names = {c: n for c, n in zip(BOOK.category_code, BOOK.category)}
    rows = [{"mismatch_id": m, "coder": who, "category": names[c], "subcategory": s}
            for who, codes in {"key": KEY, **students}.items() for m, pairs in codes.items() for c, s in pairs]
    path = tmp_path / "class.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return rounds.read_round(path, BOOK)


def test_per_student_summary(tmp_path):
    rnd = _round(tmp_path)
    s = classroom.class_summary(rnd.codings, rnd.codebook, "key").students.set_index(["student", "level"])
    ann, bob, cem = (s.loc[(n, "subcategory")] for n in ("ann", "bob", "cem"))
    assert (ann.n_exact, ann.n_matched, ann.n_missed, ann.n_extra, ann.cohen_kappa) == (3, 4, 0, 0, 1.0)
    assert (bob.n_mismatches, bob.n_exact, bob.n_matched, bob.n_missed, bob.n_extra) == (3, 1, 3, 1, 1)
    assert bob.precision == pytest.approx(3 / 4) and bob.recall == pytest.approx(3 / 4)
    assert (cem.n_mismatches, cem.n_not_coded, cem.n_exact, cem.n_missed, cem.n_extra) == (2, 1, 1, 1, 0)
    # Cohen's kappa of bob against the key, pooled over the 4 codes x 3 mismatches, by hand:
    # key 1 1 0 0 | 0 0 0 1 | 0 1 0 0 ; bob 1 0 0 0 | 0 0 0 1 | 1 1 0 0 (TM Ver, TM Eval, TD Ver, OE CR)
    p_o = 10 / 12
    p_e = (4 / 12) * (4 / 12) + (8 / 12) * (8 / 12)
    assert bob.cohen_kappa == pytest.approx((p_o - p_e) / (1 - p_e))
    cat = s.loc[("bob", "category")]
    assert (cat.n_matched, cat.n_missed, cat.n_extra) == (3, 1, 0)  # TM is right in X01-03 at the category level


def test_hardest_codes_and_mismatches(tmp_path):
    rnd = _round(tmp_path)
    summary = classroom.class_summary(rnd.codings, rnd.codebook, "key")
    hardest = summary.hardest("subcategory", 2)
    assert hardest.code.tolist() == ["(TD) Versioning", "(TM) Versioning"]
    td = hardest.iloc[0]
    assert (td.n_key, td.n_expected, td.n_found, td.n_missed, td.n_students_missed) == (1, 3, 1, 2, 2)
    assert td.f1 == pytest.approx(2 / 4)
    tm = hardest.iloc[1]
    assert (tm.n_found, tm.n_missed, tm.n_extra) == (3, 0, 1) and tm.f1 == pytest.approx(6 / 7)
    mism = summary.mismatches.set_index("mismatch_id")
    assert mism.loc["X01-01", "most_common_miss"] == "(TD) Versioning (2 of 3)"
    assert (mism.loc["X01-03", "n_students"], mism.loc["X01-03", "n_exact"]) == (2, 1)
    assert math.isclose(mism.loc["X01-02", "pct_exact"], 100.0)


def test_key_must_be_a_coder_and_students_needed(tmp_path):
    rnd = _round(tmp_path)
    with pytest.raises(InputError, match="answer key 'nobody' is not among the coders"):
        classroom.class_summary(rnd.codings, rnd.codebook, "nobody")
    only_key = rnd.codings[rnd.codings.coder == "key"]
    with pytest.raises(InputError, match="only the answer key"):
        classroom.class_summary(only_key, rnd.codebook, "key")


def test_student_codes_outside_the_key_are_noted(tmp_path):
    rnd = _round(tmp_path, {**STUDENTS, "dan": {"X09-01": [("TM", "Versioning")], **KEY}})
    summary = classroom.class_summary(rnd.codings, rnd.codebook, "key")
    assert any("X09-01" in n for n in summary.notes)
    assert "dan" in set(summary.students.student)


def test_teaching_files_are_packaged():
    for name in classroom.TEACHING_FILES:
        assert classroom.teaching_path(name).is_file()
    with pytest.raises(ValueError):
        classroom.teaching_path("solutions.csv")
