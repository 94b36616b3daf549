"""The coding template: layout, drop-down validation, suggestions, and the round trip through read_round."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.extend import rounds, suggest, template


def _codebook() -> pd.DataFrame:
    rows = [("TP", "Task and Purpose", "Task"), ("RD", "Raw Data", "Metadata"), ("TM", "Trained Model", "Versioning"),
            ("TD", "Training Data", "Versioning"), ("DE", "Development Environment", "Computing Resources"),
            ("OD", "Operational Data", "Data Rates"), ("OE", "Operational Environment", "Computing Resources")]
    return pd.DataFrame([{"category_code": c, "category": n, "subcategory": s, "description": f"{s} ({c})"} for c, n, s in rows])


def _ext() -> pd.DataFrame:
    return pd.DataFrame([{"category_code": "HO", "category": "Human Oversight", "subcategory": "Escalation",
                          "description": "Who reviews decisions", "origin": "extension"}])


def _mismatches() -> pd.DataFrame:
    return pd.DataFrame([
        {"mismatch_id": "M21-01", "interview": 21, "description": "no model version", "info_not_communicated": "version"},
        {"mismatch_id": "M21-02", "interview": 21, "description": "gpu missing on device", "info_not_communicated": ""},
        {"mismatch_id": "M22-01", "interview": 22, "description": "", "info_not_communicated": ""},
    ])


def test_template_layout_and_validation(tmp_path):
    book = rounds.combined_codebook(_codebook(), _ext())
    path = template.write_template(tmp_path / "t.xlsx", book, _mismatches(), coder="ann")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Code Descriptions", "Interview 21", "Interview 22", "Drop-Down Lists"]
    ws = wb["Interview 21"]
    assert [c.value for c in ws[1]] == template.HEADER
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["M21-01", "M21-02"]
    assert ws["K2"].value == "ann"
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 2
    by_formula = {dv.formula1: str(dv.sqref) for dv in dvs}
    assert by_formula["'Drop-Down Lists'!$A$2:$A$9"] == "E2:E3 G2:G3 I2:I3"
    assert by_formula["'Drop-Down Lists'!$B$2:$B$9"] == "F2:F3 H2:H3 J2:J3"
    assert all(dv.type == "list" and dv.showErrorMessage for dv in dvs)
    dd = wb["Drop-Down Lists"]
    assert dd["A2"].value == "Task and Purpose (TP)" and dd["A9"].value == "Human Oversight (HO)"
    assert dd["B4"].value == "(TM) Versioning" and dd["B9"].value == "(HO) Escalation"
    cb = wb["Code Descriptions"]
    assert [c.value for c in cb[1]] == ["Category", "Sub-Category", "Description", "Origin"]
    assert cb["D9"].value == "extension"


def test_filled_template_reads_back(tmp_path):
    book = rounds.combined_codebook(_codebook(), _ext())
    path = template.write_template(tmp_path / "t.xlsx", book, _mismatches(), coder="ann")
    wb = openpyxl.load_workbook(path)
    ws = wb["Interview 21"]
    ws["E2"], ws["F2"] = "Trained Model (TM)", "(TM) Versioning"
    ws["G2"], ws["H2"] = "Human Oversight (HO)", "(HO) Escalation"
    ws["E3"], ws["F3"] = "Operational Environment (OE)", "(OE) Computing Resources"
    wb.save(path)
    r = rounds.read_round(path, _codebook(), extension=_ext())
    assert r.coders == ["ann"]
    got = list(zip(r.codings.mismatch_id, r.codings.category_code, r.codings.subcategory, r.codings.origin))
    assert got == [("M21-01", "TM", "Versioning", "study"), ("M21-01", "HO", "Escalation", "extension"),
                   ("M21-02", "OE", "Computing Resources", "study")]
    assert any("1 mismatch row(s) have no category/subcategory pair" in w for w in r.warnings)


def test_blank_template_ids():
    ids = template.blank_mismatches(2, 3, first_interview=21)["mismatch_id"].tolist()
    assert ids == ["M21-01", "M21-02", "M21-03", "M22-01", "M22-02", "M22-03"]


def test_suggest_prefills_for_coders_to_confirm(tmp_path):
    mism = pd.DataFrame([{"mismatch_id": f"M{i:02d}-01", "interview": i,
                          "description": ("model version release tag" if i % 2 else "gpu cpu hardware device"),
                          "info_not_communicated": ""} for i in range(1, 11)])
    inst = pd.DataFrame([{"mismatch_id": m, "interview": i, "position": 1,
                          "category_code": "TM" if i % 2 else "OE",
                          "category": "Trained Model" if i % 2 else "Operational Environment",
                          "subcategory": "Versioning" if i % 2 else "Computing Resources"}
                         for m, i in zip(mism.mismatch_id, mism.interview)])
    model = suggest.train(mism, inst, _codebook(), seed=0)
    new = _mismatches()
    sugg = template.suggestions_for(model, new)
    assert set(sugg) == {"M21-01", "M21-02"}  # M22-01 has no text
    assert sugg["M21-01"][0][0] == "(TM) Versioning"
    assert sugg["M21-02"][0][0] == "(OE) Computing Resources"
    book = rounds.combined_codebook(_codebook())
    path = template.write_template(tmp_path / "t.xlsx", book, new, coder="ann", suggestions=sugg)
    wb = openpyxl.load_workbook(path)
    ws = wb["Interview 21"]
    assert ws["L1"].value.startswith("Suggestion")
    assert ws["E2"].value == "Trained Model (TM)" and ws["F2"].value == "(TM) Versioning"
    assert ws["L2"].value.startswith(template.SUGGESTION_TEXT)
    assert "Rows whose Suggestion cell is not cleared are read as not coded." in [c.value for c in wb["Instructions"]["A"]]
    # unconfirmed: nothing is read as coded
    with pytest.raises(InputError, match="no coded mismatches .*2 row\\(s\\) still hold unconfirmed suggestions"):
        rounds.read_round(path, _codebook())
    # the coder confirms M21-01 (clears the cell) and corrects nothing else
    ws["L2"] = None
    wb.save(path)
    r = rounds.read_round(path, _codebook())
    assert list(r.codings.mismatch_id) == ["M21-01"] and r.codings.subcategory.iloc[0] == "Versioning"
    assert any("1 row(s) still hold unconfirmed suggestions" in w for w in r.warnings)
    assert np.all(r.codings.coder == "ann")


def test_read_mismatch_list(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("mismatch_id,description\nM21-01,a\nM21-02,b\n", encoding="utf-8")
    df = template.read_mismatch_list(p)
    assert list(df.mismatch_id) == ["M21-01", "M21-02"] and list(df.interview) == [21, 21]
    p.write_text("mismatch_id,description\nM21-01,a\nM21-01,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"m.csv, row 3, column 'mismatch_id': mismatch id 'M21-01' listed twice"):
        template.read_mismatch_list(p)
