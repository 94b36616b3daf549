"""The study's codebook: 7 categories (two-letter codes) and 34 subcategories with descriptions.

The codebook is read from the coding workbook's ``Code Descriptions`` sheet and checked against its
``Drop-Down Lists`` sheet (the lists the coders picked from). Labels in the workbook come in
several spellings — ``Trained Model (TM)``, ``(TM) Versioning``, stray trailing spaces, different
case — and :class:`LabelNormalizer` maps each to the canonical ``(category, subcategory)`` pair,
recording every normalization it performs.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.labels import CATEGORY_LABEL_RE, SUBCATEGORY_LABEL_RE
from mlmismatch.core.text import clean

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The 7 categories in the codebook's order, code -> name.
CATEGORY_CODES: "OrderedDict[str, str]" = OrderedDict(
    [
        ("TP", "Task and Purpose"),
        ("RD", "Raw Data"),
        ("TM", "Trained Model"),
        ("TD", "Training Data"),
        ("DE", "Development Environment"),
        ("OD", "Operational Data"),
        ("OE", "Operational Environment"),
    ]
)
CATEGORY_BY_NAME = {name.lower(): code for code, name in CATEGORY_CODES.items()}

CODEBOOK_SHEET = "Code Descriptions"
DROPDOWN_SHEET = "Drop-Down Lists"


@dataclass
class Normalization:
    kind: str  # "category" or "subcategory" or "header"
    raw: str
    canonical: str
    reason: str
    locations: list[str] = field(default_factory=list)


class LabelNormalizer:
    """Map raw category/subcategory labels to the codebook's spelling; remember every change."""

    def __init__(self, codebook: "pd.DataFrame"):
        self.codebook = codebook
        #: code -> name: the study's 7 categories, then any category an extension codebook adds
        self.categories: "OrderedDict[str, str]" = OrderedDict(CATEGORY_CODES)
        for code, name in zip(codebook["category_code"], codebook["category"]):
            self.categories.setdefault(str(code), str(name))
        self._by_name = {name.lower(): code for code, name in self.categories.items()}
        self._subs: dict[tuple[str, str], str] = {}
        for row in codebook.itertuples(index=False):
            self._subs[(row.category_code, row.subcategory.lower())] = row.subcategory
        self.normalizations: dict[tuple[str, str], Normalization] = {}

    def _note(self, kind: str, raw: str, canonical: str, where: Location) -> None:
        if raw == canonical:
            return
        reasons = []
        text = clean(raw)
        if text != raw:
            reasons.append("white space")
        cat = CATEGORY_LABEL_RE.match(text) if kind == "category" else None
        sub = SUBCATEGORY_LABEL_RE.match(text) if kind == "subcategory" else None
        if cat or sub:  # the '(XX)' code is the workbook's label format, not a normalization
            text = clean((cat or sub).group("name"))
        if text != canonical:
            reasons.append("case" if text.lower() == canonical.lower() else f"spelling '{text}'")
        if not reasons:
            return
        key = (kind, raw)
        entry = self.normalizations.get(key)
        if entry is None:
            entry = self.normalizations[key] = Normalization(kind, raw, canonical, ", ".join(reasons))
        entry.locations.append(str(where))

    def _expected_categories(self) -> str:
        listed = ", ".join(f"{n} ({c})" for c, n in self.categories.items())
        if len(self.categories) == len(CATEGORY_CODES):
            return f"one of the {len(CATEGORY_CODES)} codebook categories: {listed}"
        return f"one of the {len(self.categories)} categories of the codebook and its extension: {listed}"

    def category(self, raw: object, where: Location) -> tuple[str, str]:
        """Raw category label -> (code, canonical name). Accepts 'Name (XX)', 'Name', 'XX'."""
        text = clean(raw)
        match = CATEGORY_LABEL_RE.match(text)
        if match:
            code = match.group("code").upper()
            name = clean(match.group("name"))
            if code in self.categories and name.lower() not in (self.categories[code].lower(), ""):
                raise InputError(f"category label '{text}' has code ({code}) but name '{name}'", where,
                                 expected=f"'{self.categories[code]} ({code})'")
        elif text.upper() in self.categories:
            code = text.upper()
        else:
            code = self._by_name.get(text.lower())
        if code not in self.categories:
            raise InputError(f"unknown category '{text}'", where, expected=self._expected_categories())
        canonical = self.categories[code]
        self._note("category", str(raw), canonical, where)
        return code, canonical

    def subcategory(self, raw: object, category_code: str, where: Location) -> str:
        """Raw subcategory label ('(XX) Name' or 'Name') -> canonical subcategory of ``category_code``."""
        text = clean(raw)
        match = SUBCATEGORY_LABEL_RE.match(text)
        name = text
        cat_name = self.categories[category_code]
        if match:
            prefix = match.group("code").upper()
            name = clean(match.group("name"))
            if prefix != category_code:
                raise InputError(
                    f"subcategory '{text}' belongs to category ({prefix}), not to the pair's category ({category_code})",
                    where, expected=f"a subcategory of {cat_name} ({category_code})")
        canonical = self._subs.get((category_code, name.lower()))
        if canonical is None:
            options = [s for (c, _), s in self._subs.items() if c == category_code]
            raise InputError(f"unknown subcategory '{text}'", where,
                             expected=f"one of the subcategories of {cat_name}: " + "; ".join(options))
        self._note("subcategory", str(raw), canonical, where)
        return canonical

    def table(self) -> "pd.DataFrame":
        import pandas as pd

        rows = [
            {"kind": n.kind, "raw": n.raw, "canonical": n.canonical, "reason": n.reason, "count": len(n.locations),
             "first_location": n.locations[0]}
            for n in self.normalizations.values()
        ]
        return pd.DataFrame(rows, columns=["kind", "raw", "canonical", "reason", "count", "first_location"])


