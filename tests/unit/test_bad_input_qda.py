"""Bad input: REFI-QDA codebooks (.qdc) and projects (.qdpx) built to break the reader or exhaust resources.

Each case starts from a valid file written by :mod:`mlmismatch.extend.qda` and breaks it one way:
a code tree nested 3,000 levels, XML or a text source that inflates far beyond what a mismatch needs,
entity tricks, encrypted or corrupted members. Each ends in one located line (exit 2 through the CLI),
never a RecursionError, a traceback or gigabytes of memory.
"""

from __future__ import annotations

import pytest
from hostile import (BILLION_LAUGHS, TWO_CODERS, XXE, bomb_member, corrupt_member, members, one_line_error, round_csv,
                     run_measured, set_encrypted, study_data_dir, write_zip)

from mlmismatch.core.errors import InputError
from mlmismatch.extend import qda, rounds
from mlmismatch.study import coding

MiB = 1 << 20


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("qda")
    data = study_data_dir(root)
    return root, data, coding.load_coding(path=data / "replication-package" / "Mismatch-Open-Coding-Final.xlsx")


@pytest.fixture(scope="module")
def project(study):
    """A valid .qdpx of two coders' codes (three mismatches)."""
    root, _data, cdata = study
    rnd = rounds.read_round(round_csv(root / "two.csv", TWO_CODERS), cdata.codebook)
    path = root / "project.qdpx"
    path.write_bytes(qda.project_qdpx(rnd))
    return path


def _error(read, path, study) -> str:
    with pytest.raises(InputError) as exc:
        read(path, study[2].codebook)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def _read_project(path, study) -> str:
    return _error(rounds.read_round, path, study)


def _read_qdc(path, study) -> str:
    return _error(rounds.read_extension, path, study)


def _nested(depth: int, ns: str) -> bytes:
    opening = b"".join(b'<Code guid="%s" name="(TM) Level %d" isCodable="true">' % (qda.guid("d", str(i)).encode(), i)
                       for i in range(depth))
    return opening + b"</Code>" * depth


def test_valid_project_reads(project, study):
    rnd = rounds.read_round(project, study[2].codebook)
    assert rnd.coders == ["ann", "bob"] and len(rnd.codings) == 6


# --------------------------------------------------------------------------------------------
# Code trees nested 3,000 levels
# --------------------------------------------------------------------------------------------

def test_codebook_nested_3000_levels(tmp_path, study):
    qdc = (b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="x"><Codes>'
           + _nested(3000, qda.NS_CODEBOOK) + b"</Codes></CodeBook>")
    (tmp_path / "deep.qdc").write_bytes(qdc)
    msg = _read_qdc(tmp_path / "deep.qdc", study)
    assert msg.startswith("deep.qdc, line 2, column ") and "XML with elements nested deeper than 64 levels" in msg


def test_project_code_tree_nested_3000_levels(project, tmp_path, study):
    parts = members(project)
    parts["project.qde"] = parts["project.qde"].replace(b"<Codes>", b"<Codes>" + _nested(3000, qda.NS_PROJECT), 1)
    msg = _read_project(write_zip(tmp_path / "deep.qdpx", parts), study)
    assert "deep.qdpx:project.qde" in msg and "nested deeper than 64 levels" in msg


def test_moderately_deep_tree_is_walked_without_recursion(tmp_path, study):
    """60 levels pass the parser; the walk is iterative, and the codebook's two-level rule names the code."""
    qdc = (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="x"><Codes>' + _nested(60, qda.NS_CODEBOOK)
           + b"</Codes></CodeBook>")
    (tmp_path / "sixty.qdc").write_bytes(qdc)
    assert "is not a category/subcategory pair" in _read_qdc(tmp_path / "sixty.qdc", study)


# --------------------------------------------------------------------------------------------
# Inflation: project XML and text sources
# --------------------------------------------------------------------------------------------

def test_project_xml_inflating_past_the_member_limit(project, tmp_path, study):
    """The issue's project.qde inflating to 1 GiB, scaled to 20 MiB: refused from the zip directory."""
    parts = members(project)
    parts["project.qde"] = parts["project.qde"].replace(b"<Users>", b"<Users>" + bomb_member(20 * MiB), 1)
    msg = _read_project(write_zip(tmp_path / "bomb.qdpx", parts), study)
    assert msg.startswith("bomb.qdpx:project.qde: an archive member that inflates to 20 MiB, over the limit of 16 MiB")


def test_text_source_inflating_past_the_member_limit(project, tmp_path, study):
    parts = members(project)
    source = next(n for n in parts if n.startswith("Sources/"))
    parts[source] = bomb_member(20 * MiB, b"ab ")
    msg = _read_project(write_zip(tmp_path / "text.qdpx", parts), study)
    assert f"text.qdpx:{source}: an archive member that inflates to" in msg


def test_text_source_longer_than_a_mismatch(project, tmp_path, study):
    """Under the archive limits but over 1 MiB: a text source is one mismatch description, not a book."""
    import random

    parts = members(project)
    source = next(n for n in parts if n.startswith("Sources/"))
    rnd = random.Random(1)
    parts[source] = " ".join(f"{rnd.getrandbits(40):x}" for _ in range(200_000)).encode()  # ~2.2 MiB, ratio ~2
    msg = _read_project(write_zip(tmp_path / "long.qdpx", parts), study)
    assert f"long.qdpx:{source}: an archive member of 2" in msg and "over the limit of 1 MiB" in msg


