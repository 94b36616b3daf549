"""What coding rounds, QDA exchange and templates share: ids, category lists, simple tables.

One home for the helpers of :mod:`.rounds`, :mod:`.qda` and :mod:`.template`, so that none of them
imports another's private parts.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.text import clean
from mlmismatch.study.codebook import CATEGORY_CODES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CODEBOOK_COLUMNS", "ID_RE", "STUDY_ID_RE", "combined_codebook", "categories_of", "check_mismatch_id",
           "read_table"]

CODEBOOK_COLUMNS = ["category_code", "category", "subcategory", "description", "origin"]
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
STUDY_ID_RE = re.compile(r"^M(\d{2,3})-(\d{2,3})$")


def combined_codebook(codebook: "pd.DataFrame", extension: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """The study's codebook (``origin='study'``) followed, category by category, by the extension."""
    import pandas as pd

    study = codebook[["category_code", "category", "subcategory", "description"]].copy()
    study["category"] = study["category"].astype(str)
    study["origin"] = "study"
    if extension is None or extension.empty:
        return study.reset_index(drop=True)
    both = pd.concat([study, extension[CODEBOOK_COLUMNS]], ignore_index=True)
    order = {c: i for i, c in enumerate(dict.fromkeys(list(CATEGORY_CODES) + list(extension["category_code"])))}
    both["_cat"] = both["category_code"].map(order)
    both["_pos"] = range(len(both))
    return both.sort_values(["_cat", "_pos"]).drop(columns=["_cat", "_pos"]).reset_index(drop=True)


def categories_of(codebook: "pd.DataFrame") -> "OrderedDict[str, str]":
    """``code -> name`` for every category of a (combined) codebook, the study's 7 first."""
    cats: OrderedDict[str, str] = OrderedDict(CATEGORY_CODES)
    for code, name in zip(codebook["category_code"], codebook["category"]):
        cats.setdefault(code, str(name))
    return cats


def check_mismatch_id(mid: str, where: Location, interview: int | None = None) -> int | None:
    if not mid:
        raise InputError("missing mismatch id", where, expected="an id such as M21-01")
    if not ID_RE.match(mid):
        raise InputError(f"mismatch id '{mid}' has spaces or other characters", where,
                         expected="letters, digits, '-', '_', '.' or ':' (e.g. M21-01)")
    m = STUDY_ID_RE.match(mid)
    if m and interview is not None and int(m.group(1)) != interview:
        raise InputError(f"mismatch id '{mid}' does not belong to interview {interview}", where,
                         expected=f"an id starting M{interview:02d}-")
    return int(m.group(1)) if m else interview


def read_table(path: Path, what: str = "a .csv or .xlsx file") -> tuple[list[tuple[int, dict]], list[str]]:
    """A CSV or the first sheet of a workbook -> ([(row number, {header: value})], headers).

    Both are read within the limits of :mod:`mlmismatch.core.inputs` (a regular file, bounded
    size and cells). A CSV field that the toolkit neutralized for spreadsheets (``'=...``) is read
    back as it was (:func:`mlmismatch.core.text.spreadsheet_unquote`).
    """
    from mlmismatch.core.text import spreadsheet_unquote

    if path.suffix.lower() == ".csv":
        from mlmismatch.core.inputs import read_csv_rows

        rows = [[spreadsheet_unquote(c) for c in r] for r in read_csv_rows(path, what)]
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        from mlmismatch.study.workbook import open_workbook

        wb = open_workbook(path, what=what)
        try:
            if not wb.sheetnames:
                raise InputError("no sheets", Location(file=path.name), expected=what)
            name = "Code Descriptions" if "Code Descriptions" in wb.sheetnames else wb.sheetnames[0]
            rows = [["" if c is None else c for c in r] for r in wb.rows(name)]
        finally:
            wb.close()
    else:
        raise InputError(f"unsupported file type '{path.suffix}'", Location(file=path.name), expected="a .csv or .xlsx file")
    if not any(rows):
        raise InputError("empty file", Location(file=path.name), expected="a header row")
    header = [clean(h) for h in rows[0]]
    records = []
    for i, row in enumerate(rows[1:], start=2):
        row = list(row) + [""] * (len(header) - len(row))
        records.append((i, {h: row[j] for j, h in enumerate(header) if h}))
    return records, [h for h in header if h]
