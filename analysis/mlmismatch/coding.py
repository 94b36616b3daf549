"""Load the study's coding workbook (``Mismatch-Open-Coding-Final.xlsx``) into validated tidy tables.

Tables (pandas DataFrames), built once by :func:`load_coding`:

``codebook``
    ``category_code, category, subcategory, description`` — 34 rows in the workbook's order.
``mismatches``
    one row per mismatch (140): ``mismatch_id`` (``M01-01``), ``interview``, ``sequence``,
    ``description``, ``info_not_communicated``, ``n_codes``, ``sheet``, ``row``. The interview quotes
    are never read.
``instances``
    one row per coded category/subcategory pair (232): ``mismatch_id, interview, position (1-3),
    category_code, category, subcategory, sheet, row, column``.
``quality``
    the data-quality report: ``check, status, location, detail`` — every label normalization and
    every cross-check of the workbook's own summary sheets (``Interview Statistics``,
    ``Mismatch Sheet``, ``Drop-Down Lists``) against the per-interview sheets. Disagreements are
    reported, never silently fixed.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .codebook import (CATEGORY_CODES, CODEBOOK_SHEET, DROPDOWN_SHEET, LabelNormalizer, clean,
                       parse_codebook_rows)
from .errors import DataNotFoundError, InputError, Location, column_letter

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

INTERVIEW_SHEET_RE = re.compile(r"^Interview (\d{1,3})$")
MISMATCH_ID_RE = re.compile(r"^M(\d{2,3})-(\d{2,3})$")
STATS_SHEET = "Interview Statistics"
MISMATCH_SHEET = "Mismatch Sheet"

#: Canonical column -> accepted header spellings (compared after clean() and lower()).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "mismatch": ("mismatch", "mismatch id"),
    "description": ("mismatch description", "description"),
    "info": ("information not communicated", "information that was not communicated",
             "information not shared", "information that should have been shared"),
    "category 1": ("category 1",), "sub-category 1": ("sub-category 1", "subcategory 1"),
    "category 2": ("category 2",), "sub-category 2": ("sub-category 2", "subcategory 2"),
    "category 3": ("category 3",), "sub-category 3": ("sub-category 3", "subcategory 3"),
}
REQUIRED_HEADERS = list(HEADER_ALIASES)
CANONICAL_HEADERS = {"mismatch": "Mismatch", "description": "Mismatch Description",
                     "info": "Information Not Communicated",
                     **{f"category {i}": f"Category {i}" for i in (1, 2, 3)},
                     **{f"sub-category {i}": f"Sub-Category {i}" for i in (1, 2, 3)}}
QUALITY_COLUMNS = ["check", "status", "location", "detail"]


@dataclass
class CodingData:
    """The coding workbook as tidy tables (see the module docstring)."""

    codebook: "pd.DataFrame"
    mismatches: "pd.DataFrame"
    instances: "pd.DataFrame"
    quality: "pd.DataFrame"
    normalizations: "pd.DataFrame"
    path: Path
    sha256: str | None = None

    @property
    def n_interviews(self) -> int:
        return int(self.mismatches["interview"].nunique())


# --------------------------------------------------------------------------------------------
# Workbook access
# --------------------------------------------------------------------------------------------

def open_workbook(path: Path):
    """Open an .xlsx read-only with cached values; a clear error if it is not a workbook."""
    import warnings

    import openpyxl

    if not path.exists():
        raise DataNotFoundError("file not found", Location(file=path),
                                expected="the study's workbook (run `mlmismatch fetch`, or set MLMISMATCH_DATA_DIR)")
    if not zipfile.is_zipfile(path):
        raise InputError("not an Excel workbook (.xlsx)", Location(file=path), expected="an .xlsx file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for corrupt files
        raise InputError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})", Location(file=path),
                         expected="an .xlsx file") from None


def sheet_rows(wb, name: str, file: Path) -> list[tuple]:
    if name not in wb.sheetnames:
        raise InputError(f"missing sheet '{name}'", Location(file=file), expected="the layout of the study's coding workbook")
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def coded_pair(norm: LabelNormalizer, cat_raw, sub_raw, cat_loc: Location,
               sub_loc: Location) -> tuple[str, str, str] | None:
    """One category/subcategory cell pair -> ``(code, category, subcategory)``; None when both are empty.

    A category without a subcategory (or the reverse) and unknown labels raise :class:`InputError`.
    """
    if not clean(cat_raw) and not clean(sub_raw):
        return None
    if not clean(cat_raw):
        raise InputError(f"subcategory '{clean(sub_raw)}' without a category", cat_loc,
                         expected="a category for every subcategory")
    if not clean(sub_raw):
        raise InputError(f"category '{clean(cat_raw)}' without a subcategory", sub_loc,
                         expected="a subcategory for every category")
    code, category = norm.category(cat_raw, cat_loc)
    return code, category, norm.subcategory(sub_raw, code, sub_loc)


def header_map(header: tuple, file: Path, sheet: str) -> dict[str, int]:
    """Canonical column name -> 0-based index, using HEADER_ALIASES; error names the missing column."""
    found: dict[str, int] = {}
    for idx, cell in enumerate(header):
        text = clean(cell).lower()
        for canon, aliases in HEADER_ALIASES.items():
            if text in aliases and canon not in found:
                found[canon] = idx
    for pos, canon in enumerate(REQUIRED_HEADERS):
        if canon not in found:
            shown = {"info": "Information Not Communicated", "description": "Mismatch Description"}.get(canon, canon.title())
            raise InputError(f"missing column '{shown}'", Location(file=file, sheet=sheet, row=1),
                             expected="header Mismatch | Quotes | Mismatch Description | Information Not Communicated | "
                                      "Category 1 | Sub-Category 1 | ... | Sub-Category 3")
    return found


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

def load_coding(path: str | Path | None = None, **resolve_kwargs) -> CodingData:
    """Load and validate the coding workbook.

    ``path`` defaults to the pinned source ``coding`` resolved through :mod:`mlmismatch.sources`
    (``MLMISMATCH_DATA_DIR``, then the user cache, then a download). Results are cached per path.
    """
    sha = None
    if path is None:
        from .sources import resolve

        resolved = resolve("coding", **resolve_kwargs)
        path, sha = resolved.path, resolved.sha256
    path = Path(path)
    stat = path.stat() if path.exists() else None
    return _load_cached(path.resolve(), stat.st_mtime_ns if stat else 0, sha)


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime: int, sha: str | None) -> CodingData:
    return parse_workbook(path, sha)


def parse_workbook(path: Path, sha: str | None = None) -> CodingData:
    import warnings

    with warnings.catch_warnings():
        # openpyxl warns about the workbook's data-validation extension (the drop-down lists)
        warnings.filterwarnings("ignore", message="Data Validation extension", category=UserWarning)
        return _parse_workbook(path, sha)


def _parse_workbook(path: Path, sha: str | None) -> CodingData:
    import pandas as pd

    wb = open_workbook(path)
    try:
        codebook = parse_codebook_rows(sheet_rows(wb, CODEBOOK_SHEET, path), file=path.name)
        norm = LabelNormalizer(codebook)
        quality: list[dict] = [
            {"check": "normalization: codebook", "status": "normalized",
             "location": f"sheet '{CODEBOOK_SHEET}', row {r.source_row}, column B",
             "detail": f"'{r.raw_subcategory}' read as '{r.subcategory}' (white space)"}
            for r in codebook.itertuples(index=False) if r.raw_subcategory != r.subcategory
        ]

        interview_sheets = []
        for name in wb.sheetnames:
            m = INTERVIEW_SHEET_RE.match(name.strip())
            if m:
                interview_sheets.append((int(m.group(1)), name))
        if not interview_sheets:
            raise InputError("no per-interview sheets", Location(file=path),
                             expected="sheets named 'Interview 01', 'Interview 02', ...")

        mismatches, instances = [], []
        seen_ids: dict[str, str] = {}
        for interview, sheet in sorted(interview_sheets):
            rows = sheet_rows(wb, sheet, path)
            if not rows:
                raise InputError("empty sheet", Location(file=path.name, sheet=sheet), expected="a header row and mismatches")
            cols = header_map(rows[0], path.name, sheet)
            for r, row in enumerate(rows[1:], start=2):
                row = tuple(row) + (None,) * (max(cols.values()) + 1 - len(row))
                if not any(clean(c) for c in row):
                    continue
                where = Location(file=path.name, sheet=sheet, row=r, column=cols["mismatch"] + 1, header="Mismatch")
                mid = clean(row[cols["mismatch"]])
                m = MISMATCH_ID_RE.match(mid)
                if not m:
                    raise InputError(f"mismatch id '{mid}' is not of the form Mnn-nn" if mid else "missing mismatch id",
                                     where, expected="an id such as M01-01")
                if int(m.group(1)) != interview:
                    raise InputError(f"mismatch id '{mid}' does not belong to interview {interview}", where,
                                     expected=f"an id starting M{interview:02d}-")
                if mid in seen_ids:
                    raise InputError(f"mismatch id '{mid}' seen twice (first in {seen_ids[mid]})", where,
                                     expected="each mismatch id once")
                seen_ids[mid] = f"sheet '{sheet}', row {r}"
                n_codes = 0
                for pos in (1, 2, 3):
                    ci, si = cols[f"category {pos}"], cols[f"sub-category {pos}"]
                    cat_raw, sub_raw = row[ci], row[si]
                    cat_loc = Location(file=path.name, sheet=sheet, row=r, column=ci + 1, header=f"Category {pos}")
                    sub_loc = Location(file=path.name, sheet=sheet, row=r, column=si + 1, header=f"Sub-Category {pos}")
                    pair = coded_pair(norm, cat_raw, sub_raw, cat_loc, sub_loc)
                    if pair is None:
                        continue
                    code, category, subcategory = pair
                    n_codes += 1
                    instances.append({
                        "mismatch_id": mid, "interview": interview, "position": pos,
                        "category_code": code, "category": category, "subcategory": subcategory,
                        "sheet": sheet, "row": r, "column": column_letter(si + 1),
                    })
                if n_codes == 0:
                    raise InputError(f"mismatch '{mid}' has no category/subcategory pair",
                                     Location(file=path.name, sheet=sheet, row=r, column=cols["category 1"] + 1, header="Category 1"),
                                     expected="at least one coded pair")
                mismatches.append({
                    "mismatch_id": mid, "interview": interview, "sequence": int(m.group(2)),
                    "description": clean(row[cols["description"]]),
                    "info_not_communicated": clean(row[cols["info"]]),
                    "n_codes": n_codes, "sheet": sheet, "row": r,
                })
            # header spellings that differ from the canonical ones
            for canon, idx in cols.items():
                raw = "" if rows[0][idx] is None else str(rows[0][idx])
                if raw != CANONICAL_HEADERS[canon]:
                    how = "case" if clean(raw).lower() == CANONICAL_HEADERS[canon].lower() else "spelling"
                    quality.append({"check": "normalization: header", "status": "normalized",
                                    "location": f"sheet '{sheet}', row 1, column {column_letter(idx + 1)}",
                                    "detail": f"header '{raw}' read as '{CANONICAL_HEADERS[canon]}' ({how})"})
            extra = [clean(c) for c in rows[0] if clean(c) and clean(c).lower().endswith("created?")]
            for name in extra:
                idx = [clean(c) for c in rows[0]].index(name)
                values = [clean(row[idx]) for row in rows[1:] if len(row) > idx and clean(row[idx])]
                quality.append({"check": "extra column", "status": "info",
                                "location": f"sheet '{sheet}', column {column_letter(idx + 1)}",
                                "detail": f"column '{name}' present only in this sheet; {len(values)} non-empty cell(s)"})

        cat_dtype = pd.CategoricalDtype(list(CATEGORY_CODES.values()), ordered=True)
        mism = pd.DataFrame(mismatches)
        inst = pd.DataFrame(instances)
        inst["category"] = inst["category"].astype(cat_dtype)
        inst = inst.astype({"interview": "int64", "position": "int64", "row": "int64"})
        mism = mism.astype({"interview": "int64", "sequence": "int64", "n_codes": "int64", "row": "int64"})

        normalizations = norm.table()
        for n in normalizations.itertuples(index=False):
            quality.append({"check": f"normalization: {n.kind}", "status": "normalized",
                            "location": n.first_location + (f" (+{n.count - 1} more)" if n.count > 1 else ""),
                            "detail": f"'{n.raw}' read as '{n.canonical}' ({n.reason})"})

        quality.extend(_check_dropdowns(wb, path, codebook, norm))
        quality.extend(_check_interview_statistics(wb, path, mism))
        quality.extend(_check_mismatch_sheet(wb, path, inst, norm))
        quality.extend(_check_sequences(mism))
        quality_df = pd.DataFrame(quality, columns=QUALITY_COLUMNS)
        return CodingData(codebook=codebook.drop(columns=["source_row", "raw_subcategory"]), mismatches=mism, instances=inst,
                          quality=quality_df, normalizations=normalizations, path=path, sha256=sha)
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# Cross-checks against the workbook's own summary sheets (reported, never fixed)
# --------------------------------------------------------------------------------------------

def _check_dropdowns(wb, path: Path, codebook, norm: LabelNormalizer) -> list[dict]:
    out = []
    if DROPDOWN_SHEET not in wb.sheetnames:
        return [{"check": "drop-down lists vs codebook", "status": "skipped", "location": f"sheet '{DROPDOWN_SHEET}'",
                 "detail": "sheet absent"}]
    rows = sheet_rows(wb, DROPDOWN_SHEET, path)
    subs = set()
    cats = set()
    for r, row in enumerate(rows[1:], start=2):
        row = tuple(row) + (None, None)
        if clean(row[0]):
            cats.add(norm.category(row[0], Location(file=path.name, sheet=DROPDOWN_SHEET, row=r, column=1))[0])
        if clean(row[1]):
            text = clean(row[1])
            m = re.match(r"^\((\w\w)\)", text)
            if not m:
                out.append({"check": "drop-down lists vs codebook", "status": "disagrees",
                            "location": f"sheet '{DROPDOWN_SHEET}', row {r}, column B",
                            "detail": f"'{text}' has no (XX) category code"})
                continue
            code = m.group(1).upper()
            try:
                subs.add((code, norm.subcategory(row[1], code, Location(file=path.name, sheet=DROPDOWN_SHEET, row=r, column=2))))
            except InputError as exc:
                out.append({"check": "drop-down lists vs codebook", "status": "disagrees",
                            "location": str(exc.where), "detail": exc.problem})
    book = set(zip(codebook.category_code, codebook.subcategory))
    missing = sorted(book - subs)
    status = "agrees" if not missing and cats == set(CATEGORY_CODES) and not out else "disagrees"
    detail = (f"{len(cats)} categories and {len(subs)} subcategories, the same as the codebook's {len(book)}"
              if status == "agrees" else f"codebook pairs missing from the drop-down lists: {missing}")
    out.append({"check": "drop-down lists vs codebook", "status": status, "location": f"sheet '{DROPDOWN_SHEET}'",
                "detail": detail})
    return out


def _as_int(value) -> int | None:
    try:
        return int(float(clean(value)))
    except (TypeError, ValueError):
        return None


def _check_interview_statistics(wb, path: Path, mism) -> list[dict]:
    """``Interview Statistics``: mismatches per interview (A:B) and the pivot counts on the right."""
    if STATS_SHEET not in wb.sheetnames:
        return [{"check": "interview statistics", "status": "skipped", "location": f"sheet '{STATS_SHEET}'",
                 "detail": "sheet absent"}]
    rows = sheet_rows(wb, STATS_SHEET, path)
    out = []
    counted = mism.groupby("interview").size().to_dict()
    stated: dict[int, int] = {}
    total_stated = None
    for r, row in enumerate(rows[1:], start=2):
        if not row or clean(row[0]) == "":
            continue
        label = clean(row[0])
        value = _as_int(row[1]) if len(row) > 1 else None
        if label.upper() == "TOTAL":
            total_stated = value
            if value is None:
                out.append({"check": "interview statistics: total", "status": "unreadable",
                            "location": f"sheet '{STATS_SHEET}', row {r}, column B",
                            "detail": f"'{clean(row[1])}' has no stored value (a formula never calculated)"})
            continue
        interview = _as_int(label)
        if interview is not None and value is not None:
            stated[interview] = value
    for interview in sorted(set(stated) | set(counted)):
        s, c = stated.get(interview), counted.get(interview, 0)
        if s != c:
            out.append({"check": "interview statistics: mismatches per interview", "status": "disagrees",
                        "location": f"sheet '{STATS_SHEET}', interview {interview}",
                        "detail": f"summary says {s}, the interview sheet has {c}"})
    if not any(q["status"] == "disagrees" for q in out):
        out.append({"check": "interview statistics: mismatches per interview", "status": "agrees",
                    "location": f"sheet '{STATS_SHEET}', columns A:B",
                    "detail": f"{len(stated)} interviews, counts equal to the interview sheets"})
    if total_stated is not None:
        status = "agrees" if total_stated == len(mism) else "disagrees"
        out.append({"check": "interview statistics: total", "status": status,
                    "location": f"sheet '{STATS_SHEET}', TOTAL row",
                    "detail": f"summary total {total_stated}, mismatches loaded {len(mism)}"})
    return out


def _pivot_counts(rows: list[tuple]) -> list[tuple[str, int, str]]:
    """Every (label, count, location) pair of the pivot tables on the right of Interview Statistics."""
    found = []
    for r, row in enumerate(rows, start=1):
        for c in range(2, len(row) - 1):
            label, value = clean(row[c]), _as_int(row[c + 1])
            if label and value is not None and not label.isdigit():
                found.append((label, value, f"sheet '{STATS_SHEET}', row {r}, column {column_letter(c + 1)}"))
    return found


def _check_mismatch_sheet(wb, path: Path, inst, norm: LabelNormalizer) -> list[dict]:
    """``Mismatch Sheet`` columns A:C list every coded instance with its interview; compare multisets.

    Also compares the pivot-table counts on ``Interview Statistics`` with the recomputed counts.
    """
    out: list[dict] = []
    computed = Counter(zip(inst.interview, inst.category_code, inst.subcategory))
    if MISMATCH_SHEET in wb.sheetnames:
        rows = sheet_rows(wb, MISMATCH_SHEET, path)
        listed: Counter = Counter()
        problems = 0
        for r, row in enumerate(rows[1:], start=2):
            row = tuple(row) + (None,) * 3
            if not clean(row[1]) and not clean(row[2]):
                continue
            interview = _as_int(row[0])
            try:
                code, _ = norm.category(row[1], Location(file=path.name, sheet=MISMATCH_SHEET, row=r, column=2))
                sub = norm.subcategory(row[2], code, Location(file=path.name, sheet=MISMATCH_SHEET, row=r, column=3))
            except InputError as exc:
                problems += 1
                out.append({"check": "mismatch sheet vs interview sheets", "status": "disagrees",
                            "location": str(exc.where), "detail": exc.problem})
                continue
            listed[(interview, code, sub)] += 1
        only_sheet = listed - computed
        only_interviews = computed - listed
        for (i, c, s), n in sorted(only_sheet.items()):
            out.append({"check": "mismatch sheet vs interview sheets", "status": "disagrees",
                        "location": f"sheet '{MISMATCH_SHEET}', interview {i}",
                        "detail": f"{n} more instance(s) of ({c}) {s} than the interview sheet"})
        for (i, c, s), n in sorted(only_interviews.items()):
            out.append({"check": "mismatch sheet vs interview sheets", "status": "disagrees",
                        "location": f"sheet '{MISMATCH_SHEET}', interview {i}",
                        "detail": f"{n} fewer instance(s) of ({c}) {s} than the interview sheet"})
        if not only_sheet and not only_interviews and not problems:
            out.append({"check": "mismatch sheet vs interview sheets", "status": "agrees",
                        "location": f"sheet '{MISMATCH_SHEET}', columns A:C",
                        "detail": f"{sum(listed.values())} instances, the same per interview, category and subcategory"})
    if STATS_SHEET in wb.sheetnames:
        by_cat = inst.groupby("category_code", observed=True).size().to_dict()
        by_sub = inst.groupby(["category_code", "subcategory"], observed=True).size().to_dict()
        agree, disagree = 0, 0
        for label, value, loc in _pivot_counts(sheet_rows(wb, STATS_SHEET, path)):
            if label.lower() in ("grand total", "count", "mismatches"):
                continue
            try:
                if label.startswith("("):
                    code = label[1:3].upper()
                    key, what = (code, norm.subcategory(label, code, Location())), None
                    have = by_sub.get(key, 0)
                else:
                    code, _ = norm.category(label, Location())
                    have = by_cat.get(code, 0)
            except InputError:
                continue
            if have == value:
                agree += 1
            else:
                disagree += 1
                out.append({"check": "interview statistics pivot vs instances", "status": "disagrees",
                            "location": loc, "detail": f"pivot says {label} = {value}, recomputed {have}"})
        if agree and not disagree:
            out.append({"check": "interview statistics pivot vs instances", "status": "agrees",
                        "location": f"sheet '{STATS_SHEET}', pivot tables",
                        "detail": f"{agree} category/subcategory counts equal to the recomputed ones"})
        elif not agree and not disagree:
            out.append({"check": "interview statistics pivot vs instances", "status": "skipped",
                        "location": f"sheet '{STATS_SHEET}'", "detail": "no pivot counts found"})
    return out


def _check_sequences(mism) -> list[dict]:
    """Mismatch ids within an interview should run 01, 02, ... without gaps."""
    out = []
    for interview, group in mism.groupby("interview"):
        seq = sorted(group["sequence"])
        if seq != list(range(1, len(seq) + 1)):
            out.append({"check": "mismatch id sequence", "status": "disagrees", "location": f"interview {interview}",
                        "detail": f"sequence numbers {seq} are not 1..{len(seq)}"})
    if not out:
        out.append({"check": "mismatch id sequence", "status": "agrees", "location": "all interview sheets",
                    "detail": "ids run 01, 02, ... without gaps in every interview"})
    return out
