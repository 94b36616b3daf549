"""Reading the study's workbooks: opening an .xlsx, its sheets, and the interview-sheet layout.

The coding workbook has one sheet per interview (``Interview 01`` ...) with the header ``Mismatch |
Quotes | Mismatch Description | Information Not Communicated | Category 1 | Sub-Category 1 | ... |
Sub-Category 3``. :func:`interview_sheets` reads that layout once for every user of it: the
study's loader (:mod:`mlmismatch.study.coding`) and new coding rounds
(:mod:`mlmismatch.extend.rounds`). The quotes column is never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from mlmismatch.core.errors import DataNotFoundError, InputError, Location, column_letter
from mlmismatch.core.text import clean

if TYPE_CHECKING:  # pragma: no cover
    from mlmismatch.study.codebook import LabelNormalizer

INTERVIEW_SHEET_RE = re.compile(r"^Interview (\d{1,3})$")

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
POSITIONS = (1, 2, 3)


XLSX = "an Excel workbook (.xlsx)"


class Workbook:
    """An opened .xlsx: its sheet names and its rows, read within the limits of :mod:`mlmismatch.core.inputs`.

    The sheets' declared dimensions are not trusted (a sheet may declare 1,048,576 rows and hold
    three): rows are read as they are stored, trailing empty cells dropped. All the sheets read
    from one workbook hold at most :data:`~mlmismatch.core.inputs.MAX_CELLS` cells (padding
    included) of at most :data:`~mlmismatch.core.inputs.MAX_CELL_CHARS` characters.
    """

    def __init__(self, wb, path: Path, handle):
        self._wb = wb
        self.path = path
        self._handle = handle
        self.cells = 0
        self.filled_rows = 0

    @property
    def sheetnames(self) -> list[str]:
        return list(self._wb.sheetnames)

    def charge(self, cells: int, where: Location) -> None:
        """Count ``cells`` more cells against the workbook's budget."""
        from mlmismatch.core import inputs

        self.cells += cells
        if self.cells > inputs.MAX_CELLS:
            raise InputError(f"more than {inputs.MAX_CELLS:,} cells", where, expected="a workbook of the study's size")

    def rows(self, name: str) -> list[tuple]:
        """Every row of sheet ``name`` (row 1 first; a missing row is ``()``), trailing empty cells dropped."""
        from mlmismatch.core import inputs
        from mlmismatch.core.inputs import MAX_CELL_CHARS, MAX_SHEET_ROWS, archive_problem

        ws = self._wb[name]
        out: list[tuple] = []
        r = 0
        try:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # never trust the declared dimension
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if r > MAX_SHEET_ROWS:
                    raise InputError(f"more than {MAX_SHEET_ROWS:,} rows (Excel's limit)",
                                     Location(file=self.path, sheet=name), expected=XLSX)
                last = len(row)
                while last and row[last - 1] is None:
                    last -= 1
                if last:
                    self.charge(last, Location(file=self.path, sheet=name, row=r))
                    self.filled_rows += 1
                    if self.filled_rows > inputs.MAX_ROWS:
                        raise InputError(f"more than {inputs.MAX_ROWS:,} rows holding values",
                                         Location(file=self.path, sheet=name, row=r),
                                         expected="a workbook of the study's size")
                    for j in range(last):
                        value = row[j]
                        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                            raise InputError(f"a cell of {len(value):,} characters, over Excel's limit of "
                                             f"{MAX_CELL_CHARS:,}", Location(file=self.path, sheet=name, row=r,
                                                                            column=j + 1), expected=XLSX)
                    out.append(tuple(row[:last]))
                else:
                    out.append(())
        except InputError:
            raise
        except Exception as exc:  # openpyxl raises many types for a malformed sheet part
            raise InputError(f"unreadable sheet ({archive_problem(exc)})",
                             Location(file=self.path, sheet=name, row=r + 1 if r else None), expected=XLSX) from None
        return out

    def close(self) -> None:
        try:
            self._wb.close()
        finally:
            self._handle.close()


