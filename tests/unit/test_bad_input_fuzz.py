"""A fuzz pass (Hypothesis) through the public entry point, the command line.

Generated coding-round CSVs, workbook-like inputs (grids of cells in interview sheets) and byte-level
damage to valid workbooks and REFI-QDA projects go through `mlmismatch code agreement` and `code
import-qdpx`. Whatever comes in, the exit code is 0, 1 or 2, and stderr holds neither a traceback nor
the catch-all "unexpected ... (a bug)" line: every failure is a located bad-input message.
The example counts are small so that the suite stays fast (``MLMISMATCH_FUZZ_EXAMPLES=N`` runs N
random examples instead); the Hypothesis database is off (no files are written outside the
temporary folders).
"""

from __future__ import annotations

import csv
import io
import itertools
import os

import pytest

from hostile import TWO_CODERS, env  # noqa: F401 (env is a fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: MLMISMATCH_FUZZ_EXAMPLES=500 runs a longer, randomized pass (the default is 25 examples, always the same ones)
LONG = os.environ.get("MLMISMATCH_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(LONG or 25), deadline=None, database=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

LABELS = ["Trained Model (TM)", "(TM) Versioning", "(TM) API/Specifications", "Raw Data (RD)", "(RD) Metadata", "TM",
          "Versioning", "(OE) Computing Resources", "Operational Environment (OE)", "(XX) Nothing", "Hardware (HW)"]
NASTY = ["", " ", "[/x]", "[bold]", ":x:", "=1+1", "+cmd", "-2", "@SUM(1)", "\t", "\r\n", "\x00", "1e400", "inf", "nan",
         "M21-01", "M1-1", "M999-999", "M21-01 ", "é", "\u202e", "\"quoted\"", "a,b", "x" * 300]
HEADERS = ["mismatch_id", "coder", "category", "subcategory", "interview", "description", "position", "Mismatch_ID", ""]

text = st.one_of(st.sampled_from(LABELS + NASTY), st.text(max_size=20))
counter = itertools.count()


def _check(res):
    assert res.code in (0, 1, 2), (res.code, res.err[-2000:])
    assert "Traceback" not in res.err and "unexpected" not in res.err, res.err[-2000:]


@FUZZ
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
       rows=st.lists(st.lists(text, max_size=7), max_size=8),
       good_rows=st.integers(0, 6), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
def test_fuzz_coding_round_csv(header, rows, good_rows, encoding, tmp_path, env, cli):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerows([list(r) for r in TWO_CODERS[:good_rows]])
    path = tmp_path / f"round{next(counter)}.csv"
    try:
        path.write_bytes(buf.getvalue().encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(buf.getvalue().encode("utf-8", errors="replace"))
    _check(cli("code", "agreement", str(path), "--boot", "5", env=env))


CANONICAL = ["Mismatch", "Quotes", "Mismatch Description", "Information Not Communicated", "Category 1", "Sub-Category 1",
             "Category 2", "Sub-Category 2", "Category 3", "Sub-Category 3", "Coder"]
cell = st.one_of(text, st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                 st.booleans())


@FUZZ
@given(sheet=st.sampled_from(["Interview 21", "Interview 1", "Interview 999", "interview 21 ", "Code Descriptions", "Interview (x)"]),
       header=st.one_of(st.just(CANONICAL), st.permutations(CANONICAL), st.lists(st.sampled_from(CANONICAL + NASTY), max_size=12)),
       rows=st.lists(st.lists(cell, max_size=12), max_size=6))
def test_fuzz_workbook_like_inputs(sheet, header, rows, tmp_path, env, cli):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def legal(v):  # characters openpyxl cannot write are no input a workbook can hold
        return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([legal(v) for v in header])
    for row in rows:
        ws.append([legal(v) for v in row])
    for r in ws.iter_rows():
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"
    path = tmp_path / f"round{next(counter)}.xlsx"
    try:
        wb.save(path)
    except (ValueError, TypeError):  # openpyxl refuses some control characters: not an input to test
        return
    _check(cli("code", "agreement", str(path), "--boot", "5", env=env))


@pytest.fixture
def valid_files(tmp_path, env):
    """A valid round workbook (from `code template`, filled) and a valid .qdpx, as bytes."""
    from hostile import round_csv

    from mlmismatch.extend import qda, rounds
    from mlmismatch.study import coding

    data = coding.load_coding(path=tmp_path / "data" / "replication-package" / "Mismatch-Open-Coding-Final.xlsx")
    rnd = rounds.read_round(round_csv(tmp_path / "two.csv", TWO_CODERS), data.codebook)
    from mlmismatch.extend.template import write_template

    write_template(tmp_path / "t.xlsx", rounds.combined_codebook(data.codebook), coder="ann")
    return {"xlsx": (tmp_path / "t.xlsx").read_bytes(), "qdpx": qda.project_qdpx(rnd)}


@FUZZ
@given(kind=st.sampled_from(["xlsx", "qdpx"]),
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzz_damaged_archives(kind, edits, cut, tmp_path, env, valid_files, cli):
    data = bytearray(valid_files[kind])
    for where, junk in edits:
        pos = int(where * len(data))
        data[pos:pos + len(junk)] = junk
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / f"damaged{next(counter)}.{kind}"
    path.write_bytes(bytes(data))
    if kind == "xlsx":
        res = cli("code", "agreement", str(path), "--boot", "5", env=env)
    else:
        res = cli("code", "import-qdpx", str(path), str(tmp_path / "out.csv"), env=env)
    _check(res)
