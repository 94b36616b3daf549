"""Exchange with qualitative-analysis tools through the REFI-QDA standard (QDA-XML 1.0).

- :func:`codebook_qdc` writes the codebook (with descriptions and any extension) as a REFI-QDA
  codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``) that NVivo, ATLAS.ti, MAXQDA and
  QualCoder import: one parent code per category (``Trained Model (TM)``) holding one code per
  subcategory (``(TM) Versioning``, the study's own label, unique across categories), each with its
  description; extension codes are also members of a set ``Extension codes``.
- :func:`read_qdc` reads such a codebook back into a codebook table.
- :func:`project_qdpx` writes a round as a REFI-QDA project (``.qdpx``: a zip holding
  ``project.qde`` and one text file per mismatch under ``Sources/``), each coder a user, each code a
  coding of the whole mismatch text by that user.
- :func:`read_qdpx_rows` (used by :func:`mlmismatch.extend.rounds.read_round`) imports the codings of
  a ``.qdpx`` into the tidy round table: the mismatch is the text source's name, the coder the user
  who created the coding, the code a subcategory code under its category code.

GUIDs are UUID-5s of the labels, so that exports are deterministic. The REFI-QDA XSD files are not
shipped with the toolkit; :func:`check_codebook_xml` and :func:`check_project_xml` check the parts of
their structure this module writes and reads (root element and namespace, element order, required
attributes, GUID syntax, references that resolve).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.labels import category_label, subcategory_label
from mlmismatch.core.text import clean
from mlmismatch.extend.codes import categories_of, check_mismatch_id

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.extend.rounds import Round

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
ORIGIN = "mlmismatch"
EXTENSION_SET = "Extension codes"
EXTENSION_MARK = "[extension]"
GUID_RE = re.compile(r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$")
_UUID_NS = uuid.UUID("5d2c4a52-2f7e-4f0b-9a3e-6d1b2e0c7a11")
# one colour per category (categories beyond the palette cycle)
PALETTE = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def guid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _codes_element(ns: str, codebook: "pd.DataFrame", with_notes: bool = False) -> tuple[ET.Element, dict]:
    """``<Codes>``: category codes holding subcategory codes; returns it and {(code, sub): guid}."""

    codes_el = ET.Element(f"{{{ns}}}Codes")
    guids: dict[tuple[str, str], str] = {}
    cats = categories_of(codebook)
    for i, (code, name) in enumerate(cats.items()):
        rows = codebook[codebook["category_code"] == code]
        if rows.empty:
            continue
        cat_el = ET.SubElement(codes_el, f"{{{ns}}}Code", guid=guid("category", code), name=category_label(code, name),
                               isCodable="false", color=PALETTE[i % len(PALETTE)])
        origin = set(rows.get("origin", ["study"]))
        ET.SubElement(cat_el, f"{{{ns}}}Description").text = (
            f"Category {name} ({code})" + (" - added by an extension codebook" if origin == {"extension"} else "")
            + " of the ML-mismatch taxonomy (Lewis, Bellomo, Ozkaya, WAIN 2021)")
        for r in rows.itertuples(index=False):
            g = guid("subcategory", code, r.subcategory)
            guids[(code, r.subcategory)] = g
            sub_el = ET.SubElement(cat_el, f"{{{ns}}}Code", guid=g, name=subcategory_label(code, r.subcategory),
                                   isCodable="true", color=PALETTE[i % len(PALETTE)])
            desc = clean(r.description)
            if getattr(r, "origin", "study") == "extension" and desc:
                desc = f"{EXTENSION_MARK} {desc}"
            ET.SubElement(sub_el, f"{{{ns}}}Description").text = desc
    return codes_el, guids


def codebook_qdc(codebook: "pd.DataFrame") -> bytes:
    """The codebook (study + extension, ``origin`` column optional) as REFI-QDA codebook XML bytes."""
    ET.register_namespace("", NS_CODEBOOK)
    root = ET.Element(f"{{{NS_CODEBOOK}}}CodeBook", origin=ORIGIN)
    codes_el, guids = _codes_element(NS_CODEBOOK, codebook)
    root.append(codes_el)
    if "origin" in codebook and (codebook["origin"] == "extension").any():
        sets = ET.SubElement(root, f"{{{NS_CODEBOOK}}}Sets")
        s = ET.SubElement(sets, f"{{{NS_CODEBOOK}}}Set", guid=guid("set", EXTENSION_SET), name=EXTENSION_SET)
        ET.SubElement(s, f"{{{NS_CODEBOOK}}}Description").text = "Codes added to the study's codebook by an extension"
        for r in codebook[codebook["origin"] == "extension"].itertuples(index=False):
            ET.SubElement(s, f"{{{NS_CODEBOOK}}}MemberCode", guid=guids[(r.category_code, r.subcategory)])
    return _xml_bytes(root)


QDA_XML = "a REFI-QDA XML document"
QDPX = "a REFI-QDA project (.qdpx)"
QDC = "a REFI-QDA codebook (.qdc)"
#: The longest text source read from a project: a mismatch description, not a transcript.
MAX_SOURCE_BYTES = 1 << 20


def _parse_xml(data: bytes, file: str, expected_root: str, ns: str) -> ET.Element:
    """Parse with defusedxml within the limits of :func:`mlmismatch.core.inputs.parse_xml`; check the root."""
    from mlmismatch.core.inputs import parse_xml

    root = parse_xml(data, file, QDA_XML)
    if root.tag != f"{{{ns}}}{expected_root}":
        raise InputError(f"root element is '{_shown(root.tag)}'", Location(file=file, line=1),
                         expected=f"<{expected_root}> in namespace {ns}")
    return root


def _shown(text: object, limit: int = 80) -> str:
    """A name from the document, cut short for a one-line message."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _walk_codes(codes_el: ET.Element, ns: str) -> list[tuple[ET.Element, ET.Element | None, int]]:
    """Every ``Code`` with its parent code (None at top level) and depth, in document order.

    Iterative: the depth is bounded by the parser (:data:`mlmismatch.core.inputs.MAX_XML_DEPTH`),
    never by Python's recursion limit.
    """
    out = []
    tag = f"{{{ns}}}Code"
    stack = [(c, None, 0) for c in reversed(codes_el.findall(tag))]
    while stack:
        el, parent, depth = stack.pop()
        out.append((el, parent, depth))
        stack.extend((c, el, depth + 1) for c in reversed(el.findall(tag)))
    return out


