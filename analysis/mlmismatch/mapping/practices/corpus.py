"""Read and check the practice corpus, its two ratings and the adjudication (``data/practices/``).

Files (formats: ``data/practices/README.md``): ``sources.csv``, ``practices.csv``,
``ratings/rater_a.csv``, ``ratings/rater_b.csv``, ``adjudication.csv``. Every problem is an
:class:`~mlmismatch.core.errors.InputError` naming the file, row and column and what was expected:
unknown or repeated ids, an empty locator, an unknown or excluded source, a (practice, subcategory)
cell missing or doubled in a rating (every practice is rated against every codebook subcategory by
each rater), a link other than 0/1, a relation or rationale that does not fit the link, adjudication
rows that are not exactly the cells where the raters disagree. The optional
``relation_adjudication.csv`` decides the relation of the cells both raters linked with different
relations (then it must list exactly those).

The *accepted matrix* is computed, never stored: a cell is accepted when both raters gave 1 or the
adjudication decided 1. Each accepted link keeps the practice's locator, both raters' rationales,
the relation and the coded mismatch ids the raters cited.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from mlmismatch.core import resources
from mlmismatch.core.errors import InputError, Location, column_letter
from mlmismatch.core.labels import subcategory_label
from mlmismatch.mapping.matrix import MISMATCH_ID_RE, split_ids

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PACKAGE_DIR = "practices"  # resources.path("data", "practices")
SOURCES_FILE = "sources.csv"
PRACTICES_FILE = "practices.csv"
RATINGS_DIR = "ratings"
RATERS = ("rater_a", "rater_b")
ADJUDICATION_FILE = "adjudication.csv"
RELATION_ADJUDICATION_FILE = "relation_adjudication.csv"  # optional: both raters linked, relations differ

SOURCE_COLUMNS = ["source_id", "citation", "year", "kind", "locator_scheme", "url", "n_items_in_source",
                  "n_practices", "admitted", "reason", "verified_offline", "note"]
PRACTICE_COLUMNS = ["practice_id", "source_id", "locator", "title", "statement", "extension", "note"]
RATING_COLUMNS = ["practice_id", "category_code", "subcategory", "link", "relation", "rationale", "mismatch_ids"]
ADJUDICATION_COLUMNS = ["practice_id", "category_code", "subcategory", "rater_a", "rater_b", "decision", "relation",
                        "reason"]
RELATION_ADJUDICATION_COLUMNS = ["practice_id", "category_code", "subcategory", "relation_a", "relation_b", "relation",
                                 "reason"]

KINDS = ("catalogue", "paper", "documentation framework", "guide")
YES_NO = ("yes", "no")
VERIFIED = ("yes", "partial", "no")
RELATIONS = ("prevents", "detects", "informs")
BOOLEANS = ("true", "false")

SOURCE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PRACTICE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9.]+$")

#: Columns of :attr:`PracticeCorpus.accepted` (one row per accepted link).
ACCEPTED_COLUMNS = ["practice_id", "source_id", "locator", "category_code", "category", "subcategory", "rater_a",
                    "rater_b", "basis", "relation", "relation_a", "relation_b", "rationale_a", "rationale_b",
                    "adjudication_reason", "mismatch_ids"]
#: Columns of :attr:`PracticeCorpus.cells` (one row per practice x subcategory, both ratings side by side).
CELL_COLUMNS = ["practice_id", "source_id", "category_code", "category", "subcategory", "rater_a", "rater_b",
                "decision", "accepted"]


@dataclass
class PracticeCorpus:
    """The checked corpus: tidy tables (see the module docstring)."""

    sources: "pd.DataFrame"  # sources.csv (+ row), every source, admitted or not
    practices: "pd.DataFrame"  # practices.csv (+ row), file order
    ratings: "pd.DataFrame"  # long: rater + RATING_COLUMNS + source_id, category + row, link as int
    adjudication: "pd.DataFrame"  # adjudication.csv (+ row), ints for rater_a, rater_b, decision
    cells: "pd.DataFrame"  # CELL_COLUMNS, practices.csv order then codebook order
    accepted: "pd.DataFrame"  # ACCEPTED_COLUMNS
    codebook: "pd.DataFrame"  # category_code, category, subcategory (and description when given)
    directory: Path
    relation_adjudication: "pd.DataFrame | None" = None  # relation_adjudication.csv (+ row) when present

    @property
    def admitted_sources(self) -> list[str]:
        """Admitted source ids in sources.csv order."""
        return [s for s, a in zip(self.sources["source_id"], self.sources["admitted"]) if a == "yes"]


def practices_dir() -> Path:
    """The packaged corpus folder (``data/practices/`` in the repository)."""
    return resources.path("data", PACKAGE_DIR)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def read_rows(path: Path, required: list[str], *, label: str | None = None) -> tuple[list[str], list[dict]]:
    """Read a CSV as stripped strings: (header, records with ``row``, the 1-based file row; header = row 1).

    ``label`` names the file in messages (default: its name; the ratings use ``ratings/rater_a.csv``).
    """
    name = label or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", Location(file=name), expected=f"{name} in {path.parent}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file ({exc})", Location(file=name)) from None
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", Location(file=name)) from None
    if not rows:
        raise InputError("empty file", Location(file=name), expected="a header row " + ",".join(required))
    header = [h.strip() for h in rows[0]]
    for col in required:
        if col not in header:
            raise InputError(f"missing column '{col}'", Location(file=name, row=1), expected="columns " + ",".join(required))
    records = []
    for i, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputError(f"{len(values)} fields instead of {len(header)}", Location(file=name, row=i),
                             expected="one value per header column (quote values that contain commas)")
        rec = {h: v.strip() for h, v in zip(header, values)}
        rec["row"] = i
        records.append(rec)
    return header, records


class _Checker:
    """Raises one-line errors located at (file, row, column) of one CSV."""

    def __init__(self, file: str, header: list[str]):
        self.file = file
        self.header = header

    def where(self, rec: dict, column: str) -> Location:
        idx = self.header.index(column) + 1 if column in self.header else None
        return Location(file=self.file, row=int(rec["row"]), column=column_letter(idx) if idx else None, header=column)

    def fail(self, rec: dict, column: str, problem: str, expected: str | None = None):
        raise InputError(problem, self.where(rec, column), expected=expected)


def _frame(records: list[dict], columns: list[str]) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(records, columns=[*columns, "row"]) if records else pd.DataFrame(columns=[*columns, "row"])


def _codebook_rows(codebook: "pd.DataFrame") -> list[tuple[str, str, str]]:
    return [(str(code), str(c), str(s).strip()) for code, c, s in
            zip(codebook["category_code"], codebook["category"], codebook["subcategory"])]


# --------------------------------------------------------------------------------------------
# Checks, file by file
# --------------------------------------------------------------------------------------------

def _check_id(c: "_Checker", rec: dict, column: str, what: str, pattern, seen: dict[str, int], expected: str) -> None:
    """An id column: well-formed (``pattern``) and not repeated (``seen``: id -> first row)."""
    value = rec[column]
    if not pattern.match(value):
        c.fail(rec, column, f"malformed {what} '{value}'", expected)
    if value in seen:
        c.fail(rec, column, f"repeated {what} '{value}' (first on row {seen[value]})")
    seen[value] = rec["row"]


def _adjudicated_cell(c: "_Checker", rec: dict, known: Mapping, seen: dict, unknown: str,
                      expected: str) -> tuple[tuple[str, str, str], str]:
    """The (practice, category code, subcategory) cell of an adjudication row and its label: one the
    ratings have (``known``; ``unknown`` is the message, with ``{label}``) and not adjudicated before."""
    key = (rec["practice_id"], rec["category_code"], rec["subcategory"])
    label = f"{key[0]} x {subcategory_label(key[1], key[2])}"
    if key not in known:
        c.fail(rec, "subcategory", unknown.format(label=label), expected)
    if key in seen:
        c.fail(rec, "subcategory", f"cell {label} adjudicated twice (first on row {seen[key]})")
    seen[key] = rec["row"]
    return key, label


def check_sources(header: list[str], records: list[dict], file: str = SOURCES_FILE) -> "pd.DataFrame":
    """``sources.csv``: unique ids, known kind, admitted yes/no (a reason when no), verified yes/partial/no."""
    c = _Checker(file, header)
    seen: dict[str, int] = {}
    for rec in records:
        _check_id(c, rec, "source_id", "source id", SOURCE_ID_RE, seen, "a short lowercase key such as 'mltestscore'")
        if not rec["citation"]:
            c.fail(rec, "citation", "empty citation", "the full reference")
        if rec["kind"] not in KINDS:
            c.fail(rec, "kind", f"unknown kind '{rec['kind']}'", "one of " + ", ".join(KINDS))
        if rec["admitted"] not in YES_NO:
            c.fail(rec, "admitted", f"admitted is '{rec['admitted']}'", "yes or no")
        if rec["admitted"] == "no" and not rec["reason"]:
            c.fail(rec, "reason", "an excluded source without a reason", "why the protocol excludes it")
        if rec["verified_offline"] not in VERIFIED:
            c.fail(rec, "verified_offline", f"verified_offline is '{rec['verified_offline']}'", "yes, partial or no")
        for col in ("year", "n_items_in_source", "n_practices"):
            if rec[col] and not rec[col].isdigit():
                c.fail(rec, col, f"'{rec[col]}' is not a whole number", "digits, or empty when unknown")
        if rec["admitted"] == "yes" and not rec["locator_scheme"]:
            c.fail(rec, "locator_scheme", "an admitted source without a locator scheme",
                   "how the locators of practices.csv point into it")
    return _frame(records, header)


def check_practices(header: list[str], records: list[dict], sources: "pd.DataFrame",
                    file: str = PRACTICES_FILE) -> "pd.DataFrame":
    """``practices.csv``: unique well-formed ids, an admitted source, a locator, title and statement."""
    c = _Checker(file, header)
    admitted = {s: a for s, a in zip(sources["source_id"], sources["admitted"])}
    seen: dict[str, int] = {}
    for rec in records:
        pid = rec["practice_id"]
        _check_id(c, rec, "practice_id", "practice id", PRACTICE_ID_RE, seen, "PREFIX-item such as MLTS-D1 or SEML-01")
        sid = rec["source_id"]
        if sid not in admitted:
            c.fail(rec, "source_id", f"unknown source '{sid}'", "a source_id of sources.csv")
        if admitted[sid] != "yes":
            c.fail(rec, "source_id", f"source '{sid}' is not admitted", "a source with admitted=yes")
        if not rec["locator"]:
            c.fail(rec, "locator", f"practice {pid} has no locator",
                   "where in the source (section, numbered item, anchor)")
        for col in ("title", "statement"):
            if not rec[col]:
                c.fail(rec, col, f"practice {pid} has an empty {col}")
        if rec["extension"].lower() not in BOOLEANS:
            c.fail(rec, "extension", f"extension is '{rec['extension']}'", "true or false")
        rec["extension"] = rec["extension"].lower()
    # the stated number of practices per source must be the number of rows
    n_rows: dict[str, int] = {}
    for rec in records:
        n_rows[rec["source_id"]] = n_rows.get(rec["source_id"], 0) + 1
    sc = _Checker(SOURCES_FILE, list(sources.columns[:-1]))
    for rec in sources.to_dict("records"):
        stated = rec["n_practices"]
        if rec["admitted"] == "yes" and stated and int(stated) != n_rows.get(rec["source_id"], 0):
            sc.fail(rec, "n_practices", f"source '{rec['source_id']}' states {stated} practices, practices.csv has "
                    f"{n_rows.get(rec['source_id'], 0)}", "the number of practices.csv rows of the source")
    return _frame(records, header)


def check_rating(header: list[str], records: list[dict], practices: "pd.DataFrame", codebook: "pd.DataFrame",
                 file: str, mismatch_ids: set[str] | None = None) -> "pd.DataFrame":
    """One rater's file: every (practice, subcategory) cell exactly once, link 0/1, relation and rationale
    when (and only when) the link is 1, known mismatch ids."""
    c = _Checker(file, header)
    pids = list(practices["practice_id"])
    known = set(pids)
    keys = {(code, s): cat for code, cat, s in _codebook_rows(codebook)}
    seen: dict[tuple[str, str, str], int] = {}
    for rec in records:
        pid = rec["practice_id"]
        if pid not in known:
            c.fail(rec, "practice_id", f"unknown practice id '{pid}'", "an id of practices.csv")
        key = (rec["category_code"], rec["subcategory"])
        if key not in keys:
            c.fail(rec, "subcategory", f"unknown subcategory '{subcategory_label(*key)}'",
                   "a (category_code, subcategory) pair of the codebook")
        cell = (pid, *key)
        if cell in seen:
            c.fail(rec, "subcategory", f"cell {pid} x {subcategory_label(*key)} rated twice (first on row {seen[cell]})",
                   "one row per practice and subcategory")
        seen[cell] = rec["row"]
        link = rec["link"]
        if link not in ("0", "1"):
            c.fail(rec, "link", f"link is '{link}'", "0 or 1")
        if link == "1":
            if rec["relation"] not in RELATIONS:
                c.fail(rec, "relation", f"link 1 with relation '{rec['relation']}'", "one of " + ", ".join(RELATIONS))
            if not rec["rationale"]:
                c.fail(rec, "rationale", "link 1 without a rationale", "one sentence saying why")
        else:
            for col in ("relation", "rationale", "mismatch_ids"):
                if rec[col]:
                    c.fail(rec, col, f"link 0 with a {col} ('{rec[col][:40]}')", f"an empty {col} when link is 0")
        for mid in split_ids(rec["mismatch_ids"]):
            if not MISMATCH_ID_RE.match(mid) or (mismatch_ids is not None and mid not in mismatch_ids):
                c.fail(rec, "mismatch_ids", f"unknown mismatch id '{mid}'", "';'-separated coded mismatch ids such as M03-07")
        rec["category"] = keys[key]
        rec["link"] = int(link)
    expected = len(pids) * len(keys)
    if len(seen) != expected:
        for pid in pids:
            for code, _cat, s in _codebook_rows(codebook):
                if (pid, code, s) not in seen:
                    raise InputError(f"cell {pid} x {subcategory_label(code, s)} not rated "
                                     f"({len(seen)} of {expected} cells rated)", Location(file=file),
                                     expected="every practice rated against every codebook subcategory")
    return _frame(records, [*header, "category"])


def check_adjudication(header: list[str], records: list[dict], cells: dict[tuple[str, str, str], tuple[int, int]],
                       file: str = ADJUDICATION_FILE) -> "pd.DataFrame":
    """One row per disagreement, none for an agreed cell; rater columns as in the ratings; decision 0/1;
    relation when (and only when) the decision is 1; a reason."""
    c = _Checker(file, header)
    seen: dict[tuple[str, str, str], int] = {}
    for rec in records:
        key, label = _adjudicated_cell(c, rec, cells, seen, "unknown cell {label}",
                                       "a practice id and codebook subcategory of the ratings")
        a, b = cells[key]
        if a == b:
            c.fail(rec, "practice_id", f"cell {label} is adjudicated but both raters gave {a}",
                   "only cells where rater_a and rater_b disagree")
        for col, val in (("rater_a", a), ("rater_b", b)):
            if rec[col] != str(val):
                c.fail(rec, col, f"{col} is '{rec[col]}' but ratings/{col}.csv has {val} for {label}", str(val))
        if rec["decision"] not in ("0", "1"):
            c.fail(rec, "decision", f"decision is '{rec['decision']}'", "0 or 1")
        if rec["decision"] == "1" and rec["relation"] not in RELATIONS:
            c.fail(rec, "relation", f"decision 1 with relation '{rec['relation']}'", "one of " + ", ".join(RELATIONS))
        if rec["decision"] == "0" and rec["relation"]:
            c.fail(rec, "relation", f"decision 0 with relation '{rec['relation']}'", "an empty relation")
        if not rec["reason"]:
            c.fail(rec, "reason", f"no reason for the decision on {label}", "one sentence citing the codebook rule")
        for col in ("rater_a", "rater_b", "decision"):
            rec[col] = int(rec[col])
    missing = [k for k, (a, b) in cells.items() if a != b and k not in seen]
    if missing:
        k = missing[0]
        raise InputError(f"{len(missing)} disagreement(s) not adjudicated, the first {k[0]} x "
                         f"{subcategory_label(k[1], k[2])}", Location(file=file),
                         expected="one row per cell where rater_a.link != rater_b.link")
    return _frame(records, header)


def check_relation_adjudication(header: list[str], records: list[dict], relations: dict[tuple[str, str, str], tuple],
                                file: str = RELATION_ADJUDICATION_FILE) -> "pd.DataFrame":
    """Optional ``relation_adjudication.csv``: one row per cell both raters linked with different
    relations (and none for another cell); relation_a/relation_b as in the ratings; the decided
    relation one of :data:`RELATIONS`; a reason."""
    c = _Checker(file, header)
    seen: dict[tuple[str, str, str], int] = {}
    for rec in records:
        key, label = _adjudicated_cell(c, rec, relations, seen, "cell {label} is not linked by both raters",
                                       "only cells both raters linked with different relations")
        ra, rb = relations[key]
        if ra == rb:
            c.fail(rec, "practice_id", f"both raters named '{ra}' for {label}",
                   "only cells where the raters named different relations")
        for col, val in (("relation_a", ra), ("relation_b", rb)):
            if rec[col] != val:
                c.fail(rec, col, f"{col} is '{rec[col]}' but the rating has '{val}' for {label}", f"'{val}'")
        if rec["relation"] not in RELATIONS:
            c.fail(rec, "relation", f"relation is '{rec['relation']}'", "one of " + ", ".join(RELATIONS))
        if not rec["reason"]:
            c.fail(rec, "reason", f"no reason for the relation of {label}", "one sentence citing the codebook rule")
    missing = [k for k, (ra, rb) in relations.items() if ra != rb and k not in seen]
    if missing:
        k = missing[0]
        raise InputError(f"{len(missing)} relation difference(s) not adjudicated, the first {k[0]} x "
                         f"{subcategory_label(k[1], k[2])}", Location(file=file),
                         expected="one row per cell both raters linked with different relations")
    return _frame(records, header)


# --------------------------------------------------------------------------------------------
# The accepted matrix
# --------------------------------------------------------------------------------------------

def cell_table(practices: "pd.DataFrame", codebook: "pd.DataFrame", a: "pd.DataFrame", b: "pd.DataFrame",
               adjudication: "pd.DataFrame | None") -> "pd.DataFrame":
    """Both ratings side by side, one row per cell (``CELL_COLUMNS``); ``decision`` is -1 when the
    raters agree (no adjudication needed), else the adjudicated 0/1 (-1 while not adjudicated)."""
    import pandas as pd

    la = {(p, c, s): int(v) for p, c, s, v in zip(a["practice_id"], a["category_code"], a["subcategory"], a["link"])}
    lb = {(p, c, s): int(v) for p, c, s, v in zip(b["practice_id"], b["category_code"], b["subcategory"], b["link"])}
    dec = {} if adjudication is None else {
        (p, c, s): int(d) for p, c, s, d in zip(adjudication["practice_id"], adjudication["category_code"],
                                                adjudication["subcategory"], adjudication["decision"])}
    rows = []
    for pid, sid in zip(practices["practice_id"], practices["source_id"]):
        for code, cat, s in _codebook_rows(codebook):
            k = (pid, code, s)
            ra, rb = la[k], lb[k]
            d = dec.get(k, -1)
            rows.append((pid, sid, code, cat, s, ra, rb, d, bool((ra == 1 and rb == 1) or d == 1)))
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def accepted_links(cells: "pd.DataFrame", practices: "pd.DataFrame", a: "pd.DataFrame", b: "pd.DataFrame",
                   adjudication: "pd.DataFrame | None",
                   relation_adjudication: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """One row per accepted cell (``ACCEPTED_COLUMNS``): both raters 1 (``basis='both raters'``) or the
    adjudication decided 1 (``'adjudicated'``). ``relation``: the raters' common relation, the
    adjudicated one (``relation_adjudication`` decides the cells both raters linked with different
    relations, its reason in ``adjudication_reason``), or else both joined with ``/``."""
    import pandas as pd

    def index(df):
        return {(p, c, s): (r, t, m) for p, c, s, r, t, m in
                zip(df["practice_id"], df["category_code"], df["subcategory"], df["relation"], df["rationale"],
                    df["mismatch_ids"])}

    ia, ib = index(a), index(b)
    adj = {} if adjudication is None else {
        (p, c, s): (r, why) for p, c, s, r, why in zip(adjudication["practice_id"], adjudication["category_code"],
                                                       adjudication["subcategory"], adjudication["relation"],
                                                       adjudication["reason"])}
    rel_adj = {} if relation_adjudication is None else {
        (p, c, s): (r, why) for p, c, s, r, why in zip(relation_adjudication["practice_id"],
                                                       relation_adjudication["category_code"],
                                                       relation_adjudication["subcategory"],
                                                       relation_adjudication["relation"], relation_adjudication["reason"])}
    locator = dict(zip(practices["practice_id"], practices["locator"]))
    rows = []
    for rec in cells[cells["accepted"]].itertuples(index=False):
        k = (rec.practice_id, rec.category_code, rec.subcategory)
        (rel_a, why_a, mid_a), (rel_b, why_b, mid_b) = ia[k], ib[k]
        if rec.rater_a == 1 and rec.rater_b == 1:
            basis, reason = "both raters", ""
            relation = rel_a if rel_a == rel_b else "/".join(sorted({rel_a, rel_b}))
            if k in rel_adj:
                relation, reason = rel_adj[k]
        else:
            basis = "adjudicated"
            relation, reason = adj[k]
        mids = list(dict.fromkeys(split_ids(mid_a) + split_ids(mid_b)))
        rows.append((rec.practice_id, rec.source_id, locator[rec.practice_id], rec.category_code, rec.category,
                     rec.subcategory, rec.rater_a, rec.rater_b, basis, relation, rel_a, rel_b, why_a, why_b, reason,
                     ";".join(sorted(mids, key=_natural_key))))
    return pd.DataFrame(rows, columns=ACCEPTED_COLUMNS)


def _natural_key(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def incidence(corpus: "PracticeCorpus", which: str = "accepted") -> "pd.DataFrame":
    """Practice x subcategory 0/1 matrix (rows: practices.csv order; columns: ``(XX) Subcategory``
    labels in codebook order) of ``which``: ``accepted``, ``rater_a`` or ``rater_b``."""
    if which not in ("accepted", "rater_a", "rater_b"):
        raise ValueError(f"which must be accepted, rater_a or rater_b, not {which!r}")
    cells = corpus.cells.assign(label=[subcategory_label(c, s) for c, s in
                                       zip(corpus.cells["category_code"], corpus.cells["subcategory"])])
    m = cells.pivot(index="practice_id", columns="label", values=which).astype(int)
    cols = [subcategory_label(c, s) for c, _cat, s in _codebook_rows(corpus.codebook)]
    m = m.loc[list(corpus.practices["practice_id"]), cols]
    m.columns.name = None
    return m


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

def load_corpus(directory: str | Path | None = None, *, codebook: "pd.DataFrame",
                mismatch_ids: Iterable[str] | None = None) -> PracticeCorpus:
    """Read and check every file of ``directory`` (default: the packaged ``data/practices``).

    ``codebook`` has ``category_code, category, subcategory`` (the study's codebook,
    ``coding.codebook``); ``mismatch_ids`` (optional) are the coded mismatches' ids the ratings may cite.
    """
    directory = Path(directory) if directory is not None else practices_dir()
    book = codebook.assign(subcategory=codebook["subcategory"].astype(str).str.strip(),
                           category=codebook["category"].astype(str), category_code=codebook["category_code"].astype(str))
    h, r = read_rows(directory / SOURCES_FILE, SOURCE_COLUMNS)
    sources = check_sources(h, r)
    h, r = read_rows(directory / PRACTICES_FILE, PRACTICE_COLUMNS)
    practices = check_practices(h, r, sources)
    mids = set(mismatch_ids) if mismatch_ids is not None else None
    ratings = {}
    for rater in RATERS:
        label = f"{RATINGS_DIR}/{rater}.csv"
        h, r = read_rows(directory / RATINGS_DIR / f"{rater}.csv", RATING_COLUMNS, label=label)
        ratings[rater] = check_rating(h, r, practices, book, label, mids)
    a, b = ratings["rater_a"], ratings["rater_b"]
    lb = {(p, c, s): int(v) for p, c, s, v in zip(b["practice_id"], b["category_code"], b["subcategory"], b["link"])}
    pairs = {(p, c, s): (int(v), lb[(p, c, s)]) for p, c, s, v in
             zip(a["practice_id"], a["category_code"], a["subcategory"], a["link"])}
    h, r = read_rows(directory / ADJUDICATION_FILE, ADJUDICATION_COLUMNS)
    adjudication = check_adjudication(h, r, pairs)
    rel_adj = None
    if (directory / RELATION_ADJUDICATION_FILE).is_file():
        rel_b = {(p, c, s): r for p, c, s, r, v in zip(b["practice_id"], b["category_code"], b["subcategory"],
                                                       b["relation"], b["link"]) if int(v) == 1}
        both = {(p, c, s): (r, rel_b[(p, c, s)]) for p, c, s, r, v in
                zip(a["practice_id"], a["category_code"], a["subcategory"], a["relation"], a["link"])
                if int(v) == 1 and (p, c, s) in rel_b}
        h, r = read_rows(directory / RELATION_ADJUDICATION_FILE, RELATION_ADJUDICATION_COLUMNS)
        rel_adj = check_relation_adjudication(h, r, both)
    cells = cell_table(practices, book, a, b, adjudication)
    accepted = accepted_links(cells, practices, a, b, adjudication, rel_adj)
    import pandas as pd

    source_of = dict(zip(practices["practice_id"], practices["source_id"]))
    long = pd.concat([df.assign(rater=rater) for rater, df in ratings.items()], ignore_index=True)
    long.insert(1, "source_id", long["practice_id"].map(source_of))
    long = long[["rater", *[c for c in long.columns if c != "rater"]]]
    cols = [c for c in ("category_code", "category", "subcategory", "description") if c in book.columns]
    return PracticeCorpus(sources=sources, practices=practices, ratings=long, adjudication=adjudication, cells=cells,
                          accepted=accepted, codebook=book[cols].reset_index(drop=True), directory=directory,
                          relation_adjudication=rel_adj)


def load_default(coding) -> PracticeCorpus:
    """The packaged corpus checked against ``coding`` (its codebook and mismatch ids)."""
    return load_corpus(codebook=coding.codebook, mismatch_ids=coding.mismatches["mismatch_id"])


#: Resources of the Frictionless data package (``mlmismatch export``): name -> description.
PACKAGE_RESOURCES = {
    "practice_sources": "Sources of best practices considered for the practice matrix, admitted or not, with the reason "
                        "(data/practices/sources.csv)",
    "practices": "The practice corpus: one row per practice, with its source, locator and a statement in our own words "
                 "(data/practices/practices.csv)",
    "practice_ratings_a": "Rater a: every practice x every codebook subcategory, link 0/1, relation, rationale, "
                          "illustrating mismatch ids (data/practices/ratings/rater_a.csv)",
    "practice_ratings_b": "Rater b, made without seeing rater a (data/practices/ratings/rater_b.csv)",
    "practice_adjudication": "The adjudicated disagreements of the two ratings, each with its reason "
                             "(data/practices/adjudication.csv)",
    "practice_matrix": "The accepted practice matrix (computed: both raters 1 or adjudicated 1), one row per accepted "
                       "link with its locator, relation, rationales and mismatch ids",
    "practice_relation_adjudication": "The relation decided where both raters linked a cell but named different "
                                      "relations (data/practices/relation_adjudication.csv)",
}


def package_tables(corpus: PracticeCorpus) -> dict[str, "pd.DataFrame"]:
    """The corpus as data-package tables (:data:`PACKAGE_RESOURCES`), without the bookkeeping ``row``."""
    r = corpus.ratings.drop(columns=["row"])

    def rater(name: str) -> "pd.DataFrame":
        return r[r["rater"] == name].drop(columns=["rater"]).reset_index(drop=True)

    out = {"practice_sources": corpus.sources.drop(columns=["row"]),
           "practices": corpus.practices.drop(columns=["row"]),
           "practice_ratings_a": rater("rater_a"), "practice_ratings_b": rater("rater_b"),
           "practice_adjudication": corpus.adjudication.drop(columns=["row"]),
           "practice_matrix": corpus.accepted}
    if corpus.relation_adjudication is not None:
        out["practice_relation_adjudication"] = corpus.relation_adjudication.drop(columns=["row"])
    return out
