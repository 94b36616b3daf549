"""Categorization functions on a hand-computed small coding."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import build_coding_workbook

from mlmismatch.analyses import categories as c
from mlmismatch.study import coding


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    # 5 mismatches, 9 instances: TM 5, OE 2, TP 1, RD 1 (see builders.DEFAULT_INTERVIEWS)
    return coding.load_coding(path=build_coding_workbook(tmp_path_factory.mktemp("c") / "c.xlsx"))


def test_category_counts(data):
    df = c.category_counts(data.instances)
    assert list(df.columns) == ["category", "category_code", "n_instances", "share_pct"]
    top = df.set_index("category")
    assert top.loc["Trained Model", "n_instances"] == 5
    assert top.loc["Trained Model", "share_pct"] == pytest.approx(100 * 5 / 9)
    assert top.loc["Operational Environment", "n_instances"] == 2
    assert top.loc["Training Data", "n_instances"] == 0  # every codebook category appears
    assert df.share_pct.sum() == pytest.approx(100)
    # sorted by count, ties in codebook order (TP before RD)
    assert df.category.tolist()[:4] == ["Trained Model", "Operational Environment", "Task and Purpose", "Raw Data"]


def test_subcategory_counts_share_within_category(data):
    df = c.subcategory_counts(data.instances, data.codebook)
    tm = df[df.category == "Trained Model"].set_index("subcategory")
    assert tm.loc["API/Specifications", "n_instances"] == 3
    assert tm.loc["API/Specifications", "share_in_category_pct"] == pytest.approx(60.0)
    assert tm.loc["Versioning", "share_in_category_pct"] == pytest.approx(40.0)
    assert tm.loc["System Configuration Requirements", "n_instances"] == 0
    # Versioning exists in two categories; they are counted apart
    td = df[(df.category == "Training Data") & (df.subcategory == "Versioning")]
    assert td.n_instances.tolist() == [0] and td.share_in_category_pct.tolist() == [0.0]
    assert len(df) == len(data.codebook)


def test_subcategory_outside_codebook_is_an_error(data):
    inst = data.instances.copy()
    inst["subcategory"] = inst["subcategory"].replace({"Task": "Made Up"})
    with pytest.raises(ValueError, match="Made Up"):
        c.subcategory_counts(inst, data.codebook)


def test_mismatches_per_interview_and_pairs(data):
    per = c.mismatches_per_interview(data.mismatches, data.instances)
    assert per.to_dict("list") == {"interview": [1, 2], "n_mismatches": [2, 3], "n_instances": [3, 6]}
    pairs = c.pairs_per_mismatch(data.mismatches)
    assert pairs.n_mismatches.tolist() == [2, 2, 1]
    assert pairs.share_pct.tolist() == pytest.approx([40, 40, 20])


def test_cooccurrence(data):
    mat = c.cooccurrence(data.instances)
    assert mat.loc["Trained Model", "Trained Model"] == 4  # M01-01 has two TM pairs: counted once
    assert mat.loc["Trained Model", "Operational Environment"] == 1  # M02-03
    assert mat.loc["Task and Purpose", "Raw Data"] == 1 and mat.loc["Raw Data", "Task and Purpose"] == 1
    assert (mat.values == mat.values.T).all()
    long = c.cooccurrence_long(data.instances)
    assert len(long) == 7 * 8 // 2
    multi = c.multi_category_mismatches(data.instances)
    assert multi.set_index("n_categories").n_mismatches.to_dict() == {1: 3, 2: 1, 3: 1}


def test_categories_accept_plain_string_categories():
    inst = pd.DataFrame({"mismatch_id": ["A", "B"], "category": ["Raw Data", "New Category"],
                         "subcategory": ["Metadata", "X"]})
    df = c.category_counts(inst)
    assert set(df.category) >= {"Raw Data", "New Category"}
    assert df.set_index("category").loc["New Category", "n_instances"] == 1
