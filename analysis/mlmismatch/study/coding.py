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
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location, column_letter
from mlmismatch.core.findings import QUALITY_COLUMNS, Finding, Status, findings_table, quality
from mlmismatch.core.text import clean
from mlmismatch.sources import Store, as_store
from mlmismatch.study.codebook import CATEGORY_CODES, CODEBOOK_SHEET, DROPDOWN_SHEET, LabelNormalizer, parse_codebook_rows
from mlmismatch.study.workbook import interview_sheets, open_workbook, sheet_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CodingData", "load_coding", "load_codebook", "parse_workbook", "MISMATCH_ID_RE"]

MISMATCH_ID_RE = re.compile(r"^M(\d{2,3})-(\d{2,3})$")
STATS_SHEET = "Interview Statistics"
MISMATCH_SHEET = "Mismatch Sheet"


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
    #: the data-quality report as :class:`~mlmismatch.core.findings.Finding` records (``quality`` is their table)
    findings: list[Finding] = field(default_factory=list, repr=False)

    @property
    def n_interviews(self) -> int:
        return int(self.mismatches["interview"].nunique())

    def copy(self) -> "CodingData":
        """A deep copy: every table copied, so changing it changes no other caller's data."""
        return replace(self, codebook=self.codebook.copy(), mismatches=self.mismatches.copy(),
                       instances=self.instances.copy(), quality=self.quality.copy(),
                       normalizations=self.normalizations.copy(), findings=list(self.findings))


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

def load_coding(path: str | Path | None = None, *, store: Store | None = None, data_dir: str | Path | None = None,
                data_home: str | Path | None = None, strict: bool = False) -> CodingData:
    """Load and validate the coding workbook; every call returns fresh tables.

    ``path`` defaults to the pinned source ``coding``, found by ``store`` (or by a new
    :class:`~mlmismatch.sources.Store` from ``data_dir``, ``data_home`` and ``strict``):
    ``MLMISMATCH_DATA_DIR``, then the user cache, then a download. A store parses each workbook
    once and hands every caller a copy.

    Parameters
    ----------
    path
        A coding workbook; default: the pinned ``coding`` source.
    store, data_dir, data_home, strict
        Where the data is (see :class:`~mlmismatch.sources.Store`).

    Returns
    -------
    CodingData
        ``codebook``, ``mismatches``, ``instances`` and ``quality`` tables (see the module docstring).

    Raises
    ------
    InputError
        On bad input: one line naming file, sheet, row and column.

    Examples
    --------
    >>> data = load_coding()
    >>> len(data.codebook), len(data.mismatches), len(data.instances)
    (34, 140, 232)
    >>> data.instances.columns.tolist()[:4]
    ['mismatch_id', 'interview', 'position', 'category_code']
    >>> data.instances = data.instances.head(0)          # yours to change:
    >>> len(load_coding().instances)                     # the next caller gets fresh tables
    232
    """
    store = as_store(store, data_dir=data_dir, data_home=data_home, strict=strict)
    path, sha, key = store.locate("coding", path)
    return store.memo(key, lambda: parse_workbook(path, sha)).copy()


def load_codebook(path: str | Path | None = None, **kwargs) -> "pd.DataFrame":
    """The codebook table: ``category_code, category, subcategory, description`` (34 rows, workbook order).

    Takes the arguments of :func:`load_coding`.
    """
    return load_coding(path, **kwargs).codebook


def parse_workbook(path: str | Path, sha: str | None = None) -> CodingData:
    """Parse one coding workbook (no store, no memo): the tables of :class:`CodingData`."""
    import warnings

    with warnings.catch_warnings():
        # openpyxl warns about the workbook's data-validation extension (the drop-down lists)
        warnings.filterwarnings("ignore", message="Data Validation extension", category=UserWarning)
        return _parse_workbook(Path(path), sha)


