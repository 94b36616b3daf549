"""Reading a new coding round (workbook in the study's layout, tidy CSV) and an extension codebook."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.extend import rounds

HEADER = ["Mismatch", "Quotes", "Mismatch Description", "Information Not Communicated", "Category 1", "Sub-Category 1",
          "Category 2", "Sub-Category 2", "Category 3", "Sub-Category 3"]


def _codebook() -> pd.DataFrame:
    rows = [("TP", "Task and Purpose", "Task"), ("RD", "Raw Data", "Metadata"), ("TM", "Trained Model", "Versioning"),
            ("TM", "Trained Model", "Evaluation Metrics"), ("TD", "Training Data", "Versioning"),
            ("DE", "Development Environment", "Computing Resources"), ("OD", "Operational Data", "Data Rates"),
            ("OE", "Operational Environment", "Computing Resources")]
    return pd.DataFrame([{"category_code": c, "category": n, "subcategory": s, "description": f"{s} ({c})"} for c, n, s in rows])


def _csv(path: Path, rows: list[list], header=("mismatch_id", "coder", "category", "subcategory")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _workbook(path: Path, sheets: dict[str, list[list]], header=HEADER) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(header))
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_csv_round(tmp_path):
    p = _csv(tmp_path / "round.csv", [
        ["M21-01", "ann", "Trained Model (TM)", "(TM) Versioning"],
        ["M21-01", "ann", "TD", "Versioning"],
        ["M21-01", "bob", "trained model", "versioning"],
    ])
    r = rounds.read_round(p, _codebook())
    assert r.coders == ["ann", "bob"]
    c = r.codings
    assert list(c["category_code"]) == ["TM", "TD", "TM"]
    assert list(c["subcategory"]) == ["Versioning"] * 3
    assert list(c["position"]) == [1, 2, 1]
    assert (c["origin"] == "study").all()
    assert r.mismatches.loc[0, "interview"] == 21


def test_workbook_round_with_coder_column(tmp_path):
    header = HEADER + ["Coder"]
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [
        ["M21-01", None, "desc one", "info one", "Trained Model (TM)", "(TM) Versioning", "Operational Data (OD)",
         "(OD) Data Rates", None, None, "ann"],
        ["M21-01", None, "desc one", "info one", "Trained Model (TM)", "(TM) Evaluation Metrics", None, None, None, None, "bob"],
    ]}, header=header)
    r = rounds.read_round(p, _codebook())
    assert r.coders == ["ann", "bob"]
    assert len(r.codings) == 3
    row = r.codings.iloc[1]
    assert (row["sheet"], row["row"], row["column"]) == ("Interview 21", 2, "H")
    assert r.mismatches.loc[0, "description"] == "desc one"


def test_one_workbook_per_coder(tmp_path):
    rows = [["M21-01", None, "d", "i", "Task and Purpose (TP)", "(TP) Task"]]
    a = _workbook(tmp_path / "ann.xlsx", {"Interview 21": rows})
    b = _workbook(tmp_path / "bob.xlsx", {"Interview 21": rows})
    r = rounds.read_round([a, b], _codebook())
    assert r.coders == ["ann", "bob"]
    single = rounds.read_round(a, _codebook(), coder="consensus")
    assert single.coders == ["consensus"]
    assert len(single.instances()) == 1


def test_unknown_code_names_file_sheet_row_column(tmp_path):
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [
        ["M21-01", None, "d", "i", "Trained Model (TM)", "(TM) Versioning"],
        ["M21-02", None, "d", "i", "Trained Model (TM)", "(TM) Model Cards"],
    ]})
    with pytest.raises(InputError) as exc:
        rounds.read_round(p, _codebook())
    msg = str(exc.value)
    assert msg.startswith("round.xlsx, sheet 'Interview 21', row 3, column F (Sub-Category 1): unknown subcategory '(TM) Model Cards'")
    assert "\n" not in msg


def test_unknown_category_in_csv(tmp_path):
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "Model Governance", "Audits"]])
    with pytest.raises(InputError, match=r"r.csv, row 2, column 'category': unknown category 'Model Governance'"):
        rounds.read_round(p, _codebook())


def test_pair_that_does_not_belong_together(tmp_path):
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "Trained Model (TM)", "(OE) Computing Resources"]])
    with pytest.raises(InputError, match=r"row 2, column 'subcategory': subcategory '\(OE\) Computing Resources' belongs "
                                         r"to category \(OE\), not to the pair's category \(TM\)"):
        rounds.read_round(p, _codebook())
    p2 = _csv(tmp_path / "r2.csv", [["M21-01", "ann", "Trained Model", "Data Rates"]])
    with pytest.raises(InputError, match="unknown subcategory 'Data Rates'; expected one of the subcategories of Trained Model"):
        rounds.read_round(p2, _codebook())


def test_missing_coder_column(tmp_path):
    p = _csv(tmp_path / "r.csv", [["M21-01", "TM", "Versioning"]], header=("mismatch_id", "category", "subcategory"))
    with pytest.raises(InputError, match=r"r.csv, row 1: missing column 'coder'"):
        rounds.read_round(p, _codebook())
    # a coder given on the command line stands in for the column
    assert rounds.read_round(p, _codebook(), coder="ann").coders == ["ann"]


def test_missing_category_column_in_workbook(tmp_path):
    header = [h for h in HEADER if h != "Category 2"]
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [["M21-01"]]}, header=header)
    with pytest.raises(InputError, match=r"sheet 'Interview 21', row 1: missing column 'Category 2'"):
        rounds.read_round(p, _codebook())


def test_empty_coder_cell(tmp_path):
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [
        ["M21-01", None, "d", "i", "Trained Model (TM)", "(TM) Versioning", None, None, None, None, None]]},
        header=HEADER + ["Coder"])
    with pytest.raises(InputError, match=r"row 2, column K \(Coder\): mismatch 'M21-01' has no coder"):
        rounds.read_round(p, _codebook())


def test_duplicate_code_for_same_coder(tmp_path):
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "TM", "Versioning"], ["M21-01", "ann", "TM", "(TM) Versioning"]])
    with pytest.raises(InputError, match="coded mismatch 'M21-01' with \\(TM\\) Versioning twice"):
        rounds.read_round(p, _codebook())


def test_id_of_wrong_interview(tmp_path):
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [["M22-01", None, "d", "i", "TP", "Task"]]})
    with pytest.raises(InputError, match="does not belong to interview 21"):
        rounds.read_round(p, _codebook())


def test_unconfirmed_suggestions_are_not_codes(tmp_path):
    header = HEADER + ["Coder", "Suggestion (clear once confirmed)"]
    p = _workbook(tmp_path / "round.xlsx", {"Interview 21": [
        ["M21-01", None, "d", "i", "TM", "Versioning", None, None, None, None, "ann", "machine suggestion"],
        ["M21-02", None, "d", "i", "TM", "Versioning", None, None, None, None, "ann", None],
        ["M21-03", None, "d", "i", None, None, None, None, None, None, "ann", None],
    ]}, header=header)
    r = rounds.read_round(p, _codebook())
    assert list(r.codings["mismatch_id"]) == ["M21-02"]
    assert any("1 row(s) still hold unconfirmed suggestions" in w for w in r.warnings)
    assert any("1 mismatch row(s) have no category/subcategory pair" in w for w in r.warnings)


# --------------------------------------------------------------------------------------------
# Extension codebook
# --------------------------------------------------------------------------------------------

def _ext(tmp_path, rows, header=("category_code", "category", "subcategory", "description")) -> Path:
    return _csv(tmp_path / "ext.csv", rows, header=header)


def test_extension_adds_category_and_subcategory(tmp_path):
    ext = _ext(tmp_path, [["TM", "Trained Model", "Model Cards", "Documentation of the model"],
                          ["HO", "Human Oversight", "Escalation", "Who reviews decisions"],
                          ["", "Human Oversight (HO)", "Audit Trails", "Logs kept for audits"]])
    table = rounds.read_extension(ext, _codebook())
    assert list(table["category_code"]) == ["TM", "HO", "HO"]
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "Human Oversight (HO)", "(HO) Escalation"],
                                  ["M21-01", "ann", "Trained Model (TM)", "(TM) Model Cards"],
                                  ["M21-02", "ann", "HO", "audit trails"]])
    r = rounds.read_round(p, _codebook(), extension=ext)
    assert list(r.codings["origin"]) == ["extension"] * 3
    assert list(r.categories)[-1] == "HO"
    book = r.codebook
    # the new TM subcategory sits in the TM block, the new category at the end
    tm_rows = book.index[book.category_code == "TM"]
    assert book.loc[tm_rows[-1], "subcategory"] == "Model Cards"
    assert list(book["category_code"])[-2:] == ["HO", "HO"]
    inst = r.instances()
    assert list(inst["category"].cat.categories)[-1] == "Human Oversight"


def test_extension_errors(tmp_path):
    cb = _codebook()
    with pytest.raises(InputError, match="new category 'Governance' has no two-letter code"):
        rounds.read_extension(_ext(tmp_path, [["", "Governance", "Audits", "x"]]), cb)
    with pytest.raises(InputError, match="subcategory 'Versioning' of Trained Model is already in the study's codebook"):
        rounds.read_extension(_ext(tmp_path, [["TM", "Trained Model", "Versioning", "x"]]), cb)
    with pytest.raises(InputError, match=r"ext.csv, row 2, column 'description': new subcategory 'Cards' has no description"):
        rounds.read_extension(_ext(tmp_path, [["TM", "Trained Model", "Cards", ""]]), cb)
    with pytest.raises(InputError, match=r"category code \(TM\) is the study's 'Trained Model', not 'Governance'"):
        rounds.read_extension(_ext(tmp_path, [["TM", "Governance", "Audits", "x"]]), cb)
    with pytest.raises(InputError, match="missing column 'description'"):
        rounds.read_extension(_ext(tmp_path, [["TM", "Trained Model", "Cards"]], header=("category_code", "category", "subcategory")), cb)


def test_code_not_in_codebook_or_extension(tmp_path):
    ext = _ext(tmp_path, [["HO", "Human Oversight", "Escalation", "x"]])
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "Governance", "Audits"]])
    with pytest.raises(InputError, match=r"unknown category 'Governance'; expected one of the 8 categories of the codebook "
                                         r"and its extension: .*Human Oversight \(HO\)"):
        rounds.read_round(p, _codebook(), extension=ext)


def test_instances_needs_a_coder_when_several(tmp_path):
    p = _csv(tmp_path / "r.csv", [["M21-01", "ann", "TP", "Task"], ["M21-01", "bob", "TP", "Task"]])
    r = rounds.read_round(p, _codebook())
    with pytest.raises(InputError, match="the round has 2 coders"):
        r.instances()
    assert len(r.instances("bob")) == 1


def test_extension_from_a_template_codebook_sheet(tmp_path):
    """A workbook's 'Code Descriptions' (block layout, Origin column): only its extension rows count."""
    p = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Code Descriptions"
    for row in [["Category", "Sub-Category", "Description", "Origin"],
                ["Trained Model", "Versioning", "Version information", "study"],
                [None, "Model Cards", "Documentation of the model", "extension"],
                ["Human Oversight (HO)", "Escalation", "Who reviews decisions", "extension"],
                [None, "Audit Trails", "Logs kept for audits", "extension"]]:
        ws.append(row)
    wb.save(p)
    ext = rounds.read_extension(p, _codebook())
    assert list(zip(ext.category_code, ext.subcategory)) == [("TM", "Model Cards"), ("HO", "Escalation"), ("HO", "Audit Trails")]


def test_extension_from_a_refi_qda_codebook(tmp_path):
    """Codes added in a QDA tool come back as an extension through the .qdc export/import."""
    from mlmismatch.extend import qda

    added = pd.DataFrame([{"category_code": "TM", "category": "Trained Model", "subcategory": "Model Cards",
                           "description": "Documentation of the model", "origin": "extension"}])
    p = tmp_path / "cb.qdc"
    p.write_bytes(qda.codebook_qdc(rounds.combined_codebook(_codebook(), added)))
    ext = rounds.read_extension(p, _codebook())
    assert list(zip(ext.category_code, ext.category, ext.subcategory, ext.description)) == [
        ("TM", "Trained Model", "Model Cards", "Documentation of the model")]
    no_desc = added.assign(description="")
    p.write_bytes(qda.codebook_qdc(rounds.combined_codebook(_codebook(), no_desc)))
    with pytest.raises(InputError, match=r"cb.qdc, at Code\[@name='\(TM\) Model Cards'\]: new subcategory 'Model Cards' has no description"):
        rounds.read_extension(p, _codebook())