def _pair_of(code_el: ET.Element, parent: ET.Element | None, norm, where: Location) -> tuple[str, str, str]:
    """A subcategory code under its category code -> (category_code, category, subcategory)."""
    if parent is None:
        raise InputError(f"code '{code_el.get('name')}' is a top-level code (a category) with no subcategory", where,
                         expected="codings with a subcategory code nested under its category code")
    code, category = norm.category(parent.get("name"), where)
    sub = norm.subcategory(code_el.get("name"), code, where)
    return code, category, sub


def read_qdc(path: str | Path, codebook: "pd.DataFrame") -> "pd.DataFrame":
    """Read a REFI-QDA codebook into ``category_code, category, subcategory, description, origin``.

    Codes known to the study's ``codebook`` get ``origin='study'``; the others must be subcategory
    codes named ``(XX) Name`` under a category code ``Name (XX)`` and get ``origin='extension'``.
    """
    import pandas as pd

    from mlmismatch.core.labels import CATEGORY_LABEL_RE, SUBCATEGORY_LABEL_RE

    from mlmismatch.core.inputs import read_bytes

    path = Path(path)
    root = _parse_xml(read_bytes(path, QDC), path.name, "CodeBook", NS_CODEBOOK)
    codes_el = root.find(f"{{{NS_CODEBOOK}}}Codes")
    if codes_el is None:
        raise InputError("no <Codes> element", Location(file=path.name), expected="a REFI-QDA codebook")
    known = {(c, s.lower()): (n, s, d) for c, n, s, d in zip(codebook["category_code"], codebook["category"],
                                                             codebook["subcategory"], codebook["description"])}
    rows = []
    for el, parent, depth in _walk_codes(codes_el, NS_CODEBOOK):
        if depth == 0:
            continue
        where = Location(file=path.name, path=f"Code[@name='{el.get('name')}']")
        cm = CATEGORY_LABEL_RE.match(clean(parent.get("name")))
        sm = SUBCATEGORY_LABEL_RE.match(clean(el.get("name")))
        if not cm or not sm or depth > 1:
            raise InputError(f"code '{el.get('name')}' under '{parent.get('name')}' is not a category/subcategory pair",
                             where, expected="category codes 'Name (XX)' holding subcategory codes '(XX) Name'")
        code = cm.group("code").upper()
        sub = clean(sm.group("name"))
        desc_el = el.find(f"{{{NS_CODEBOOK}}}Description")
        desc = clean(desc_el.text if desc_el is not None else "")
        if desc.startswith(EXTENSION_MARK):
            desc = clean(desc[len(EXTENSION_MARK):])
        if (code, sub.lower()) in known:
            n, s, d = known[(code, sub.lower())]
            rows.append({"category_code": code, "category": str(n), "subcategory": s, "description": desc or d,
                         "origin": "study"})
        else:
            rows.append({"category_code": code, "category": clean(cm.group("name")), "subcategory": sub,
                         "description": desc, "origin": "extension"})
    return pd.DataFrame(rows, columns=["category_code", "category", "subcategory", "description", "origin"])