def parse_codebook_rows(rows: list[tuple], file: str, sheet: str = CODEBOOK_SHEET) -> "pd.DataFrame":
    """Rows of the ``Code Descriptions`` sheet (header first) -> tidy codebook table."""
    import pandas as pd

    if not rows:
        raise InputError("empty sheet", Location(file=file, sheet=sheet), expected="a header row Category, Sub-Category, Description")
    header = [clean(c).lower() for c in rows[0]]
    expected = ["category", "sub-category", "description"]
    for idx, name in enumerate(expected):
        if idx >= len(header) or header[idx].replace("subcategory", "sub-category") != name:
            raise InputError(f"missing column '{expected[idx].title()}'",
                             Location(file=file, sheet=sheet, row=1, column=idx + 1),
                             expected="header Category | Sub-Category | Description")
    records = []
    current = None
    for r, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * 3
        cat, sub, desc = cells[0], cells[1], cells[2]
        if clean(cat):
            name = clean(cat)
            code = CATEGORY_BY_NAME.get(name.lower())
            if code is None:
                m = CATEGORY_LABEL_RE.match(name)
                code = m.group("code").upper() if m else None
            if code not in CATEGORY_CODES:
                raise InputError(f"unknown category '{name}'", Location(file=file, sheet=sheet, row=r, column=1),
                                 expected="one of " + ", ".join(CATEGORY_CODES.values()))
            current = code
        if not clean(sub):
            continue
        if current is None:
            raise InputError("subcategory before any category", Location(file=file, sheet=sheet, row=r, column=2),
                             expected="a category name in column A on the first row of each block")
        records.append({"category_code": current, "category": CATEGORY_CODES[current],
                        "subcategory": clean(sub), "description": clean(desc), "source_row": r,
                        "raw_subcategory": str(sub)})
    df = pd.DataFrame(records, columns=["category_code", "category", "subcategory", "description", "source_row",
                                        "raw_subcategory"])
    dup = df.duplicated(["category_code", "subcategory"], keep="first")
    if dup.any():
        first = df[dup].iloc[0]
        raise InputError(f"subcategory '{first.subcategory}' listed twice in {first.category}",
                         Location(file=file, sheet=sheet, row=int(first.source_row), column=2),
                         expected="each subcategory once per category")
    missing = [n for c, n in CATEGORY_CODES.items() if c not in set(df.category_code)]
    if missing:
        raise InputError("no subcategories for " + ", ".join(missing), Location(file=file, sheet=sheet),
                         expected="all 7 categories")
    order = {c: i for i, c in enumerate(CATEGORY_CODES)}
    df = df.sort_values(by="category_code", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return df
