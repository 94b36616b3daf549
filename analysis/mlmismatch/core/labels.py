"""The study's label formats, in one place.

The coding workbook writes a category as ``Trained Model (TM)`` and a subcategory as
``(TM) Versioning``; the subcategory label with its category code is also how the toolkit names a
subcategory wherever a name alone is ambiguous (*Versioning* occurs in several categories).

>>> subcategory_label("TM", "Versioning")
'(TM) Versioning'
>>> parse_subcategory_label("(tm)  Versioning ")
('TM', 'Versioning')
>>> category_label("TM", "Trained Model")
'Trained Model (TM)'
"""

from __future__ import annotations

import re

#: 'Trained Model (TM)': a category with its two-letter code.
CATEGORY_LABEL_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2})\)\s*$")
#: '(TM) Versioning': a subcategory with its category's code.
SUBCATEGORY_LABEL_RE = re.compile(r"^\s*\((?P<code>[A-Za-z]{2})\)\s*(?P<name>.*?)\s*$")


def subcategory_label(code: str, subcategory: str) -> str:
    """``(TM) Versioning``: a subcategory named with its category code."""
    return f"({code}) {subcategory}"


def category_label(code: str, name: str) -> str:
    """``Trained Model (TM)``: a category named with its code."""
    return f"{name} ({code})"


def parse_subcategory_label(text: str) -> tuple[str, str] | None:
    """``'(TM) Versioning'`` -> ``('TM', 'Versioning')``; ``None`` when the text has no ``(XX)`` code."""
    m = SUBCATEGORY_LABEL_RE.match(str(text))
    if not m:
        return None
    return m.group("code").upper(), " ".join(m.group("name").split())