def open_workbook(path: str | Path, what: str = "the study's workbook (run `mlmismatch fetch`, or set MLMISMATCH_DATA_DIR)"):
    """Open an .xlsx read-only with cached values, after checking it (a one-line error otherwise).

    Refused before openpyxl parses anything: a missing file, anything but a regular file (a FIFO,
    a device, a directory, a symbolic-link loop), a file that is not a zip archive, an archive over
    the limits of :func:`mlmismatch.core.inputs.open_zip` (size, compression ratio, encrypted
    members), and XML parts that are malformed, hold a DTD or entities, nest too deep or hold a
    shared string over Excel's 32,767 characters (:func:`mlmismatch.core.inputs.scan_xml`).
    openpyxl then parses with defusedxml. Returns a :class:`Workbook`.
    """
    import os
    import warnings

    from mlmismatch.core import inputs
    from mlmismatch.core.inputs import archive_problem, close_zip, member_location, open_zip, scan_xml

    path = Path(path)
    if not os.path.lexists(path):
        raise DataNotFoundError("file not found", Location(file=path), expected=what)
    zf = open_zip(path, what, not_zip="not an Excel workbook (.xlsx)", format_expected="an .xlsx file")
    handle = zf._mlmismatch_fh
    try:
        elements = 0
        for info in zf.infolist():
            name = info.filename
            if not name.lower().endswith((".xml", ".rels")):
                continue
            where = member_location(path, name)
            try:
                member = zf.open(info)
            except Exception as exc:  # a damaged local header
                raise InputError(f"a corrupted archive member ({archive_problem(exc)})", where, expected=XLSX) from None
            with member:
                strings = name.lower().endswith("sharedstrings.xml")
                elements += scan_xml(member, where, XLSX, text_tag="si" if strings else None,
                                     max_elements=inputs.MAX_STREAMED_ELEMENTS - elements)
        zf.close()  # the file stays open for openpyxl
        import openpyxl

        _require_defusedxml(openpyxl)
        handle.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except InputError:
        close_zip(zf)
        raise
    except Exception as exc:  # openpyxl raises several types for corrupt files
        close_zip(zf)
        raise InputError(f"not a readable Excel workbook ({archive_problem(exc)})", Location(file=path),
                         expected="an .xlsx file") from None
    return Workbook(wb, path, handle)


def _require_defusedxml(openpyxl) -> None:
    """openpyxl parses with defusedxml when it is installed (a dependency), unless OPENPYXL_DEFUSEDXML
    turned that off; then it is refused rather than parsing untrusted XML unguarded."""
    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise InputError("openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to something other than True?)",
                         expected="defusedxml installed and OPENPYXL_DEFUSEDXML unset")


def sheet_rows(wb: Workbook, name: str, file: str | Path, expected: str = "the layout of the study's coding workbook") -> list[tuple]:
    """Every row of sheet ``name`` as a tuple of cell values; a located error when it is absent."""
    if name not in wb.sheetnames:
        raise InputError(f"missing sheet '{name}'", Location(file=file), expected=expected)
    return wb.rows(name)


def header_map(header: tuple, file: str | Path, sheet: str) -> dict[str, int]:
    """Canonical column name -> 0-based index, using :data:`HEADER_ALIASES`; error names the missing column."""
    found: dict[str, int] = {}
    for idx, cell in enumerate(header):
        text = clean(cell).lower()
        for canon, aliases in HEADER_ALIASES.items():
            if text in aliases and canon not in found:
                found[canon] = idx
    for canon in REQUIRED_HEADERS:
        if canon not in found:
            shown = {"info": "Information Not Communicated", "description": "Mismatch Description"}.get(canon, canon.title())
            raise InputError(f"missing column '{shown}'", Location(file=file, sheet=sheet, row=1),
                             expected="header Mismatch | Quotes | Mismatch Description | Information Not Communicated | "
                                      "Category 1 | Sub-Category 1 | ... | Sub-Category 3")
    return found


