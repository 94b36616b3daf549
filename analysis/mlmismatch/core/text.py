"""Text helpers: white space, emptiness, and escaping for every output format.

>>> clean("  Trained   Model ")
'Trained Model'
>>> is_empty("  "), is_empty(0), is_empty([]), is_empty("1970-01-01")
(True, False, True, True)
>>> md_cell("a | b\\nc")
'a \\\\| b c'
>>> latex_escape("50% & more_")
'50\\\\% \\\\& more\\\\_'
"""

from __future__ import annotations

import html as _html
from typing import Any


class _Missing:
    """The sentinel for an absent key (distinct from ``None``, which a document may hold)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


#: An absent key in a descriptor document (``get`` returns it where a key is missing).
MISSING: Any = _Missing()

#: Values written by ``mlmismatch descriptors new`` where an empty one would not validate; they
#: still count as empty (an information gap).
PLACEHOLDER_DATE = "1970-01-01"
PLACEHOLDER_URI = "https://example.invalid/"
PLACEHOLDERS = frozenset({PLACEHOLDER_DATE, PLACEHOLDER_URI})


def clean(text: object) -> str:
    """Collapse runs of white space and strip; ``None`` -> ``''``."""
    if text is None:
        return ""
    return " ".join(str(text).split())


def is_empty(value: Any, placeholders: frozenset = PLACEHOLDERS) -> bool:
    """Missing, ``None``, a blank string, an empty list or object, or a skeleton placeholder.

    Numbers and booleans are never empty (0 GPUs is a fact, not a gap). The exact-type checks
    come first because the detection rules call this once per compared value (with no placeholders).
    """
    cls = value.__class__
    if cls is str:
        return not value.strip() or value in placeholders
    if cls is list or cls is dict:
        return not value
    if value is None or value is MISSING:
        return True
    if isinstance(value, str):
        return not value.strip() or value in placeholders
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


def md_cell(value: object) -> str:
    """A Markdown table cell: one line, ``|`` escaped, ``None`` empty."""
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


_LATEX = (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
          ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}"))


def latex_escape(value: object) -> str:
    """Escape LaTeX's special characters (``\\ & % $ # _ { } ~ ^``)."""
    text = str(value)
    for a, b in _LATEX:
        text = text.replace(a, b)
    return text


def html_escape(value: object) -> str:
    """HTML text (``None`` empty), quotes escaped."""
    return _html.escape("" if value is None else str(value))


def terminal_escape(value: object) -> str:
    """Text the terminal library (rich) prints literally: ``[`` cannot open markup."""
    from rich.markup import escape

    return escape("" if value is None else str(value))


#: The characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula, neutralized with a leading ``'`` (OWASP).

    Only strings change; numbers and ``None`` are returned as they are.

    >>> spreadsheet_safe("=HYPERLINK(\\"http://x\\")"), spreadsheet_safe("-2+3"), spreadsheet_safe("plain"), spreadsheet_safe(-2)
    ('\\'=HYPERLINK("http://x")', "'-2+3", 'plain', -2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_unquote(value: object) -> object:
    """Undo :func:`spreadsheet_safe` (for reading back a CSV the toolkit wrote).

    >>> spreadsheet_unquote("'=1+1"), spreadsheet_unquote("'quoted"), spreadsheet_unquote("plain")
    ('=1+1', "'quoted", 'plain')
    """
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value
