"""Bad input, family by family: malformed XML inside a valid .xlsx, and workbooks built to exhaust resources.

Every case is built here from a small valid workbook (tests/support/builders.py), then broken in one
way. Each ends in one located line and exit 2, or, where the input is legitimate (a sheet that
declares 1,048,576 rows but holds a few), in the correct result; never a traceback, a hang or
unbounded memory. The heavy cases run in a child process whose peak memory is measured.
"""

from __future__ import annotations

import re

import pytest
from builders import build_coding_workbook, coding_load_error
from hostile import (BILLION_LAUGHS, CODING_FILE, XXE, bomb_member, corrupt_member, lie_about_size, members,
                     replace_member, run_measured, set_encrypted, sheet_member, study_data_dir, write_zip)

from mlmismatch.study import coding

MiB = 1 << 20


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A small valid coding workbook (5 mismatches, 9 coded instances)."""
    return build_coding_workbook(tmp_path_factory.mktemp("good") / "c.xlsx")


def _no_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _interview_sheet(good) -> str:
    return sheet_member(good, "Interview 02")


# --------------------------------------------------------------------------------------------
# Malformed XML inside a valid zip
# --------------------------------------------------------------------------------------------

def test_sheet_part_cut_short(good, tmp_path):
    name = _interview_sheet(good)
    bad = replace_member(good, tmp_path / "cut.xlsx", name, transform=lambda x: x[: len(x) // 2])
    msg = coding_load_error(bad)
    assert msg.startswith(f"cut.xlsx:{name}, line ") and "not well-formed XML" in msg


def test_shared_strings_cut_short(good, tmp_path):
    bad = replace_member(good, tmp_path / "ss.xlsx", "xl/sharedStrings.xml", transform=lambda x: x[:-40]) \
        if "xl/sharedStrings.xml" in members(good) else None
    if bad is None:  # openpyxl writes inline strings: add a shared-strings part that is cut short
        parts = members(good)
        parts["xl/sharedStrings.xml"] = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a'
        bad = write_zip(tmp_path / "ss.xlsx", parts)
    msg = coding_load_error(bad)
    assert "ss.xlsx:xl/sharedStrings.xml" in msg and "not well-formed XML" in msg


def test_workbook_part_with_garbage(good, tmp_path):
    bad = replace_member(good, tmp_path / "wb.xlsx", "xl/workbook.xml", data=b"<workbook><sheets></workbook>")
    msg = coding_load_error(bad)
    assert "wb.xlsx:xl/workbook.xml, line 1" in msg and "mismatched tag" in msg


def test_a_zip_that_is_no_workbook(tmp_path):
    bad = write_zip(tmp_path / "other.xlsx", {"readme.txt": b"hello"})
    assert coding_load_error(bad).startswith("other.xlsx: not a readable Excel workbook (")


def test_empty_file(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert coding_load_error(tmp_path / "empty.xlsx") == "empty.xlsx: not an Excel workbook (.xlsx); expected an .xlsx file"


def test_sheet_that_is_valid_xml_but_not_a_sheet(good, tmp_path):
    name = _interview_sheet(good)
    bad = replace_member(good, tmp_path / "odd.xlsx", name,
                         data=b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                              b'<sheetData><row r="x"><c r="??"><v>1</v></c></row></sheetData></worksheet>')
    msg = coding_load_error(bad)
    assert "odd.xlsx" in msg and ("sheet 'Interview 02'" in msg or "not a readable Excel workbook" in msg)


# --------------------------------------------------------------------------------------------
# XML that attacks the parser
# --------------------------------------------------------------------------------------------

def test_billion_laughs_in_a_sheet(good, tmp_path):
    name = _interview_sheet(good)
    bad = replace_member(good, tmp_path / "laughs.xlsx", name, transform=lambda x: BILLION_LAUGHS + _no_declaration(x))
    msg = coding_load_error(bad)
    assert f"laughs.xlsx:{name}" in msg and "DTD, which is not accepted" in msg


def test_external_entity_in_shared_strings(good, tmp_path):
    parts = members(good)
    parts["xl/sharedStrings.xml"] = XXE + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
    msg = coding_load_error(write_zip(tmp_path / "xxe.xlsx", parts))
    assert "xxe.xlsx:xl/sharedStrings.xml" in msg and "not accepted" in msg


def test_sheet_nested_3000_levels(good, tmp_path):
    name = _interview_sheet(good)
    deep = b"<x>" * 3000 + b"</x>" * 3000
    bad = replace_member(good, tmp_path / "deep.xlsx", name, transform=lambda x: x.replace(b"</sheetData>", deep + b"</sheetData>"))
    msg = coding_load_error(bad)
    assert f"deep.xlsx:{name}" in msg and "nested deeper than 64 levels" in msg


def test_openpyxl_must_parse_with_defusedxml(good, monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert "openpyxl is not using defusedxml" in coding_load_error(good)


# --------------------------------------------------------------------------------------------
# Declared dimensions are not trusted: legitimate input, correct result
# --------------------------------------------------------------------------------------------

def _with_dimension(xml: bytes, ref: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="' + ref + b'"/>', xml)


def test_declared_million_rows_are_not_trusted(good, tmp_path):
    """A sheet that declares A1:XFD1048576 but holds 4 rows loads at once, with the right tables."""
    bad = good
    for sheet in ("Interview 01", "Interview 02", "Code Descriptions"):
        name = sheet_member(good, sheet)
        bad = replace_member(bad, tmp_path / f"dim-{sheet[:4]}.xlsx", name, transform=lambda x: _with_dimension(x, b"A1:XFD1048576"))
    data = coding.load_coding(path=bad)
    assert len(data.mismatches) == 5 and len(data.instances) == 9


def test_declared_million_rows_stay_small_in_memory(good, tmp_path):
    """The issue's case: a sheet that declares A1:XFD1048576 and holds a value in its last row.

    openpyxl pads every row to the declared 16,384 columns, so reading the million rows up to that
    value took hours (it hung past 60 s before this fix); without the declared dimension, the rows in
    between are empty and cheap."""
    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    name = sheet_member(good, "Interview Statistics")
    far = b'<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>note</t></is></c></row>'
    replace_member(good, folder / CODING_FILE, name,
                   transform=lambda x: _with_dimension(x, b"A1:XFD1048576").replace(b"</sheetData>", far + b"</sheetData>"))
    code, out, err, peak = run_measured(["-q", "categories", "--level", "category"],
                                        env={"MLMISMATCH_DATA_DIR": str(tmp_path / "data")}, timeout=60)
    assert code == 0, err
    assert "Trained Model" in out and peak < 500, peak


def test_a_row_numbered_one_million_is_read_as_a_gap(good, tmp_path):
    """A stray value in row 1,048,576 (Excel's last row) is read as it is stored, without a million rows in memory."""
    name = sheet_member(good, "Interview Statistics")
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>note</t></is></c></row>'
    bad = replace_member(good, tmp_path / "far.xlsx", name, transform=lambda x: x.replace(b"</sheetData>", far + b"</sheetData>"))
    data = coding.load_coding(path=bad)
    assert len(data.instances) == 9


def test_rows_beyond_excels_limit(good, tmp_path):
    name = _interview_sheet(good)
    far = b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>'
    bad = replace_member(good, tmp_path / "rows.xlsx", name, transform=lambda x: x.replace(b"</sheetData>", far + b"</sheetData>"))
    msg = coding_load_error(bad)
    assert "rows.xlsx, sheet 'Interview 02'" in msg and "more than 1,048,576 rows (Excel's limit)" in msg


# --------------------------------------------------------------------------------------------
# Inflation: caps on uncompressed size and compression ratio, checked before parsing
# --------------------------------------------------------------------------------------------

def test_sheet_inflating_past_the_member_limit(good, tmp_path):
    """The issue's sheet XML inflating to 1 GB, scaled to 20 MiB: refused from the zip directory."""
    name = _interview_sheet(good)
    pad = bomb_member(20 * MiB)
    bad = replace_member(good, tmp_path / "bomb.xlsx", name, transform=lambda x: x.replace(b"<sheetData>", b"<sheetData>" + pad))
    msg = coding_load_error(bad)
    assert f"bomb.xlsx:{name}: an archive member that inflates to 20 MiB, over the limit of 16 MiB" in msg


def test_compression_ratio_past_the_limit(good, tmp_path):
    name = _interview_sheet(good)
    pad = bomb_member(4 * MiB)
    bad = replace_member(good, tmp_path / "ratio.xlsx", name, transform=lambda x: x.replace(b"<sheetData>", b"<sheetData>" + pad))
    msg = coding_load_error(bad)
    assert f"ratio.xlsx:{name}" in msg and "to 1, over the limit of 100 to 1 (a zip bomb?)" in msg


def test_many_members_together_past_the_archive_limit(good, tmp_path, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_ARCHIVE_BYTES", 64 * 1024)
    parts = members(good)
    for i in range(4):
        parts[f"xl/media/filler{i}.bin"] = bytes(range(256)) * 100
    msg = coding_load_error(write_zip(tmp_path / "total.xlsx", parts))
    assert msg.startswith("total.xlsx: an archive that inflates to more than")


def test_too_many_members(good, tmp_path, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_ZIP_MEMBERS", 20)
    parts = members(good)
    parts.update({f"customXml/item{i}.bin": b"x" for i in range(30)})
    assert "over the limit of 20" in coding_load_error(write_zip(tmp_path / "many.xlsx", parts))


def test_declared_size_that_lies(good, tmp_path):
    """A member whose directory says 100 bytes inflates no further (zipfile stops there): a CRC error, located."""
    name = _interview_sheet(good)
    bad = tmp_path / "lie.xlsx"
    bad.write_bytes(good.read_bytes())
    lie_about_size(bad, name, 100)
    msg = coding_load_error(bad)
    assert f"lie.xlsx:{name}" in msg and ("corrupted archive member" in msg or "not well-formed" in msg)


def test_one_shared_string_over_excels_cell_limit(good, tmp_path):
    """The issue's 800 MB shared string, scaled to 40,000 characters: over Excel's 32,767 per cell."""
    parts = members(good)
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                                     b'uniqueCount="1"><si><t>' + b"a" * 40_000 + b"</t></si></sst>")
    msg = coding_load_error(write_zip(tmp_path / "long.xlsx", parts))
    assert "long.xlsx:xl/sharedStrings.xml" in msg and "more than 32,767 characters in one <si>" in msg


def test_shared_strings_inflating_past_the_member_limit(good, tmp_path):
    parts = members(good)
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                     + b"<si><t>ab</t></si>" * (18 * MiB // 18) + b"</sst>")
    msg = coding_load_error(write_zip(tmp_path / "sst.xlsx", parts))
    assert "sst.xlsx:xl/sharedStrings.xml: an archive member that inflates to" in msg and "over the limit of 16 MiB" in msg


def test_inline_cell_over_excels_cell_limit(good, tmp_path):
    name = _interview_sheet(good)
    cell = b'<row r="9"><c r="C9" t="inlineStr"><is><t>' + b"b" * 40_000 + b"</t></is></c></row>"
    bad = replace_member(good, tmp_path / "cell.xlsx", name, transform=lambda x: x.replace(b"</sheetData>", cell + b"</sheetData>"))
    msg = coding_load_error(bad)
    assert "cell.xlsx, sheet 'Interview 02', row 9, column C: a cell of 40,000 characters, over Excel's limit of 32,767" in msg


def test_too_many_cells(good, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_CELLS", 40)
    msg = coding_load_error(good)
    assert "c.xlsx, sheet '" in msg and "more than 40 cells" in msg


def test_too_many_xml_elements(good, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_STREAMED_ELEMENTS", 50)
    assert "more than" in coding_load_error(good) and "elements" in coding_load_error(good)


def test_largest_sheet_within_the_limits_stays_bounded(good, tmp_path):
    """The worst sheet that passes the zip checks (15 MiB of XML, ratio ~7): bounded in a child process.

    It holds 200,000 one-cell rows: the row limit (20,000 rows holding values) stops the read early."""
    import random

    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    name = _interview_sheet(good)
    rnd = random.Random(0)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%08x</t></is></c></row>' % (i, i, rnd.getrandbits(32))
                    for i in range(10, 200_000))
    replace_member(good, folder / CODING_FILE, name, transform=lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>"))
    code, out, err, peak = run_measured(["-q", "categories", "--level", "category"],
                                        env={"MLMISMATCH_DATA_DIR": str(tmp_path / "data")}, timeout=120)
    assert code == 2 and "Traceback" not in err, err
    assert "sheet 'Interview 02'" in err and "more than 20,000 rows holding values" in err
    assert peak < 500, peak


def test_too_many_rows_holding_values(good, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_ROWS", 12)
    assert "more than 12 rows holding values" in coding_load_error(good)


# --------------------------------------------------------------------------------------------
# Encrypted and corrupted members
# --------------------------------------------------------------------------------------------

def test_encrypted_member(good, tmp_path):
    bad = tmp_path / "locked.xlsx"
    bad.write_bytes(good.read_bytes())
    set_encrypted(bad, "xl/workbook.xml")
    msg = coding_load_error(bad)
    assert msg == ("locked.xlsx:xl/workbook.xml: an encrypted archive member; expected the study's workbook (run "
                   "`mlmismatch fetch`, or set MLMISMATCH_DATA_DIR), not password-protected")


def test_corrupted_deflate_stream_in_a_sheet(good, tmp_path):
    name = _interview_sheet(good)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(good.read_bytes())
    corrupt_member(bad, name)
    msg = coding_load_error(bad)
    assert f"broken.xlsx:{name}" in msg and ("corrupted archive member" in msg or "not well-formed XML" in msg)


# --------------------------------------------------------------------------------------------
# Numbers in the data: unreadable summary values are reported, never a crash
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e400", "abc", "inf", "-inf", "nan", "1" * 5000])
def test_unreadable_summary_counts_are_reported(tmp_path, value):
    def bad(wb):
        ws = wb["Interview Statistics"]
        ws["B2"] = value  # interview 1's stated count
        ws["A3"] = value  # interview 2's label

    data = coding.load_coding(path=build_coding_workbook(tmp_path / "n.xlsx", mutate=bad))
    stats = data.quality[data.quality.check.str.startswith("interview statistics: mismatches")]
    assert (stats.status == "disagrees").any()
    assert len(data.instances) == 9


def test_cli_on_malformed_workbook_is_one_line(good, tmp_path, cli):
    from hostile import one_line_error

    folder = tmp_path / "data" / "replication-package"
    folder.mkdir(parents=True)
    name = _interview_sheet(good)
    replace_member(good, folder / CODING_FILE, name, transform=lambda x: x[:-100] + b"<c [/x]")
    line = one_line_error(cli("data", "check", env={"MLMISMATCH_DATA_DIR": str(tmp_path / "data")}))
    assert line.startswith(f"error: {CODING_FILE}:{name}, line ") and "not well-formed XML" in line


def test_study_data_dir_helper_loads(tmp_path, cli):
    """The small data folder the bad-input suites share is itself good input (exit 0)."""
    res = cli("categories", "--level", "category", env={"MLMISMATCH_DATA_DIR": str(study_data_dir(tmp_path))})
    assert res.code == 0 and "Trained Model" in res.out