def _parse_workbook(path: Path, sha: str | None) -> CodingData:
    import pandas as pd

    wb = open_workbook(path)
    try:
        codebook = parse_codebook_rows(sheet_rows(wb, CODEBOOK_SHEET, path), file=path.name)
        norm = LabelNormalizer(codebook)
        findings: list[Finding] = [
            quality("normalization: codebook", Status.NORMALIZED,
                    f"sheet '{CODEBOOK_SHEET}', row {r.source_row}, column B",
                    template="'{raw}' read as '{canonical}' (white space)", raw=r.raw_subcategory, canonical=r.subcategory)
            for r in codebook.itertuples(index=False) if r.raw_subcategory != r.subcategory
        ]

        mismatches, instances = [], []
        seen_ids: dict[str, str] = {}
        for sheet in interview_sheets(wb, path):
            interview = sheet.interview
            for r, row in sheet.rows:
                where = sheet.location(r, "mismatch")
                mid = sheet.text(row, "mismatch")
                m = MISMATCH_ID_RE.match(mid)
                if not m:
                    raise InputError(f"mismatch id '{mid}' is not of the form Mnn-nn", where, expected="an id such as M03-02")
                if int(m.group(1)) != interview:
                    raise InputError(f"mismatch id '{mid}' does not belong to interview {interview}", where,
                                     expected=f"an id starting M{interview:02d}-")
                if mid in seen_ids:
                    raise InputError(f"mismatch id '{mid}' seen twice (first in {seen_ids[mid]})", where,
                                     expected="each mismatch id once")
                seen_ids[mid] = f"sheet '{sheet.name}', row {r}"
                pairs = sheet.pairs(r, row, norm)
                for p in pairs:
                    instances.append({
                        "mismatch_id": mid, "interview": interview, "position": p.position,
                        "category_code": p.category_code, "category": p.category, "subcategory": p.subcategory,
                        "sheet": sheet.name, "row": r, "column": p.column,
                    })
                if not pairs:
                    raise InputError(f"mismatch '{mid}' has no category/subcategory pair",
                                     sheet.location(r, "category 1"), expected="at least one coded pair")
                mismatches.append({
                    "mismatch_id": mid, "interview": interview, "sequence": int(m.group(2)),
                    "description": sheet.text(row, "description"),
                    "info_not_communicated": sheet.text(row, "info"),
                    "n_codes": len(pairs), "sheet": sheet.name, "row": r,
                })
            # header spellings that differ from the canonical ones
            for canonical, raw, how, letter in sheet.header_spellings():
                findings.append(quality("normalization: header", Status.NORMALIZED,
                                        f"sheet '{sheet.name}', row 1, column {letter}",
                                        template="header '{raw}' read as '{canonical}' ({how})",
                                        raw=raw, canonical=canonical, how=how))
            header = [clean(c) for c in sheet.header]
            for name in [h for h in header if h and h.lower().endswith("created?")]:
                idx = header.index(name)
                values = [clean(row[idx]) for _r, row in sheet.rows if len(row) > idx and clean(row[idx])]
                findings.append(quality("extra column", Status.INFO, f"sheet '{sheet.name}', column {column_letter(idx + 1)}",
                                        template="column '{name}' present only in this sheet; {n} non-empty cell(s)",
                                        name=name, n=len(values)))

        cat_dtype = pd.CategoricalDtype(list(CATEGORY_CODES.values()), ordered=True)
        mism = pd.DataFrame(mismatches)
        inst = pd.DataFrame(instances)
        inst["category"] = inst["category"].astype(cat_dtype)
        inst = inst.astype({"interview": "int64", "position": "int64", "row": "int64"})
        mism = mism.astype({"interview": "int64", "sequence": "int64", "n_codes": "int64", "row": "int64"})

        normalizations = norm.table()
        for n in normalizations.itertuples(index=False):
            findings.append(quality(f"normalization: {n.kind}", Status.NORMALIZED,
                                    n.first_location + (f" (+{n.count - 1} more)" if n.count > 1 else ""),
                                    f"'{n.raw}' read as '{n.canonical}' ({n.reason})"))

        findings.extend(_check_dropdowns(wb, path, codebook, norm))
        findings.extend(_check_interview_statistics(wb, path, mism))
        findings.extend(_check_mismatch_sheet(wb, path, inst, norm))
        findings.extend(_check_sequences(mism))
        return CodingData(codebook=codebook.drop(columns=["source_row", "raw_subcategory"]), mismatches=mism,
                          instances=inst, quality=findings_table(findings, QUALITY_COLUMNS),
                          normalizations=normalizations, path=path, sha256=sha, findings=findings)
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# Cross-checks against the workbook's own summary sheets (reported, never fixed)
# --------------------------------------------------------------------------------------------

def _check_dropdowns(wb, path: Path, codebook, norm: LabelNormalizer) -> list[Finding]:
    out = []
    if DROPDOWN_SHEET not in wb.sheetnames:
        return [quality("drop-down lists vs codebook", "skipped", f"sheet '{DROPDOWN_SHEET}'",
                    "sheet absent")]
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
                out.append(quality("drop-down lists vs codebook", "disagrees", f"sheet '{DROPDOWN_SHEET}', row {r}, column B",
                    f"'{text}' has no (XX) category code"))
                continue
            code = m.group(1).upper()
            try:
                subs.add((code, norm.subcategory(row[1], code, Location(file=path.name, sheet=DROPDOWN_SHEET, row=r, column=2))))
            except InputError as exc:
                out.append(quality("drop-down lists vs codebook", "disagrees", str(exc.where),
                    exc.problem))
    book = set(zip(codebook.category_code, codebook.subcategory))
    missing = sorted(book - subs)
    status = "agrees" if not missing and cats == set(CATEGORY_CODES) and not out else "disagrees"
    detail = (f"{len(cats)} categories and {len(subs)} subcategories, the same as the codebook's {len(book)}"
              if status == "agrees" else f"codebook pairs missing from the drop-down lists: {missing}")
    out.append(quality("drop-down lists vs codebook", status, f"sheet '{DROPDOWN_SHEET}'",
                    detail))
    return out