def coded_pair(norm: "LabelNormalizer", cat_raw, sub_raw, cat_loc: Location,
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


@dataclass
class CodedPair:
    """A coded category/subcategory pair of one row: its column position (1-3) and where it is."""

    position: int
    category_code: str
    category: str
    subcategory: str
    column: str  # the subcategory cell's column letter


@dataclass
class InterviewSheet:
    """One ``Interview NN`` sheet: its header, the canonical columns, and its non-blank rows."""

    file: str
    interview: int
    name: str
    header: tuple
    columns: dict[str, int]  # canonical name -> 0-based index
    rows: list[tuple[int, tuple]]  # (1-based row number, cells padded to the header's width)

    def optional_column(self, *names: str, prefix: bool = False) -> int | None:
        """The 0-based index of an optional column by header (compared lower case)."""
        header = [clean(c).lower() for c in self.header]
        for i, h in enumerate(header):
            if (prefix and any(h.startswith(n) for n in names)) or (not prefix and h in names):
                return i
        return None

    def text(self, row: tuple, column: str) -> str:
        return clean(row[self.columns[column]])

    def location(self, r: int, column: str | int, header: str | None = None) -> Location:
        idx = self.columns[column] if isinstance(column, str) else column
        if header is None and isinstance(column, str):
            header = CANONICAL_HEADERS.get(column)
        return Location(file=self.file, sheet=self.name, row=r, column=idx + 1, header=header)

    def pairs(self, r: int, row: tuple, norm: "LabelNormalizer") -> list[CodedPair]:
        """The coded pairs of a row, in column order (empty pairs skipped, half-filled ones refused)."""
        out = []
        for pos in POSITIONS:
            ci, si = self.columns[f"category {pos}"], self.columns[f"sub-category {pos}"]
            pair = coded_pair(norm, row[ci], row[si], self.location(r, ci, f"Category {pos}"),
                              self.location(r, si, f"Sub-Category {pos}"))
            if pair is not None:
                out.append(CodedPair(pos, *pair, column=column_letter(si + 1)))
        return out

    def header_spellings(self) -> Iterator[tuple[str, str, str, str]]:
        """Headers spelled other than canonically: ``(canonical, raw, how, column letter)``."""
        for canon, idx in self.columns.items():
            raw = "" if self.header[idx] is None else str(self.header[idx])
            if raw != CANONICAL_HEADERS[canon]:
                how = "case" if clean(raw).lower() == CANONICAL_HEADERS[canon].lower() else "spelling"
                yield CANONICAL_HEADERS[canon], raw, how, column_letter(idx + 1)


def interview_sheets(wb, path: str | Path, *, allow_empty: bool = False, extra_width: int = 0,
                     expected: str = "sheets named 'Interview 01', 'Interview 02', ...") -> list[InterviewSheet]:
    """Every ``Interview NN`` sheet of a workbook, in interview order, with its blank rows dropped.

    An empty sheet is an error unless ``allow_empty`` (then it is skipped). Rows are padded to the
    header's width (at least ``extra_width`` cells) so that every column index can be read.
    """
    path = Path(path)
    found = []
    for name in wb.sheetnames:
        m = INTERVIEW_SHEET_RE.match(name.strip())
        if m:
            found.append((int(m.group(1)), name))
    if not found:
        raise InputError("no per-interview sheets", Location(file=path), expected=expected)
    sheets = []
    for interview, name in sorted(found):
        rows = sheet_rows(wb, name, path)
        if not any(rows):
            if allow_empty:
                continue
            raise InputError("empty sheet", Location(file=path.name, sheet=name), expected="a header row and mismatches")
        cols = header_map(rows[0], path.name, name)
        width = max(max(cols.values()) + 1, len(rows[0]), extra_width)
        body = []
        for r, row in enumerate(rows[1:], start=2):
            if any(clean(c) for c in row):
                if len(row) < width:
                    wb.charge(width - len(row), Location(file=path.name, sheet=name, row=r))
                    row = tuple(row) + (None,) * (width - len(row))
                body.append((r, row))
        sheets.append(InterviewSheet(path.name, interview, name, tuple(rows[0]), cols, body))
    return sheets