def test_inline_text_longer_than_a_mismatch(project, tmp_path, study):
    parts = members(project)
    qde = parts["project.qde"].decode()
    start = qde.index("<TextSource ")
    head_end = qde.index(">", start)
    tag = qde[start:head_end]
    import re

    tag = re.sub(r' plainTextPath="[^"]*"', "", tag)
    import random

    rnd = random.Random(2)
    text = " ".join(f"{rnd.getrandbits(24):06x}" for _ in range(180_000))  # 1,259,999 characters, ratio ~2
    qde = qde[:start] + tag + "><PlainTextContent>" + text + "</PlainTextContent>" + qde[head_end + 1:]
    parts["project.qde"] = qde.encode()
    msg = _read_project(write_zip(tmp_path / "inline.qdpx", parts), study)
    assert "inline.qdpx, at Sources/TextSource[1]" in msg and "a text source of 1,259,999 characters, over the limit of 1,048,576" in msg


def test_too_many_elements(project, tmp_path, study, monkeypatch):
    import mlmismatch.core.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_XML_ELEMENTS", 30)
    assert "more than 30 elements" in _read_project(project, study)


def test_project_bomb_stays_within_memory(project, tmp_path):
    """The largest project.qde the limits let through (16 MiB of short elements): a child's peak memory."""
    parts = members(project)
    import random

    rnd = random.Random(3)
    filler = b"<Variables>" + b"".join(b'<x n="%08x"/>' % rnd.getrandbits(32) for _ in range(900_000)) + b"</Variables>"
    parts["project.qde"] = parts["project.qde"].replace(b"<Users>", filler + b"<Users>", 1)
    bomb = write_zip(tmp_path / "big.qdpx", parts, level=1)
    data = study_data_dir(tmp_path)
    code, out, err, peak = run_measured(["-q", "code", "import-qdpx", str(bomb), str(tmp_path / "out.csv")],
                                        env={"MLMISMATCH_DATA_DIR": str(data)}, timeout=120)
    assert code == 2 and "more than 500,000 elements" in err and "Traceback" not in err, err
    assert peak < 500, peak


# --------------------------------------------------------------------------------------------
# Entities, malformed XML, archive damage
# --------------------------------------------------------------------------------------------

def test_billion_laughs_in_a_project(project, tmp_path, study):
    parts = members(project)
    parts["project.qde"] = BILLION_LAUGHS + parts["project.qde"].split(b"?>", 1)[1]
    msg = _read_project(write_zip(tmp_path / "laughs.qdpx", parts), study)
    assert "laughs.qdpx:project.qde" in msg and "XML with a DTD, which is not accepted (DTDForbidden)" in msg


def test_external_entity_in_a_codebook(tmp_path, study):
    (tmp_path / "xxe.qdc").write_bytes(XXE + b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>&xxe;</Codes></CodeBook>')
    msg = _read_qdc(tmp_path / "xxe.qdc", study)
    assert msg.startswith("xxe.qdc, line 2") and "not accepted" in msg


def test_malformed_codebook_is_located(tmp_path, study):
    (tmp_path / "bad.qdc").write_bytes(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code name="x">\n</Codes>')
    assert _read_qdc(tmp_path / "bad.qdc", study) == ("bad.qdc, line 4, column 3: not well-formed XML (mismatched tag); "
                                                      "expected a REFI-QDA XML document")


def test_codebook_in_an_unknown_encoding(tmp_path, study):
    (tmp_path / "enc.qdc").write_bytes(b'<?xml version="1.0" encoding="klingon"?><CodeBook/>')
    assert "enc.qdc" in _read_qdc(tmp_path / "enc.qdc", study)


def test_encrypted_project_member(project, tmp_path, study):
    bad = tmp_path / "locked.qdpx"
    bad.write_bytes(project.read_bytes())
    set_encrypted(bad, "project.qde")
    assert _read_project(bad, study) == ("locked.qdpx:project.qde: an encrypted archive member; expected a REFI-QDA "
                                         "project (.qdpx), not password-protected")


def test_corrupted_deflate_stream_in_a_project(project, tmp_path, study):
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(project.read_bytes())
    corrupt_member(bad, "project.qde")
    msg = _read_project(bad, study)
    assert msg.startswith("broken.qdpx:project.qde: a corrupted archive member (")


def test_project_without_its_qde(project, tmp_path, study):
    parts = {k: v for k, v in members(project).items() if k != "project.qde"}
    assert _read_project(write_zip(tmp_path / "empty.qdpx", parts), study).startswith(
        "empty.qdpx: no project.qde in the archive")


def test_not_a_zip(tmp_path, study):
    (tmp_path / "text.qdpx").write_text("just text")
    assert _read_project(tmp_path / "text.qdpx", study) == ("text.qdpx: not a REFI-QDA project (not a zip archive); "
                                                            "expected a .qdpx file")


def test_cli_import_of_a_hostile_project_is_one_line(project, tmp_path, cli):
    parts = members(project)
    parts["project.qde"] = parts["project.qde"].replace(b"<Codes>", b"<Codes>" + _nested(3000, qda.NS_PROJECT), 1)
    bad = write_zip(tmp_path / "deep [bold].qdpx", parts)
    data = study_data_dir(tmp_path)
    line = one_line_error(cli("code", "import-qdpx", str(bad), str(tmp_path / "o.csv"), env={"MLMISMATCH_DATA_DIR": str(data)}))
    assert line.startswith("error: deep [bold].qdpx:project.qde, line ") and not (tmp_path / "o.csv").exists()