def _as_int(value) -> int | None:
    """A finite whole number, else None (``1e400``, ``inf`` and ``abc`` are unreadable, not a crash)."""
    from mlmismatch.core.inputs import as_int

    return as_int(clean(value))


def _check_interview_statistics(wb, path: Path, mism) -> list[Finding]:
    """``Interview Statistics``: mismatches per interview (A:B) and the pivot counts on the right."""
    if STATS_SHEET not in wb.sheetnames:
        return [quality("interview statistics", "skipped", f"sheet '{STATS_SHEET}'",
                    "sheet absent")]
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
                out.append(quality("interview statistics: total", "unreadable", f"sheet '{STATS_SHEET}', row {r}, column B",
                    f"'{clean(row[1])}' has no stored value (a formula never calculated)"))
            continue
        interview = _as_int(label)
        if interview is not None and value is not None:
            stated[interview] = value
    for interview in sorted(set(stated) | set(counted)):
        s, c = stated.get(interview), counted.get(interview, 0)
        if s != c:
            out.append(quality("interview statistics: mismatches per interview", "disagrees", f"sheet '{STATS_SHEET}', interview {interview}",
                    f"summary says {s}, the interview sheet has {c}"))
    if not any(q.status is Status.DISAGREES for q in out):
        out.append(quality("interview statistics: mismatches per interview", "agrees", f"sheet '{STATS_SHEET}', columns A:B",
                    f"{len(stated)} interviews, counts equal to the interview sheets"))
    if total_stated is not None:
        status = "agrees" if total_stated == len(mism) else "disagrees"
        out.append(quality("interview statistics: total", status, f"sheet '{STATS_SHEET}', TOTAL row",
                    f"summary total {total_stated}, mismatches loaded {len(mism)}"))
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


def _check_mismatch_sheet(wb, path: Path, inst, norm: LabelNormalizer) -> list[Finding]:
    """``Mismatch Sheet`` columns A:C list every coded instance with its interview; compare multisets.

    Also compares the pivot-table counts on ``Interview Statistics`` with the recomputed counts.
    """
    out: list[Finding] = []
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
                out.append(quality("mismatch sheet vs interview sheets", "disagrees", str(exc.where),
                    exc.problem))
                continue
            listed[(interview, code, sub)] += 1
        only_sheet = listed - computed
        only_interviews = computed - listed
        for (i, c, s), n in sorted(only_sheet.items()):
            out.append(quality("mismatch sheet vs interview sheets", "disagrees", f"sheet '{MISMATCH_SHEET}', interview {i}",
                    f"{n} more instance(s) of ({c}) {s} than the interview sheet"))
        for (i, c, s), n in sorted(only_interviews.items()):
            out.append(quality("mismatch sheet vs interview sheets", "disagrees", f"sheet '{MISMATCH_SHEET}', interview {i}",
                    f"{n} fewer instance(s) of ({c}) {s} than the interview sheet"))
        if not only_sheet and not only_interviews and not problems:
            out.append(quality("mismatch sheet vs interview sheets", "agrees", f"sheet '{MISMATCH_SHEET}', columns A:C",
                    f"{sum(listed.values())} instances, the same per interview, category and subcategory"))
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
                out.append(quality("interview statistics pivot vs instances", "disagrees", loc,
                    f"pivot says {label} = {value}, recomputed {have}"))
        if agree and not disagree:
            out.append(quality("interview statistics pivot vs instances", "agrees", f"sheet '{STATS_SHEET}', pivot tables",
                    f"{agree} category/subcategory counts equal to the recomputed ones"))
        elif not agree and not disagree:
            out.append(quality("interview statistics pivot vs instances", "skipped", f"sheet '{STATS_SHEET}'",
                    "no pivot counts found"))
    return out


def _check_sequences(mism) -> list[Finding]:
    """Mismatch ids within an interview should run 01, 02, ... without gaps."""
    out = []
    for interview, group in mism.groupby("interview"):
        seq = sorted(group["sequence"])
        if seq != list(range(1, len(seq) + 1)):
            out.append(quality("mismatch id sequence", "disagrees", f"interview {interview}",
                    f"sequence numbers {seq} are not 1..{len(seq)}"))
    if not out:
        out.append(quality("mismatch id sequence", "agrees", "all interview sheets",
                    "ids run 01, 02, ... without gaps in every interview"))
    return out
