"""Read a new coding round and an extension codebook into validated tidy tables.

A *round* is one or more coders' codes for a set of mismatches, in one of three forms:

- a workbook in the study's own layout: per-interview sheets ``Interview NN`` with the header
  ``Mismatch | Quotes | Mismatch Description | Information Not Communicated | Category 1 |
  Sub-Category 1 | ... | Sub-Category 3``, plus an optional ``Coder`` column (several coders in one
  workbook) and the ``Suggestion`` column that ``code template --suggest`` writes;
- a tidy CSV: ``mismatch_id, coder, category, subcategory`` (one row per coded pair), plus the
  optional ``interview, description, info_not_communicated``;
- a REFI-QDA project (``.qdpx``), read by :func:`mlmismatch.extend.qda.read_qdpx`.

Labels are read as in the study's workbook (``Trained Model (TM)``, ``(TM) Versioning``, the bare
name or the two-letter code) through :class:`mlmismatch.codebook.LabelNormalizer`, extended with
the categories and subcategories of an *extension codebook* (CSV or workbook with columns
``category, subcategory, description`` and, for a new category, ``category_code``).

Tables of :class:`Round`:

``codings``
    one row per coded pair: ``mismatch_id, coder, position, category_code, category, subcategory,
    origin`` (``study`` or ``extension``) and where it was read: ``file, sheet, row, column``.
``mismatches``
    one row per mismatch: ``mismatch_id, interview, description, info_not_communicated``.
``codebook``
    the study's codebook plus the extension: ``category_code, category, subcategory, description,
    origin``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.inputs import check_regular, parse_int
from mlmismatch.core.labels import CATEGORY_LABEL_RE, SUBCATEGORY_LABEL_RE, subcategory_label
from mlmismatch.core.text import clean
from mlmismatch.extend.codes import (CODEBOOK_COLUMNS, ID_RE, STUDY_ID_RE, categories_of, check_mismatch_id,
                                     combined_codebook, read_table)
from mlmismatch.study.codebook import CATEGORY_CODES, LabelNormalizer
from mlmismatch.study.workbook import coded_pair

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CODING_COLUMNS = ["mismatch_id", "coder", "position", "category_code", "category", "subcategory", "origin",
                  "file", "sheet", "row", "column"]
MISMATCH_COLUMNS = ["mismatch_id", "interview", "description", "info_not_communicated"]
CSV_REQUIRED = ["mismatch_id", "coder", "category", "subcategory"]
CSV_OPTIONAL = ["interview", "description", "info_not_communicated", "position"]
CODER_HEADERS = ("coder", "coded by", "coder name")
SUGGESTION_HEADER = "Suggestion"
_CODE_RE = re.compile(r"^[A-Z]{2}$")
ROUND_FILE = "a coding workbook (.xlsx), a tidy CSV (.csv) or a REFI-QDA project (.qdpx)"
EXTENSION_FILE = "an extension codebook (.csv, .xlsx or .qdc)"
#: Interview numbers: the ids are M<interview>-<sequence> with two or three digits.
INTERVIEW_RANGE = (1, 999)


@dataclass
class Round:
    """A coding round as tidy tables (see the module docstring)."""

    codings: "pd.DataFrame"
    mismatches: "pd.DataFrame"
    codebook: "pd.DataFrame"
    categories: "OrderedDict[str, str]"
    sources: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def coders(self) -> list[str]:
        return sorted(self.codings["coder"].unique())

    @property
    def extension(self) -> "pd.DataFrame":
        return self.codebook[self.codebook["origin"] == "extension"].reset_index(drop=True)

    def instances(self, coder: str | None = None) -> "pd.DataFrame":
        """The round's codes in the shape of the study's ``instances`` table (one coder's codes).

        ``coder`` may be omitted when the round has a single coder (e.g. the adjudicated codes).
        ``category`` is an ordered categorical of the study's 7 categories then the extension's.
        """
        import pandas as pd

        coders = self.coders
        if coder is None:
            if len(coders) != 1:
                raise InputError(f"the round has {len(coders)} coders ({', '.join(coders)}); name the one whose "
                                 "codes to use (e.g. the adjudicated codes)", Location(file=_names(self.sources)),
                                 expected="--coder NAME")
            coder = coders[0]
        if coder not in coders:
            raise InputError(f"no coder '{coder}' in the round", Location(file=_names(self.sources)),
                             expected="one of " + ", ".join(coders))
        df = self.codings[self.codings["coder"] == coder].copy()
        interview = dict(zip(self.mismatches["mismatch_id"], self.mismatches["interview"]))
        df["interview"] = df["mismatch_id"].map(interview)
        df["category"] = df["category"].astype(pd.CategoricalDtype(list(self.categories.values()), ordered=True))
        cols = ["mismatch_id", "interview", "position", "category_code", "category", "subcategory", "origin",
                "sheet", "row", "column"]
        return df[cols].reset_index(drop=True)


def _names(paths: list[Path]) -> str | None:
    return ", ".join(p.name for p in paths) or None


# --------------------------------------------------------------------------------------------
# Extension codebook
# --------------------------------------------------------------------------------------------

def read_extension(path: str | Path, codebook: "pd.DataFrame") -> "pd.DataFrame":
    """Read an extension codebook (CSV or .xlsx) against the study's codebook.

    Columns: ``category, subcategory, description`` and optionally ``category_code``. A row whose
    category is one of the study's 7 adds a subcategory to it; a new category needs a two-letter
    code (``category_code`` or a label ``Name (XX)``) that the study does not use. Returns the rows as
    ``category_code, category, subcategory, description, origin='extension'``.
    """
    import pandas as pd

    path = Path(path)
    check_regular(path, EXTENSION_FILE)
    if path.suffix.lower() == ".qdc":
        return _extension_from_qdc(path, codebook)
    records, header_names = read_table(path, EXTENSION_FILE)
    cols = {h.lower().replace("-", "").replace("_", "").replace(" ", ""): h for h in header_names}
    need = {"category": "category", "subcategory": "subcategory", "description": "description"}
    for key, shown in need.items():
        if key not in cols:
            raise InputError(f"missing column '{shown}'", Location(file=path.name, row=1),
                             expected="columns category, subcategory, description (and category_code for a new category)")
    code_col = cols.get("categorycode")
    study_pairs = {(c, s.lower()) for c, s in zip(codebook["category_code"], codebook["subcategory"])}
    study_names = {n.lower(): c for c, n in CATEGORY_CODES.items()}
    new_cats: dict[str, str] = {}
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    origin_col = cols.get("origin")
    block_layout = path.suffix.lower() in (".xlsx", ".xlsm")
    last_cat = ""
    for rownum, rec in records:
        cat_raw, sub, desc = clean(rec.get(cols["category"])), clean(rec.get(cols["subcategory"])), clean(rec.get(cols["description"]))
        code_raw = clean(rec.get(code_col)).upper() if code_col else ""
        if not (cat_raw or sub or desc):
            continue
        # the study's block layout ('Code Descriptions'): the category only on a block's first row
        if block_layout:
            cat_raw, last_cat = (cat_raw or (last_cat if sub and not code_raw else "")), (cat_raw or last_cat)
        if origin_col and clean(rec.get(origin_col)).lower() == "study":
            continue  # a full codebook (e.g. a template's 'Code Descriptions'): only its extension rows
        where = lambda h: Location(file=path.name, row=rownum, header=h)  # noqa: E731
        if not cat_raw:
            raise InputError("missing category", where(cols["category"]), expected="a category name")
        m = CATEGORY_LABEL_RE.match(cat_raw)
        name = clean(m.group("name")) if m else cat_raw
        label_code = m.group("code").upper() if m else ""
        if code_raw and label_code and code_raw != label_code:
            raise InputError(f"category '{cat_raw}' has code ({label_code}) but category_code is '{code_raw}'",
                             where(code_col), expected="the same two-letter code")
        code = code_raw or label_code
        if not code:
            code = study_names.get(name.lower(), "") or (name.upper() if name.upper() in CATEGORY_CODES else "")
            if code in CATEGORY_CODES:
                name = CATEGORY_CODES[code]
            else:
                code = {n.lower(): c for c, n in new_cats.items()}.get(name.lower(), "")
        if not code:
            raise InputError(f"new category '{name}' has no two-letter code", where(code_col or cols["category"]),
                             expected="a category_code column (or a label 'Name (XX)') for each new category")
        if not _CODE_RE.match(code):
            raise InputError(f"category code '{code}' is not two letters", where(code_col or cols["category"]),
                             expected="a code such as 'EX'")
        if code in CATEGORY_CODES:
            if name.lower() not in (CATEGORY_CODES[code].lower(), code.lower()):
                raise InputError(f"category code ({code}) is the study's '{CATEGORY_CODES[code]}', not '{name}'",
                                 where(code_col or cols["category"]), expected="a code the study does not use for a new category")
            name = CATEGORY_CODES[code]
        else:
            if name.lower() in study_names:
                raise InputError(f"category '{name}' is the study's ({study_names[name.lower()]}), not ({code})",
                                 where(code_col or cols["category"]), expected=f"category_code {study_names[name.lower()]}")
            if code in new_cats and new_cats[code].lower() != name.lower():
                raise InputError(f"category code ({code}) used for both '{new_cats[code]}' and '{name}'",
                                 where(code_col or cols["category"]), expected="one name per code")
            new_cats.setdefault(code, name)
            name = new_cats[code]
        if not sub:
            raise InputError(f"category '{name}' without a subcategory", where(cols["subcategory"]),
                             expected="a subcategory on every row")
        sm = SUBCATEGORY_LABEL_RE.match(sub)
        if sm:
            if sm.group("code").upper() != code:
                raise InputError(f"subcategory '{sub}' belongs to category ({sm.group('code').upper()}), not ({code})",
                                 where(cols["subcategory"]), expected=f"a subcategory of ({code})")
            sub = clean(sm.group("name"))
        if (code, sub.lower()) in study_pairs:
            raise InputError(f"subcategory '{sub}' of {name} is already in the study's codebook",
                             where(cols["subcategory"]), expected="only new codes in an extension codebook")
        if (code, sub.lower()) in seen:
            raise InputError(f"subcategory '{sub}' of {name} listed twice", where(cols["subcategory"]),
                             expected="each subcategory once")
        if not desc:
            raise InputError(f"new subcategory '{sub}' has no description", where(cols["description"]),
                             expected="a description telling coders when to use the code")
        seen.add((code, sub.lower()))
        out.append({"category_code": code, "category": name, "subcategory": sub, "description": desc,
                    "origin": "extension"})
    return pd.DataFrame(out, columns=CODEBOOK_COLUMNS)


def _extension_from_qdc(path: Path, codebook: "pd.DataFrame") -> "pd.DataFrame":
    """The codes of a REFI-QDA codebook that the study's codebook lacks (e.g. added in a QDA tool)."""
    from mlmismatch.extend.qda import read_qdc

    df = read_qdc(path, codebook)
    ext = df[df["origin"] == "extension"].reset_index(drop=True)
    for r in ext.itertuples(index=False):
        where = Location(file=path.name, path=f"Code[@name='({r.category_code}) {r.subcategory}']")
        if r.category_code in CATEGORY_CODES and r.category.lower() != CATEGORY_CODES[r.category_code].lower():
            raise InputError(f"category code ({r.category_code}) is the study's '{CATEGORY_CODES[r.category_code]}', "
                             f"not '{r.category}'", where, expected="a code the study does not use for a new category")
        if r.category_code in CATEGORY_CODES:
            ext.loc[ext["category_code"] == r.category_code, "category"] = CATEGORY_CODES[r.category_code]
        if not r.description:
            raise InputError(f"new subcategory '{r.subcategory}' has no description", where,
                             expected="a description telling coders when to use the code")
    return ext[CODEBOOK_COLUMNS]




class ExtendedNormalizer(LabelNormalizer):
    """:class:`LabelNormalizer` over a codebook with an extension; ``extra`` lists the added categories.

    The base class already accepts every category and subcategory of the codebook it is given.
    """

    def __init__(self, codebook: "pd.DataFrame"):
        super().__init__(codebook)
        self.extra = OrderedDict((c, n) for c, n in self.categories.items() if c not in CATEGORY_CODES)


# --------------------------------------------------------------------------------------------
# Reading a round
# --------------------------------------------------------------------------------------------

def read_round(paths: str | Path | list, codebook: "pd.DataFrame", extension: "str | Path | pd.DataFrame | None" = None,
               coder: str | None = None) -> Round:
    """Read one or more files of a coding round (workbook, CSV or ``.qdpx``) into a :class:`Round`.

    ``codebook`` is the study's codebook (``load_coding().codebook``); ``extension`` an extension
    codebook (a path or the table from :func:`read_extension`). A file with no coder column is one
    coder's: the coder is ``coder`` if given, else the file's stem.
    """
    import pandas as pd

    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if isinstance(extension, (str, Path)):
        extension = read_extension(extension, codebook)
    book = combined_codebook(codebook, extension)
    norm = ExtendedNormalizer(book)
    codings: list[dict] = []
    mismatches: dict[str, dict] = {}
    warnings: list[str] = []
    for path in paths:
        check_regular(path, ROUND_FILE)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            rows, mism, warn = _read_workbook(path, norm, coder)
        elif suffix == ".csv":
            rows, mism, warn = _read_csv(path, norm, coder)
        elif suffix == ".qdpx":
            from mlmismatch.extend.qda import read_qdpx_rows

            rows, mism, warn = read_qdpx_rows(path, norm, coder)
        else:
            raise InputError(f"unsupported file type '{path.suffix}'", Location(file=path.name),
                             expected="a coding workbook (.xlsx), a tidy CSV (.csv) or a REFI-QDA project (.qdpx)")
        codings.extend(rows)
        warnings.extend(warn)
        for m in mism:
            have = mismatches.setdefault(m["mismatch_id"], dict(m))
            for key in ("interview", "description", "info_not_communicated"):
                if have.get(key) in (None, "") and m.get(key) not in (None, ""):
                    have[key] = m[key]
    seen: dict[tuple[str, str, str, str], str] = {}
    for row in codings:
        key = (row["mismatch_id"], row["coder"], row["category_code"], row["subcategory"])
        where = f"{row['file']}" + (f", sheet '{row['sheet']}'" if row["sheet"] else "") + f", row {row['row']}"
        if key in seen:
            raise InputError(f"coder '{row['coder']}' coded mismatch '{row['mismatch_id']}' with "
                             f"{subcategory_label(row['category_code'], row['subcategory'])} twice (first at {seen[key]})",
                             Location(file=row["file"], sheet=row["sheet"] or None, row=row["row"], column=row["column"] or None),
                             expected="each category/subcategory pair once per mismatch and coder")
        seen[key] = where
    cdf = pd.DataFrame(codings, columns=CODING_COLUMNS)
    if cdf.empty:
        raise InputError("no coded mismatches" + (f" ({'; '.join(w.split(': ', 1)[-1] for w in warnings)})" if warnings else ""),
                         Location(file=_names(paths)), expected="at least one mismatch with a category/subcategory pair")
    cdf = cdf.astype({"position": "int64", "row": "int64"})
    ext_pairs = set(zip(book.loc[book.origin == "extension", "category_code"], book.loc[book.origin == "extension", "subcategory"]))
    cdf["origin"] = ["extension" if (c, s) in ext_pairs else "study" for c, s in zip(cdf.category_code, cdf.subcategory)]
    mdf = pd.DataFrame(list(mismatches.values()), columns=MISMATCH_COLUMNS)
    mdf = mdf[mdf["mismatch_id"].isin(set(cdf["mismatch_id"]))].reset_index(drop=True)
    mdf["interview"] = pd.array(mdf["interview"], dtype="Int64")
    return Round(codings=cdf, mismatches=mdf, codebook=book, categories=norm.categories, sources=paths, warnings=warnings)




def _read_workbook(path: Path, norm: ExtendedNormalizer, coder: str | None):
    import warnings

    from mlmismatch.study.workbook import interview_sheets, open_workbook

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Data Validation extension", category=UserWarning)
        wb = open_workbook(path)
    rows_out: list[dict] = []
    mism: list[dict] = []
    warn: list[str] = []
    unconfirmed = 0
    uncoded = 0
    try:
        sheets = interview_sheets(wb, path, allow_empty=True,
                                  expected="sheets named 'Interview 01', 'Interview 02', ... (see `mlmismatch code template`)")
        for sheet in sheets:
            coder_idx = sheet.optional_column(*CODER_HEADERS)
            sugg_idx = sheet.optional_column(SUGGESTION_HEADER.lower(), prefix=True)
            for r, row in sheet.rows:
                mid = sheet.text(row, "mismatch")
                iv = check_mismatch_id(mid, sheet.location(r, "mismatch"), sheet.interview)
                if coder_idx is not None:
                    who = clean(row[coder_idx])
                    if not who:
                        raise InputError(f"mismatch '{mid}' has no coder", sheet.location(r, coder_idx, "Coder"),
                                         expected="the coder's name in every coded row")
                else:
                    who = coder or path.stem
                mism.append({"mismatch_id": mid, "interview": iv, "description": sheet.text(row, "description"),
                             "info_not_communicated": sheet.text(row, "info")})
                if sugg_idx is not None and clean(row[sugg_idx]):
                    unconfirmed += 1
                    continue
                pairs = sheet.pairs(r, row, norm)
                for pos, p in enumerate(pairs, start=1):
                    rows_out.append({"mismatch_id": mid, "coder": who, "position": pos, "category_code": p.category_code,
                                     "category": p.category, "subcategory": p.subcategory, "origin": "",
                                     "file": path.name, "sheet": sheet.name, "row": r, "column": p.column})
                if not pairs:
                    uncoded += 1
    finally:
        wb.close()
    if unconfirmed:
        warn.append(f"{path.name}: {unconfirmed} row(s) still hold unconfirmed suggestions (column '{SUGGESTION_HEADER}' "
                    "not cleared); they are read as not coded")
    if uncoded:
        warn.append(f"{path.name}: {uncoded} mismatch row(s) have no category/subcategory pair yet; read as not coded")
    return rows_out, mism, warn


def _read_csv(path: Path, norm: ExtendedNormalizer, coder: str | None):
    records, header = read_table(path, ROUND_FILE)
    cols = {h.lower().strip(): h for h in header}
    for need in CSV_REQUIRED:
        if need not in cols and not (need == "coder" and coder):
            raise InputError(f"missing column '{need}'", Location(file=path.name, row=1),
                             expected="columns " + ", ".join(CSV_REQUIRED) + " (optional: " + ", ".join(CSV_OPTIONAL) + ")")
    rows_out: list[dict] = []
    mism: list[dict] = []
    position: dict[tuple[str, str], int] = {}
    for r, rec in records:
        get = lambda k: clean(rec.get(cols[k])) if k in cols else ""  # noqa: E731
        if not any(clean(v) for v in rec.values()):
            continue
        mid = get("mismatch_id")
        interview = None
        if get("interview"):
            interview = interview_number(get("interview"), Location(file=path.name, row=r, header=cols["interview"]))
        interview = check_mismatch_id(mid, Location(file=path.name, row=r, header=cols["mismatch_id"]), interview)
        who = get("coder") if "coder" in cols else coder
        if not who:
            raise InputError(f"mismatch '{mid}' has no coder", Location(file=path.name, row=r, header=cols["coder"]),
                             expected="the coder's name on every row")
        mism.append({"mismatch_id": mid, "interview": interview, "description": get("description"),
                     "info_not_communicated": get("info_not_communicated")})
        pair = coded_pair(norm, get("category"), get("subcategory"),
                           Location(file=path.name, row=r, header=cols["category"]),
                           Location(file=path.name, row=r, header=cols["subcategory"]))
        if pair is None:
            raise InputError(f"mismatch '{mid}' has no category and subcategory",
                             Location(file=path.name, row=r, header=cols["category"]), expected="one coded pair per row")
        pos = position[(mid, who)] = position.get((mid, who), 0) + 1
        rows_out.append({"mismatch_id": mid, "coder": who, "position": pos, "category_code": pair[0],
                         "category": pair[1], "subcategory": pair[2], "origin": "", "file": path.name, "sheet": "",
                         "row": r, "column": cols["subcategory"]})
    return rows_out, mism, []


def interview_number(value: object, where: Location) -> int:
    """An interview number from a cell: a whole number 1-999 (``1e400``, ``inf``, ``abc`` are refused)."""
    lo, hi = INTERVIEW_RANGE
    return parse_int(value, where, f"an interview number, a whole number from {lo} to {hi}", lo, hi)


def study_round(data) -> Round:
    """The study's own coding (a :class:`mlmismatch.coding.CodingData`) as a one-coder round ``study``."""
    import pandas as pd

    inst = data.instances
    codings = pd.DataFrame({
        "mismatch_id": inst["mismatch_id"], "coder": "study", "position": inst["position"],
        "category_code": inst["category_code"], "category": inst["category"].astype(str),
        "subcategory": inst["subcategory"], "origin": "study", "file": Path(data.path).name,
        "sheet": inst["sheet"], "row": inst["row"], "column": inst["column"],
    })[CODING_COLUMNS]
    mism = data.mismatches[MISMATCH_COLUMNS].copy()
    mism["interview"] = pd.array(mism["interview"], dtype="Int64")
    book = combined_codebook(data.codebook)
    return Round(codings=codings, mismatches=mism, codebook=book, categories=categories_of(book),
                 sources=[Path(data.path)])
