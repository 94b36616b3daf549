"""REFI-QDA exchange: codebook (.qdc) export/import and project (.qdpx) round trips, on files built here.

The REFI-QDA XSDs are not shipped (their licence could not be verified offline), so the structure is
checked by :func:`check_codebook_xml` / :func:`check_project_xml`, which encode the parts of the
schemas used here (root and namespace, element order, required attributes, GUIDs, references).
"""

from __future__ import annotations

import csv
import io
import zipfile
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.extend import qda, rounds

NS = {"c": qda.NS_CODEBOOK, "p": qda.NS_PROJECT}


def _codebook() -> pd.DataFrame:
    rows = [("TP", "Task and Purpose", "Task"), ("TM", "Trained Model", "Versioning"),
            ("TM", "Trained Model", "Evaluation Metrics"), ("TD", "Training Data", "Versioning"),
            ("OE", "Operational Environment", "Computing Resources")]
    return pd.DataFrame([{"category_code": c, "category": n, "subcategory": s, "description": f"{s} of {n} & <more>"}
                         for c, n, s in rows])


def _ext() -> pd.DataFrame:
    return pd.DataFrame([{"category_code": "HO", "category": "Human Oversight", "subcategory": "Escalation",
                          "description": "Who reviews decisions", "origin": "extension"}])


def test_qdc_export_structure_and_content():
    book = rounds.combined_codebook(_codebook(), _ext())
    data = qda.codebook_qdc(book)
    assert qda.check_codebook_xml(data) == []
    root = ET.fromstring(data)
    assert root.tag == f"{{{qda.NS_CODEBOOK}}}CodeBook"
    cats = root.findall("c:Codes/c:Code", NS)
    assert [c.get("name") for c in cats] == ["Task and Purpose (TP)", "Trained Model (TM)", "Training Data (TD)",
                                             "Operational Environment (OE)", "Human Oversight (HO)"]
    tm = cats[1]
    assert [c.get("name") for c in tm.findall("c:Code", NS)] == ["(TM) Versioning", "(TM) Evaluation Metrics"]
    assert tm.find("c:Code/c:Description", NS).text == "Versioning of Trained Model & <more>"
    assert all(c.get("isCodable") == "false" for c in cats)
    # extension codes form a set
    members = root.findall("c:Sets/c:Set/c:MemberCode", NS)
    assert len(members) == 1 and members[0].get("guid") == cats[-1].find("c:Code", NS).get("guid")
    # deterministic
    assert qda.codebook_qdc(book) == data


def test_qdc_round_trip(tmp_path):
    book = rounds.combined_codebook(_codebook(), _ext())
    p = tmp_path / "cb.qdc"
    p.write_bytes(qda.codebook_qdc(book))
    back = qda.read_qdc(p, _codebook())
    pd.testing.assert_frame_equal(back[["category_code", "subcategory", "description", "origin"]],
                                  book[["category_code", "subcategory", "description", "origin"]].reset_index(drop=True))


def test_structure_checker_catches_problems():
    good = qda.codebook_qdc(rounds.combined_codebook(_codebook()))
    bad = good.replace(b'isCodable="true"', b"", 1)
    assert any("missing required attribute 'isCodable'" in p for p in qda.check_codebook_xml(bad))
    bad_guid = good.replace(good[good.index(b'guid="') + 6: good.index(b'guid="') + 14], b"nothex!!", 1)
    assert any("is not a GUID" in p for p in qda.check_codebook_xml(bad_guid))
    assert qda.check_codebook_xml(b"<CodeBook/>")[0].startswith("root element")


def _round(tmp_path) -> rounds.Round:
    p = tmp_path / "r.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mismatch_id", "coder", "category", "subcategory", "description", "info_not_communicated"])
        w.writerow(["M21-01", "ann", "TM", "Versioning", "The model file had no version.", "Model version"])
        w.writerow(["M21-01", "ann", "TD", "Versioning", "", ""])
        w.writerow(["M21-01", "bob", "TM", "Versioning", "", ""])
        w.writerow(["M21-02", "bob", "Human Oversight (HO)", "Escalation", "Nobody knew whom to call.", ""])
    return rounds.read_round(p, _codebook(), extension=_ext())


def test_qdpx_round_trip(tmp_path):
    rnd = _round(tmp_path)
    data = qda.project_qdpx(rnd)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names[0] == "project.qde" and all(n.startswith("Sources/") for n in names[1:])
        assert qda.check_project_xml(zf.read("project.qde")) == []
    p = tmp_path / "round.qdpx"
    p.write_bytes(data)
    back = rounds.read_round(p, _codebook(), extension=_ext())
    cols = ["mismatch_id", "coder", "position", "category_code", "category", "subcategory", "origin"]
    key = ["mismatch_id", "coder", "position"]
    pd.testing.assert_frame_equal(back.codings[cols].sort_values(key).reset_index(drop=True),
                                  rnd.codings[cols].sort_values(key).reset_index(drop=True))
    m = back.mismatches.set_index("mismatch_id")
    assert m.loc["M21-01", "description"] == "The model file had no version."
    assert m.loc["M21-01", "info_not_communicated"] == "Model version"
    assert qda.project_qdpx(rnd) == data  # deterministic bytes


def _project(codings_xml: str, users: str = '<User guid="11111111-1111-1111-1111-111111111111" name="ann"/>') -> bytes:
    g_cat, g_sub = "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="hand-built">
  <Users>{users}</Users>
  <CodeBook><Codes>
    <Code guid="{g_cat}" name="Trained Model (TM)" isCodable="true">
      <Code guid="{g_sub}" name="Versioning" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="M21-07.txt">
      <PlainTextContent>Some text.</PlainTextContent>
      {codings_xml.format(cat=g_cat, sub=g_sub)}
    </TextSource>
  </Sources>
</Project>"""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", qde)
    return buf.getvalue()


def test_qdpx_from_another_tool(tmp_path):
    """A hand-written project: source-level coding, bare subcategory names, a .txt source name."""
    p = tmp_path / "tool.qdpx"
    p.write_bytes(_project('<Coding guid="55555555-5555-5555-5555-555555555555" '
                           'creatingUser="11111111-1111-1111-1111-111111111111"><CodeRef targetGUID="{sub}"/></Coding>'))
    assert qda.check_project_xml(zipfile.ZipFile(p).read("project.qde")) == []
    r = rounds.read_round(p, _codebook())
    assert list(r.codings[["mismatch_id", "coder", "category_code", "subcategory"]].iloc[0]) == ["M21-07", "ann", "TM", "Versioning"]
    assert r.mismatches.loc[0, "description"] == "Some text."


def test_qdpx_bad_input(tmp_path):
    p = tmp_path / "bad.qdpx"
    p.write_bytes(_project('<Coding guid="55555555-5555-5555-5555-555555555555"><CodeRef targetGUID="{cat}"/></Coding>'))
    with pytest.raises(InputError, match=r"bad.qdpx, at Sources/TextSource\[1\]\[@name='M21-07.txt'\]/Coding\[1\]: "
                                         r"code 'Trained Model \(TM\)' is a top-level code"):
        rounds.read_round(p, _codebook())
    p.write_bytes(_project('<Coding guid="55555555-5555-5555-5555-555555555555">'
                           '<CodeRef targetGUID="66666666-6666-6666-6666-666666666666"/></Coding>'))
    with pytest.raises(InputError, match="refers to unknown code"):
        rounds.read_round(p, _codebook())
    p.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a REFI-QDA project"):
        rounds.read_round(p, _codebook())