# --------------------------------------------------------------------------------------------
# Projects (.qdpx)
# --------------------------------------------------------------------------------------------

def project_qdpx(rnd: "Round", name: str = "mlmismatch coding round") -> bytes:
    """A round as a REFI-QDA project archive (bytes of the ``.qdpx`` zip)."""
    import io

    ET.register_namespace("", NS_PROJECT)
    ns = NS_PROJECT
    root = ET.Element(f"{{{ns}}}Project", name=name, origin=ORIGIN)
    users = ET.SubElement(root, f"{{{ns}}}Users")
    user_guid = {c: guid("user", c) for c in rnd.coders}
    for c in rnd.coders:
        ET.SubElement(users, f"{{{ns}}}User", guid=user_guid[c], name=c)
    book = ET.SubElement(root, f"{{{ns}}}CodeBook")
    codes_el, code_guid = _codes_element(ns, rnd.codebook)
    book.append(codes_el)
    sources = ET.SubElement(root, f"{{{ns}}}Sources")
    files: dict[str, bytes] = {}
    texts = {m.mismatch_id: m for m in rnd.mismatches.itertuples(index=False)}
    for mid, group in rnd.codings.groupby("mismatch_id", sort=False):
        m = texts.get(mid)
        text = ""
        if m is not None:
            text = "\n\n".join(t for t in (clean(m.description), clean(m.info_not_communicated)) if t)
        text = text or mid
        sg = guid("source", mid)
        files[f"Sources/{sg}.txt"] = text.encode("utf-8")
        src = ET.SubElement(sources, f"{{{ns}}}TextSource", guid=sg, name=mid, plainTextPath=f"internal://{sg}.txt")
        for coder, cg in group.groupby("coder", sort=True):
            sel = ET.SubElement(src, f"{{{ns}}}PlainTextSelection", guid=guid("selection", mid, coder), name=mid,
                                startPosition="0", endPosition=str(len(text)), creatingUser=user_guid[coder])
            for r in cg.sort_values("position").itertuples(index=False):
                c = ET.SubElement(sel, f"{{{ns}}}Coding", guid=guid("coding", mid, coder, r.category_code, r.subcategory),
                                  creatingUser=user_guid[coder])
                ET.SubElement(c, f"{{{ns}}}CodeRef", targetGUID=code_guid[(r.category_code, r.subcategory)])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in [("project.qde", _xml_bytes(root)), *sorted(files.items())]:
            info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def read_qdpx_rows(path: Path, norm, coder: str | None = None):
    """Codings of a ``.qdpx`` -> (coding rows, mismatch rows, warnings) for :func:`rounds.read_round`."""

    from mlmismatch.core.inputs import close_zip, open_zip

    path = Path(path)
    zf = open_zip(path, QDPX, not_zip="not a REFI-QDA project (not a zip archive)", format_expected="a .qdpx file")
    try:
        return _qdpx_rows(zf, path, norm, coder)
    finally:
        close_zip(zf)


