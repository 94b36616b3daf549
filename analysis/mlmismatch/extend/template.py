"""A blank coding workbook in the study's layout, with drop-down validation of the code columns.

Sheets:

- ``Instructions`` — how to code (and, with suggestions, that they must be confirmed);
- ``Code Descriptions`` — the codebook (study + extension) with an ``Origin`` column;
- ``Interview NN`` — the study's header ``Mismatch | Quotes | Mismatch Description | Information Not
  Communicated | Category 1 | Sub-Category 1 | ... | Sub-Category 3`` plus ``Coder`` (and
  ``Suggestion`` when pre-filled); the six code columns only accept values from the drop-down lists;
- ``Drop-Down Lists`` — the category labels (``Trained Model (TM)``) and subcategory labels
  (``(TM) Versioning``), as in the study's own workbook.

With suggestions, the codes the classifier proposes are pre-filled and highlighted, and the
``Suggestion`` cell says so: :func:`mlmismatch.extend.rounds.read_round` reads a row as not coded
until the coder has checked the codes and cleared that cell.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location, column_letter
from mlmismatch.core.labels import category_label, subcategory_label
from mlmismatch.extend.codes import categories_of, check_mismatch_id, read_table
from mlmismatch.extend.rounds import SUGGESTION_HEADER, interview_number

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.extend.suggest import Suggester

HEADER = ["Mismatch", "Quotes", "Mismatch Description", "Information Not Communicated", "Category 1", "Sub-Category 1",
          "Category 2", "Sub-Category 2", "Category 3", "Sub-Category 3", "Coder"]
DROPDOWN_SHEET = "Drop-Down Lists"
CODEBOOK_SHEET = "Code Descriptions"
SUGGESTION_TEXT = "machine suggestion - check the codes, correct them, then clear this cell"
_FILL = "FFF2CC"


def read_mismatch_list(path: str | Path) -> "pd.DataFrame":
    """A CSV (or workbook) of new mismatches: ``mismatch_id`` and optional ``interview, description,
    info_not_communicated``."""
    import pandas as pd


    from mlmismatch.core.inputs import check_regular

    path = Path(path)
    what = "a list of mismatches (.csv or .xlsx: mismatch_id[, interview, description, info_not_communicated])"
    check_regular(path, what)
    records, header = read_table(path, what)
    cols = {h.lower().strip(): h for h in header}
    if "mismatch_id" not in cols:
        raise InputError("missing column 'mismatch_id'", Location(file=path.name, row=1),
                         expected="columns mismatch_id (and optional interview, description, info_not_communicated)")
    rows, seen = [], set()
    for r, rec in records:
        get = lambda k: " ".join(str(rec.get(cols[k]) or "").split()) if k in cols else ""  # noqa: E731
        mid = get("mismatch_id")
        if not mid and not any(str(v).strip() for v in rec.values()):
            continue
        where = Location(file=path.name, row=r, header=cols["mismatch_id"])
        iv = interview_number(get("interview"), Location(file=path.name, row=r, header=cols["interview"])) \
            if get("interview") else None
        iv = check_mismatch_id(mid, where, iv)
        if mid in seen:
            raise InputError(f"mismatch id '{mid}' listed twice", where, expected="each mismatch once")
        seen.add(mid)
        rows.append({"mismatch_id": mid, "interview": iv, "description": get("description"),
                     "info_not_communicated": get("info_not_communicated")})
    return pd.DataFrame(rows, columns=["mismatch_id", "interview", "description", "info_not_communicated"])


def blank_mismatches(n_interviews: int = 1, rows: int = 10, first_interview: int = 21) -> "pd.DataFrame":
    """Ids ``M21-01`` ... for a template without a mismatch list (the study used interviews 1-20)."""
    import pandas as pd

    recs = [{"mismatch_id": f"M{i:02d}-{j:02d}", "interview": i, "description": "", "info_not_communicated": ""}
            for i in range(first_interview, first_interview + n_interviews) for j in range(1, rows + 1)]
    return pd.DataFrame(recs)


def suggestions_for(suggester: "Suggester", mismatches: "pd.DataFrame", top: int = 3) -> dict[str, tuple[list[str], str]]:
    """``mismatch_id -> (subcategory labels to pre-fill, note)`` for the mismatches that have text."""
    from mlmismatch.extend.suggest import mismatch_texts

    have = mismatches[(mismatches["description"].fillna("") != "") | (mismatches["info_not_communicated"].fillna("") != "")]
    if have.empty:
        return {}
    table = suggester.suggest(mismatch_texts(have), top=top)
    out = {}
    for t, mid in enumerate(have["mismatch_id"]):
        sub = table[(table.text_index == t) & (table.level == "subcategory")]
        picked = sub[sub.predicted].head(3)
        labels = list(picked["code"])
        probs = ", ".join(f"{c} p={p:.2f}" for c, p in zip(sub["code"], sub["probability"]))
        out[mid] = (labels, f"{SUGGESTION_TEXT} (top: {probs})")
    return out


def build_template(codebook: "pd.DataFrame", mismatches: "pd.DataFrame | None" = None, coder: str | None = None,
                   suggestions: dict[str, tuple[list[str], str]] | None = None, extra_rows: int = 0):
    """The template as an ``openpyxl.Workbook`` (see the module docstring).

    ``codebook`` is a combined codebook (:func:`rounds.combined_codebook`); ``mismatches`` the rows to
    pre-fill (default: 10 blank ids of interview 21); ``extra_rows`` blank validated rows per sheet.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    if mismatches is None:
        mismatches = blank_mismatches()
    suggestions = suggestions or {}
    wb = openpyxl.Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor=_FILL)

    ws = wb.active
    ws.title = "Instructions"
    lines = [
        "Coding workbook for a new round of ML mismatches (layout of Lewis, Bellomo, Ozkaya, WAIN 2021).",
        "",
        "1. Read each mismatch on the 'Interview NN' sheets (Mismatch Description, Information Not Communicated).",
        "2. Give it one to three codes: a Category and a Sub-Category per pair, from the drop-down lists.",
        "   A Sub-Category must belong to its Category: '(TM) Versioning' goes with 'Trained Model (TM)'.",
        "3. Write your name in the Coder column (one workbook per coder, or one row per mismatch and coder).",
        "4. The codes and their descriptions are on the 'Code Descriptions' sheet; rows with Origin 'extension'",
        "   are codes added to the study's codebook for this round.",
        "5. Check agreement with: mlmismatch code agreement coder1.xlsx coder2.xlsx",
    ]
    if suggestions:
        lines += ["",
                  "Some codes are PRE-FILLED by a text classifier (highlighted). They are suggestions, not codes:",
                  "check each one against the description, correct it, and then clear the Suggestion cell.",
                  "Rows whose Suggestion cell is not cleared are read as not coded."]
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line)
    ws["A1"].font = bold
    ws.column_dimensions["A"].width = 110

    cb = wb.create_sheet(CODEBOOK_SHEET)
    for j, h in enumerate(["Category", "Sub-Category", "Description", "Origin"], start=1):
        cb.cell(row=1, column=j, value=h).font = bold
    r = 2
    last = None
    for row in codebook.itertuples(index=False):
        if row.category_code != last:
            cb.cell(row=r, column=1, value=str(row.category))
            last = row.category_code
        cb.cell(row=r, column=2, value=row.subcategory)
        cb.cell(row=r, column=3, value=row.description).alignment = wrap
        cb.cell(row=r, column=4, value=getattr(row, "origin", "study"))
        r += 1
    for col, width in zip("ABCD", (26, 48, 90, 10)):
        cb.column_dimensions[col].width = width

    cats = categories_of(codebook)
    dd = wb.create_sheet(DROPDOWN_SHEET)
    dd.cell(row=1, column=1, value="Category").font = bold
    dd.cell(row=1, column=2, value="Sub-Category").font = bold
    cat_labels = [category_label(c, n) for c, n in cats.items() if (codebook["category_code"] == c).any()]
    sub_labels = [subcategory_label(c, s) for c, s in zip(codebook["category_code"], codebook["subcategory"])]
    for i, v in enumerate(cat_labels, start=2):
        dd.cell(row=i, column=1, value=v)
    for i, v in enumerate(sub_labels, start=2):
        dd.cell(row=i, column=2, value=v)
    dd.column_dimensions["A"].width = 30
    dd.column_dimensions["B"].width = 60
    cat_range = f"'{DROPDOWN_SHEET}'!$A$2:$A${len(cat_labels) + 1}"
    sub_range = f"'{DROPDOWN_SHEET}'!$B$2:$B${len(sub_labels) + 1}"

    mism = mismatches.copy()
    import pandas as pd

    mism["_iv"] = [_interview_of(m) if pd.isna(i) else int(i) for i, m in zip(mism["interview"], mism["mismatch_id"])]
    header = HEADER + ([SUGGESTION_HEADER + " (clear once confirmed)"] if suggestions else [])
    for iv, group in mism.groupby("_iv", sort=True):
        ws = wb.create_sheet(f"Interview {iv:02d}", index=len(wb.sheetnames) - 1)
        for j, h in enumerate(header, start=1):
            ws.cell(row=1, column=j, value=h).font = bold
        for i, m in enumerate(group.itertuples(index=False), start=2):
            ws.cell(row=i, column=1, value=m.mismatch_id)
            ws.cell(row=i, column=3, value=m.description or None).alignment = wrap
            ws.cell(row=i, column=4, value=m.info_not_communicated or None).alignment = wrap
            if coder:
                ws.cell(row=i, column=11, value=coder)
            if m.mismatch_id in suggestions:
                labels, note = suggestions[m.mismatch_id]
                for p, label in enumerate(labels):
                    code = label[1:3]
                    ws.cell(row=i, column=5 + 2 * p, value=category_label(code, cats[code])).fill = fill
                    ws.cell(row=i, column=6 + 2 * p, value=label).fill = fill
                ws.cell(row=i, column=12, value=note).fill = fill
        last_row = len(group) + 1 + extra_rows
        cat_dv = DataValidation(type="list", formula1=cat_range, allow_blank=True, showErrorMessage=True,
                                errorTitle="Not a category of the codebook",
                                error="Pick a category from the list (sheet 'Drop-Down Lists').")
        sub_dv = DataValidation(type="list", formula1=sub_range, allow_blank=True, showErrorMessage=True,
                                errorTitle="Not a subcategory of the codebook",
                                error="Pick a subcategory from the list; its (XX) prefix must match the category.")
        for p in range(3):
            cat_dv.add(f"{column_letter(5 + 2 * p)}2:{column_letter(5 + 2 * p)}{last_row}")
            sub_dv.add(f"{column_letter(6 + 2 * p)}2:{column_letter(6 + 2 * p)}{last_row}")
        ws.add_data_validation(cat_dv)
        ws.add_data_validation(sub_dv)
        ws.freeze_panes = "B2"
        for col, width in zip("ABCDEFGHIJKL", (10, 12, 60, 45, 26, 40, 26, 40, 26, 40, 14, 50)):
            ws.column_dimensions[col].width = width
    cells_as_text(wb)
    return wb


def cells_as_text(wb) -> int:
    """Store every text cell that a spreadsheet would read as a formula as text (OWASP's CSV-injection
    guidance for spreadsheets): a coder's name, a mismatch description or an extension code that
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is shown, never run.
    Returns the number of cells changed."""
    from mlmismatch.core.text import FORMULA_TRIGGERS

    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed


def _interview_of(mismatch_id: str) -> int:
    m = re.match(r"^[A-Za-z](\d{2,3})-", str(mismatch_id))
    return int(m.group(1)) if m else 1


def write_template(path: str | Path, codebook: "pd.DataFrame", mismatches: "pd.DataFrame | None" = None,
                   coder: str | None = None, suggestions: dict | None = None, extra_rows: int = 0) -> Path:
    """Build the template and save it atomically to ``path`` (.xlsx)."""
    from datetime import datetime

    from mlmismatch.core.writers import atomic_path

    wb = build_template(codebook, mismatches, coder=coder, suggestions=suggestions, extra_rows=extra_rows)
    wb.properties.creator = "mlmismatch"
    wb.properties.created = wb.properties.modified = datetime(2021, 1, 1)
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
