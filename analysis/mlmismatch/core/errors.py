"""Errors that name where bad input is and what was expected.

Every problem with user input (a workbook, a CSV, a descriptor document, a command-line value)
raises :class:`InputError`. Its ``str()`` is one line:

    Mismatch-Open-Coding-Final.xlsx, sheet 'Interview 03', row 7, column F (Sub-Category 1):
    unknown subcategory '(TM) Foo'; expected one of the 34 codebook subcategories

The CLI prints that line and exits with code 2, with no traceback (see ``cli.main``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def column_letter(index: int) -> str:
    """1-based column index -> spreadsheet letter (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Location:
    """Where in an input something is. Every field is optional."""

    file: str | Path | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | int | None = None  # letter, 1-based index, or a header name
    header: str | None = None  # the column's header, shown beside its letter
    path: str | None = None  # a JSON path such as $.model.api[0].name
    line: int | None = None  # line/column in a text file (JSON, YAML, CSV)
    col: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(Path(self.file).name if isinstance(self.file, Path) else str(self.file))
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            col = column_letter(self.column) if isinstance(self.column, int) else str(self.column)
            parts.append(f"column {col}" + (f" ({self.header})" if self.header else ""))
        elif self.header is not None:
            parts.append(f"column '{self.header}'")
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.col}" if self.col is not None else ""))
        if self.path is not None:
            parts.append(f"at {self.path}")
        return ", ".join(parts)


class MlmismatchError(Exception):
    """Base class of the toolkit's own errors."""


class InputError(MlmismatchError):
    """Bad input: a one-line message naming file, sheet, row and column and what was expected.

    >>> str(InputError("unknown category 'Foo'", Location(file="x.xlsx", sheet="S", row=3, column=5),
    ...                expected="one of the 7 codebook categories"))
    "x.xlsx, sheet 'S', row 3, column E: unknown category 'Foo'; expected one of the 7 codebook categories"
    """

    exit_code = 2

    def __init__(self, problem: str, where: Location | None = None, expected: str | None = None):
        self.problem = problem
        self.where = where or Location()
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = str(self.where)
        text = f"{where}: {self.problem}" if where else self.problem
        if self.expected:
            text += f"; expected {self.expected}"
        return " ".join(text.split())  # always one line


class DataNotFoundError(InputError):
    """A required input file is missing; the message says where to get it."""


class IntegrityError(InputError):
    """A downloaded or local file does not have the pinned SHA-256 (only raised under --strict)."""