def _qdpx_rows(zf: zipfile.ZipFile, path: Path, norm, coder: str | None):
    from mlmismatch.core.inputs import read_member

    names = zf.namelist()
    qde = next((n for n in names if n.lower().endswith(".qde")), None)
    if qde is None:
        raise InputError("no project.qde in the archive", Location(file=path.name), expected="a REFI-QDA project")
    root = _parse_xml(read_member(zf, qde, path, QDPX), f"{path.name}:{qde}", "Project", NS_PROJECT)
    ns = NS_PROJECT
    users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid"))
             for u in root.iterfind(f"{{{ns}}}Users/{{{ns}}}User")}
    codes_el = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    tree = {el.get("guid"): (el, parent) for el, parent, _ in _walk_codes(codes_el, ns)} if codes_el is not None else {}
    rows, mism, warn = [], [], []
    untitled = 0
    for s_idx, src in enumerate(root.iterfind(f"{{{ns}}}Sources/{{{ns}}}TextSource"), start=1):
        sname = clean(src.get("name"))
        mid = re.sub(r"\.(txt|docx?|rtf|pdf)$", "", sname, flags=re.I)
        xpath = f"Sources/TextSource[{s_idx}][@name='{_shown(sname)}']"
        interview = check_mismatch_id(mid, Location(file=path.name, path=xpath))
        text = ""
        content = src.find(f"{{{ns}}}PlainTextContent")
        if content is not None and content.text:
            text = content.text
            if len(text) > MAX_SOURCE_BYTES:
                raise InputError(f"a text source of {len(text):,} characters, over the limit of "
                                 f"{MAX_SOURCE_BYTES:,}", Location(file=path.name, path=f"{xpath}/PlainTextContent"),
                                 expected="one mismatch description per text source")
        elif (src.get("plainTextPath") or "").startswith("internal://"):
            inner = "Sources/" + src.get("plainTextPath")[len("internal://"):]
            if inner in names:
                text = read_member(zf, inner, path, "one mismatch description per text source",
                                   max_bytes=MAX_SOURCE_BYTES).decode("utf-8", errors="replace")
        parts = [p for p in re.split(r"\n\s*\n", text.strip(), maxsplit=1)] if text.strip() else [""]
        mism.append({"mismatch_id": mid, "interview": interview, "description": clean(parts[0]),
                     "info_not_communicated": clean(parts[1]) if len(parts) > 1 else ""})
        holders = [(src, xpath)] + [(sel, f"{xpath}/PlainTextSelection[{i}]")
                                    for i, sel in enumerate(src.findall(f"{{{ns}}}PlainTextSelection"), start=1)]
        position: dict[str, int] = {}
        for holder, hpath in holders:
            for c_idx, coding in enumerate(holder.findall(f"{{{ns}}}Coding"), start=1):
                cpath = f"{hpath}/Coding[{c_idx}]"
                where = Location(file=path.name, path=cpath)
                user = coding.get("creatingUser") or holder.get("creatingUser")
                who = users.get(user) if user else None
                if user and who is None:
                    raise InputError(f"coding by unknown user '{_shown(user)}'", where, expected="a user listed under <Users>")
                if who is None:
                    who = coder or path.stem
                    untitled += 1
                ref = coding.find(f"{{{ns}}}CodeRef")
                target = ref.get("targetGUID") if ref is not None else None
                if target not in tree:
                    raise InputError(f"coding refers to unknown code '{_shown(target)}'", where,
                                     expected="a code of the project's codebook")
                el, parent = tree[target]
                code, category, sub = _pair_of(el, parent, norm, where)
                pos = position[who] = position.get(who, 0) + 1
                rows.append({"mismatch_id": mid, "coder": who, "position": pos, "category_code": code,
                             "category": category, "subcategory": sub, "origin": "", "file": path.name,
                             "sheet": "", "row": s_idx, "column": cpath})
    if untitled:
        warn.append(f"{path.name}: {untitled} coding(s) name no user; read as coder '{coder or path.stem}'")
    return rows, mism, warn


