"""The coding-workbook loader on small synthetic workbooks: tables, normalizations, cross-checks, errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from builders import HEADER, build_coding_workbook, coding_load_error

from mlmismatch.study import coding


@pytest.fixture
def wb(tmp_path):
    return build_coding_workbook(tmp_path / "coding.xlsx")


def test_tables_have_the_expected_rows(wb):
    data = coding.load_coding(path=wb)
    assert len(data.codebook) == 11
    assert list(data.codebook.columns) == ["category_code", "category", "subcategory", "description"]
    assert list(data.mismatches.mismatch_id) == ["M01-01", "M01-02", "M02-01", "M02-02", "M02-03"]
    assert list(data.mismatches.n_codes) == [2, 1, 3, 1, 2]
    assert len(data.instances) == 9
    first = data.instances.iloc[0]
    assert (first.mismatch_id, first.position, first.category_code, first.subcategory) == (
        "M01-01", 1, "TM", "API/Specifications")
    assert (first.sheet, first.row, first.column) == ("Interview 01", 2, "F")
    assert "quotes" not in " ".join(data.mismatches.columns).lower()


def test_codebook_spelling_is_normalized_and_listed(wb):
    data = coding.load_coding(path=wb)
    assert "System Configuration Requirements" in set(data.codebook.subcategory)
    norm = data.quality[data.quality.check == "normalization: codebook"]
    assert len(norm) == 1 and "white space" in norm.detail.iloc[0]


def test_case_and_space_variants_are_normalized(tmp_path):
    interviews = {1: [("M01-01", [("Trained Model", "api/specifications ")])]}
    data = coding.load_coding(path=build_coding_workbook(tmp_path / "c.xlsx", interviews))
    assert data.instances.subcategory.tolist() == ["API/Specifications"]
    rows = data.quality[data.quality.check == "normalization: subcategory"]
    assert len(rows) == 1
    assert "case" in rows.detail.iloc[0] and "white space" in rows.detail.iloc[0]


def test_header_spelling_variant_is_accepted_and_reported(tmp_path):
    header = list(HEADER)
    header[3] = "Information that was Not Communicated"
    data = coding.load_coding(path=build_coding_workbook(tmp_path / "c.xlsx", headers={2: header}))
    assert len(data.mismatches) == 5
    q = data.quality[data.quality.check == "normalization: header"]
    assert q.location.tolist() == ["sheet 'Interview 02', row 1, column D"]


def test_cross_checks_agree_on_a_consistent_workbook(wb):
    q = coding.load_coding(path=wb).quality
    checks = q[~q.check.str.startswith("normalization")]
    assert set(checks.status) == {"agrees"}, checks
    assert {"drop-down lists vs codebook", "interview statistics: mismatches per interview",
            "mismatch sheet vs interview sheets", "mismatch id sequence"} <= set(checks.check)


def test_summary_sheet_disagreement_is_reported_not_fixed(tmp_path):
    path = build_coding_workbook(tmp_path / "c.xlsx", stats={1: 2, 2: 4})
    data = coding.load_coding(path=path)
    assert len(data.mismatches) == 5  # the interview sheets win; the summary is only reported
    bad = data.quality[data.quality.status == "disagrees"]
    assert any("summary says 4, the interview sheet has 3" in d for d in bad.detail)
    assert any("summary total 6, mismatches loaded 5" in d for d in bad.detail)


def test_pivot_disagreement_is_reported(tmp_path):
    data = coding.load_coding(path=build_coding_workbook(tmp_path / "c.xlsx", pivot={"Trained Model": 7}))
    bad = data.quality[data.quality.check == "interview statistics pivot vs instances"]
    assert bad.status.tolist() == ["disagrees"]
    assert "pivot says Trained Model (TM) = 7, recomputed 5" in bad.detail.iloc[0]
    assert bad.location.iloc[0].startswith("sheet 'Interview Statistics', row")


def test_mismatch_sheet_disagreement_is_reported(tmp_path):
    def drop_last(wb):
        ws = wb["Mismatch Sheet"]
        ws.delete_rows(ws.max_row)

    data = coding.load_coding(path=build_coding_workbook(tmp_path / "c.xlsx", mutate=drop_last))
    bad = data.quality[(data.quality.check == "mismatch sheet vs interview sheets") & (data.quality.status == "disagrees")]
    assert len(bad) == 1 and "1 fewer instance(s) of (TM) API/Specifications" in bad.detail.iloc[0]


def test_sequence_gap_is_reported(tmp_path):
    interviews = {1: [("M01-01", [("Raw Data", "Metadata")]), ("M01-03", [("Raw Data", "Metadata")])]}
    q = coding.load_coding(path=build_coding_workbook(tmp_path / "c.xlsx", interviews)).quality
    assert "disagrees" in set(q[q.check == "mismatch id sequence"].status)


# --- bad input: one line naming file, sheet, row and column -------------------------------------------------

def test_missing_file(tmp_path):
    msg = coding_load_error(tmp_path / "nope.xlsx")
    assert "nope.xlsx" in msg and "not found" in msg and "mlmismatch fetch" in msg


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("hello")
    assert coding_load_error(path) == "fake.xlsx: not an Excel workbook (.xlsx); expected an .xlsx file"


def test_missing_sheet(tmp_path):
    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", drop_sheets=["Code Descriptions"]))
    assert msg.startswith("c.xlsx: missing sheet 'Code Descriptions'")


def test_missing_column(tmp_path):
    header = [h for h in HEADER if h != "Category 2"]
    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", headers={2: header}))
    assert msg.startswith("c.xlsx, sheet 'Interview 02', row 1: missing column 'Category 2'")


def test_unknown_category(tmp_path):
    def bad(wb):
        wb["Interview 02"]["G2"] = "Hardware (HW)"

    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", mutate=bad))
    assert msg.startswith("c.xlsx, sheet 'Interview 02', row 2, column G (Category 2): unknown category 'Hardware (HW)'")
    assert "expected one of the 7 codebook categories" in msg


def test_unknown_subcategory(tmp_path):
    def bad(wb):
        wb["Interview 01"]["F3"] = "(OE) GPU Count"

    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", mutate=bad))
    assert msg.startswith("c.xlsx, sheet 'Interview 01', row 3, column F (Sub-Category 1): unknown subcategory '(OE) GPU Count'")


def test_pair_from_two_categories(tmp_path):
    def bad(wb):
        wb["Interview 01"]["F3"] = "(TM) Versioning"

    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", mutate=bad))
    assert "row 3, column F" in msg and "belongs to category (TM), not to the pair's category (OE)" in msg


def test_duplicate_mismatch_id(tmp_path):
    interviews = {1: [("M01-01", [("Raw Data", "Metadata")]), ("M01-01", [("Raw Data", "Metadata")])]}
    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", interviews))
    assert msg.startswith("c.xlsx, sheet 'Interview 01', row 3, column A (Mismatch): mismatch id 'M01-01' seen twice")


def test_malformed_and_misplaced_ids(tmp_path):
    msg = coding_load_error(build_coding_workbook(tmp_path / "a.xlsx", {1: [("X1", [("Raw Data", "Metadata")])]}))
    assert "row 2, column A (Mismatch): mismatch id 'X1' is not of the form Mnn-nn" in msg
    msg = coding_load_error(build_coding_workbook(tmp_path / "b.xlsx", {1: [("M02-01", [("Raw Data", "Metadata")])]}))
    assert "does not belong to interview 1" in msg


def test_category_without_subcategory(tmp_path):
    msg = coding_load_error(build_coding_workbook(tmp_path / "c.xlsx", {1: [("M01-01", [("Raw Data", None)])]}))
    assert "row 2, column F (Sub-Category 1): category 'Raw Data (RD)' without a subcategory" in msg


def test_cli_reports_bad_input_in_one_line_with_exit_2(tmp_path):
    def bad(wb):
        wb["Interview 02"]["G2"] = "Hardware (HW)"

    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    build_coding_workbook(folder / "Mismatch-Open-Coding-Final.xlsx", mutate=bad)
    proc = subprocess.run([sys.executable, "-m", "mlmismatch", "--data-dir", str(tmp_path / "data"), "-q",
                           "categories"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "Mismatch-Open-Coding-Final.xlsx, sheet 'Interview 02', row 2, column G (Category 2): unknown category" in lines[0]


def test_data_check_without_survey_reports_the_coding_workbook(tmp_path):
    """`data check` covers the survey only "when available": a data folder without it still exits 0."""
    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    build_coding_workbook(folder / "Mismatch-Open-Coding-Final.xlsx")
    proc = subprocess.run([sys.executable, "-m", "mlmismatch", "--data-dir", str(tmp_path / "data"), "data", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Coding workbook: Mismatch-Open-Coding-Final.xlsx" in proc.stdout
    assert "survey checks skipped: missing file replication-package/Survey-Data-Final.xlsx" in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr
