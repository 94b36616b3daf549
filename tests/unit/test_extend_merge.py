"""Merging a new round with the study: categorization, distribution test, gaps (small study built here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlmismatch.study.codebook import CATEGORY_CODES
from mlmismatch.study.coding import CodingData
from mlmismatch.core.errors import InputError
from mlmismatch.extend import merge as mg
from mlmismatch.extend import rounds

SUBS = {"TP": "Task", "RD": "Metadata", "TM": "Versioning", "TD": "Versioning", "DE": "Computing Resources",
        "OD": "Data Rates", "OE": "Computing Resources"}


def _study() -> CodingData:
    book = pd.DataFrame([{"category_code": c, "category": CATEGORY_CODES[c], "subcategory": s, "description": s}
                         for c, s in SUBS.items()])
    # 14 mismatches in 2 interviews: each category twice
    inst, mism = [], []
    for k, code in enumerate(list(SUBS) * 2):
        iv = 1 + k // 7
        mid = f"M{iv:02d}-{k % 7 + 1:02d}"
        mism.append({"mismatch_id": mid, "interview": iv, "sequence": k % 7 + 1, "description": "", "info_not_communicated": "",
                     "n_codes": 1, "sheet": f"Interview {iv:02d}", "row": k % 7 + 2})
        inst.append({"mismatch_id": mid, "interview": iv, "position": 1, "category_code": code,
                     "category": CATEGORY_CODES[code], "subcategory": SUBS[code], "sheet": f"Interview {iv:02d}",
                     "row": k % 7 + 2, "column": "F"})
    inst = pd.DataFrame(inst)
    inst["category"] = inst["category"].astype(pd.CategoricalDtype(list(CATEGORY_CODES.values()), ordered=True))
    return CodingData(codebook=book, mismatches=pd.DataFrame(mism), instances=inst, quality=pd.DataFrame(),
                      normalizations=pd.DataFrame(), path=Path("study.xlsx"))


def _round(tmp_path, rows, ext=None) -> rounds.Round:
    p = tmp_path / "new.csv"
    p.write_text("mismatch_id,coder,category,subcategory\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return rounds.read_round(p, _study().codebook, extension=ext)


def test_merge_recomputes_the_categorization(tmp_path):
    ext = tmp_path / "ext.csv"
    ext.write_text("category_code,category,subcategory,description\nHO,Human Oversight,Escalation,who reviews\n"
                   "TM,Trained Model,Model Cards,documentation\n", encoding="utf-8")
    rnd = _round(tmp_path, [["M21-01", "adj", "TM", "Versioning"], ["M21-01", "adj", "HO", "Escalation"],
                            ["M21-02", "adj", "TM", "Model Cards"]], ext=ext)
    m = mg.merge(_study(), rnd, round_name="r2", n_perm=199)
    assert len(m.instances) == 14 + 3
    assert set(m.instances["round"]) == {"study", "r2"}
    cats = m.categories.set_index("category")
    assert cats.loc["Trained Model", "n_instances"] == 4
    assert cats.loc["Human Oversight", "n_instances"] == 1
    assert cats["share_pct"].sum() == pytest.approx(100.0)
    subs = m.subcategories.set_index(["category", "subcategory"])
    assert subs.loc[("Trained Model", "Model Cards"), "n_instances"] == 1
    assert subs.loc[("Trained Model", "Versioning"), "share_in_category_pct"] == pytest.approx(75.0)
    gaps = m.gaps.set_index("subcategory")
    assert gaps.loc["Escalation", "mapping_status"].startswith("unmapped")
    assert gaps.loc["Model Cards", "mapping_status"].startswith("unmapped")
    assert (m.gaps[m.gaps.origin == "study"]["mapping_status"] == "as in the study's mapping").all()
    br = m.by_round.set_index("category")
    assert br.loc["Trained Model", "n_study"] == 2 and br.loc["Trained Model", "n_r2"] == 2
    assert br.loc["Trained Model", "share_r2_pct"] == pytest.approx(200 / 3)
    assert "description" not in m.mismatches.columns


def test_distribution_test_detects_a_shift_and_not_its_absence(tmp_path):
    same = _round(tmp_path, [[f"M21-{i + 1:02d}", "adj", c, SUBS[c]] for i, c in enumerate(list(SUBS) * 2)])
    t = mg.merge(_study(), same, n_perm=499).test.iloc[0]
    assert t["chi2"] == pytest.approx(0.0)
    assert t["p_permutation"] == pytest.approx(1.0)
    shifted = _round(tmp_path, [[f"M21-{i + 1:02d}", "adj", "TM", "Versioning"] for i in range(14)])
    t2 = mg.merge(_study(), shifted, n_perm=999, seed=0).test.iloc[0]
    assert t2["p_permutation"] < 0.01 and t2["p_asymptotic"] < 0.01
    assert t2["dof"] == 6 and t2["n_mismatches_new"] == 14
    again = mg.merge(_study(), shifted, n_perm=999, seed=0).test
    assert again.iloc[0]["p_permutation"] == t2["p_permutation"]


def test_merge_rejects_study_ids_and_ambiguous_coders(tmp_path):
    clash = _round(tmp_path, [["M01-01", "adj", "TM", "Versioning"]])
    with pytest.raises(InputError, match="mismatch id 'M01-01' is already one of the study's"):
        mg.merge(_study(), clash)
    two = _round(tmp_path, [["M21-01", "ann", "TM", "Versioning"], ["M21-01", "bob", "TM", "Versioning"]])
    with pytest.raises(InputError, match="the round has 2 coders"):
        mg.merge(_study(), two)
    m = mg.merge(_study(), two, coder="bob", n_perm=9)
    assert m.coder == "bob"