# --------------------------------------------------------------------------------------------
# Structure checks (the parts of the REFI-QDA schemas used here)
# --------------------------------------------------------------------------------------------

def _check_code_tree(el: ET.Element, ns: str, seq: tuple[str, ...], problems: list[str], guids: set[str]) -> None:
    for code in el.findall(f"{{{ns}}}Code"):
        where = f"Code '{code.get('name')}'"
        for attr in ("guid", "name", "isCodable"):
            if code.get(attr) is None:
                problems.append(f"{where}: missing required attribute '{attr}'")
        if code.get("isCodable") not in (None, "true", "false", "1", "0"):
            problems.append(f"{where}: isCodable '{code.get('isCodable')}' is not a boolean")
        if code.get("guid") and not GUID_RE.match(code.get("guid")):
            problems.append(f"{where}: guid '{code.get('guid')}' is not a GUID")
        if code.get("guid") in guids:
            problems.append(f"{where}: guid '{code.get('guid')}' used twice")
        guids.add(code.get("guid"))
        if code.get("color") and not re.match(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$", code.get("color")):
            problems.append(f"{where}: color '{code.get('color')}' is not #RRGGBB")
        _check_order(code, ns, seq, where, problems)
        _check_code_tree(code, ns, seq, problems, guids)


def _check_order(el: ET.Element, ns: str, seq: tuple[str, ...], where: str, problems: list[str],
                 once: tuple[str, ...] = ("Description",)) -> None:
    """Children of ``el`` must be elements of ``seq`` in that order (xsd:sequence)."""
    last = -1
    counts: dict[str, int] = {}
    for child in el:
        tag = child.tag.split("}", 1)[-1] if child.tag.startswith("{") else child.tag
        if not child.tag.startswith(f"{{{ns}}}"):
            problems.append(f"{where}: element <{child.tag}> not in namespace {ns}")
            continue
        if tag not in seq:
            problems.append(f"{where}: unexpected element <{tag}>")
            continue
        i = seq.index(tag)
        if i < last:
            problems.append(f"{where}: <{tag}> out of order (expected order: {', '.join(seq)})")
        last = max(last, i)
        counts[tag] = counts.get(tag, 0) + 1
        if tag in once and counts[tag] > 1:
            problems.append(f"{where}: <{tag}> more than once")


def _parse_root(data: bytes, ns: str, tag: str) -> tuple["ET.Element | None", list[str]]:
    """Parse ``data`` and check its root element: ``(root, [])``, or ``(None, [problem])``."""
    from mlmismatch.core.inputs import parse_xml

    try:
        root = parse_xml(data, "document", QDA_XML)
    except InputError as exc:
        return None, [exc.problem]
    if root.tag != f"{{{ns}}}{tag}":
        return None, [f"root element is {root.tag}, expected {{{ns}}}{tag}"]
    return root, []


def check_codebook_xml(data: bytes) -> list[str]:
    """Problems of a REFI-QDA codebook document against the Codebook schema's structure ([] if none)."""
    ns = NS_CODEBOOK
    root, problems = _parse_root(data, ns, "CodeBook")
    if root is None:
        return problems
    _check_order(root, ns, ("Codes", "Sets"), "CodeBook", problems, once=("Codes", "Sets"))
    codes = root.find(f"{{{ns}}}Codes")
    if codes is None:
        return problems + ["CodeBook: missing required <Codes>"]
    if codes.find(f"{{{ns}}}Code") is None:
        problems.append("Codes: needs at least one <Code>")
    _check_order(codes, ns, ("Code",), "Codes", problems, once=())
    guids: set[str] = set()
    _check_code_tree(codes, ns, ("Description", "Code"), problems, guids)
    for s in root.iterfind(f"{{{ns}}}Sets/{{{ns}}}Set"):
        for attr in ("guid", "name"):
            if s.get(attr) is None:
                problems.append(f"Set: missing required attribute '{attr}'")
        _check_order(s, ns, ("Description", "MemberCode"), f"Set '{s.get('name')}'", problems)
        for m in s.iterfind(f"{{{ns}}}MemberCode"):
            if m.get("guid") not in guids:
                problems.append(f"Set '{s.get('name')}': MemberCode {m.get('guid')} is not a code")
    return problems


def check_project_xml(data: bytes) -> list[str]:
    """Problems of a REFI-QDA ``project.qde`` against the parts of the Project schema used here."""
    ns = NS_PROJECT
    root, problems = _parse_root(data, ns, "Project")
    if root is None:
        return problems
    if root.get("name") is None:
        problems.append("Project: missing required attribute 'name'")
    _check_order(root, ns, ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                            "Description", "NoteRef"), "Project", problems,
                 once=("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs", "Description"))
    users = set()
    for u in root.iterfind(f"{{{ns}}}Users/{{{ns}}}User"):
        if not GUID_RE.match(u.get("guid") or ""):
            problems.append(f"User '{u.get('name')}': missing or bad guid")
        users.add(u.get("guid"))
    guids: set[str] = set()
    codes = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    if root.find(f"{{{ns}}}CodeBook") is not None and codes is None:
        problems.append("CodeBook: missing required <Codes>")
    if codes is not None:
        _check_code_tree(codes, ns, ("Description", "NoteRef", "Code"), problems, guids)
    for src in root.iterfind(f"{{{ns}}}Sources/{{{ns}}}TextSource"):
        where = f"TextSource '{src.get('name')}'"
        if not GUID_RE.match(src.get("guid") or ""):
            problems.append(f"{where}: missing or bad guid")
        has_content = src.find(f"{{{ns}}}PlainTextContent") is not None
        if has_content == bool(src.get("plainTextPath")):
            problems.append(f"{where}: needs exactly one of PlainTextContent and plainTextPath")
        _check_order(src, ns, ("Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"),
                     where, problems, once=("Description", "PlainTextContent"))
        for sel in src.iterfind(f"{{{ns}}}PlainTextSelection"):
            w = f"{where}, PlainTextSelection '{sel.get('name')}'"
            for attr in ("guid", "startPosition", "endPosition"):
                if sel.get(attr) is None:
                    problems.append(f"{w}: missing required attribute '{attr}'")
            for attr in ("startPosition", "endPosition"):
                if sel.get(attr) is not None and not re.match(r"^-?\d+$", sel.get(attr)):
                    problems.append(f"{w}: {attr} '{sel.get(attr)}' is not an integer")
            _check_order(sel, ns, ("Description", "Coding", "NoteRef"), w, problems)
        for coding in src.iter(f"{{{ns}}}Coding"):
            if not GUID_RE.match(coding.get("guid") or ""):
                problems.append(f"{where}: Coding with missing or bad guid")
            if coding.get("creatingUser") and coding.get("creatingUser") not in users:
                problems.append(f"{where}: Coding by unknown user {coding.get('creatingUser')}")
            refs = coding.findall(f"{{{ns}}}CodeRef")
            if len(refs) != 1:
                problems.append(f"{where}: Coding needs exactly one CodeRef")
            for ref in refs:
                if ref.get("targetGUID") not in guids:
                    problems.append(f"{where}: CodeRef {ref.get('targetGUID')} is not a code of the codebook")
    return problems
