"""Load the validation survey workbook (``Survey-Data-Final.xlsx``) into validated tidy tables.

Only two sheets are read: ``Raw Survey Data`` (row 1 question ids, row 2 question texts, one
response per row below) and ``Question Mapping`` (question id -> category label and item text).
In ``Raw Survey Data`` only the columns the analysis needs are read, chosen by their question id
(``Q1``-``Q6`` demographics, the Likert items named in the mapping, the free-text ``Q<n>``
answers). Every other column — timestamps, names, e-mail or IP addresses, locations, response ids,
whatever the workbook holds — is skipped by its header and its cells are never kept. Respondents get
an anonymous id (``R01``...) from their order in the sheet.

Tables (pandas DataFrames), built once by :func:`load_survey`:

``respondents``
    one row per response: ``respondent, affiliation, affiliation_other, affiliation_group,
    primary_role, primary_role_other, secondary_role, secondary_role_other, role, years_total,
    years_ml`` (``role`` is the group given by the ``roles`` parameter; the ``*_other`` columns hold
    the free-text "Other" answers and are never written by ``reproduce``).
``items``
    the 34 Likert items: ``item, category_code, category, subcategory, label, paper_label, order,
    column, mapping_row`` — each mapped to exactly one codebook subcategory. The mapping is
    validated (short category label + item text before the colon, resolved against the codebook
    with the explicit alias tables below), and cross-checked against the question text in row 2.
``responses``
    long format, one row per respondent and item: ``respondent, role, item, category_code,
    category, subcategory, answer, score`` with ``answer`` an ordered categorical
    (Not Important < Somewhat Important < Important < Very Important) and ``score`` 1-4.
``comments``
    the open answers (``respondent, question, topic, text``). Kept out of every default output.
``quality``
    ``check, status, location, detail``: every normalization and alias used, columns skipped, and
    the cross-checks made while loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from mlmismatch.core.errors import InputError, Location, column_letter
from mlmismatch.core.findings import QUALITY_COLUMNS, findings_table
from mlmismatch.core.findings import quality as quality_finding
from mlmismatch.core.text import clean
from mlmismatch.sources import Store, as_store
from mlmismatch.study.codebook import CATEGORY_CODES
from mlmismatch.study.workbook import open_workbook, sheet_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

RAW_SHEET = "Raw Survey Data"
MAPPING_SHEET = "Question Mapping"
FIRST_DATA_ROW = 3  # row 1 question ids, row 2 question texts

#: The answer scale, lowest first; ``score`` is the 1-based position.
LEVELS: tuple[str, ...] = ("Not Important", "Somewhat Important", "Important", "Very Important")
IMPORTANT_LEVELS: tuple[str, ...] = ("Important", "Very Important")

AFFILIATIONS: tuple[str, ...] = ("Industry", "Government", "Academia/Research", "Other")
PRIMARY_ROLES: tuple[str, ...] = ("Data Scientist", "Software Engineer", "Operations", "Other")
YEARS: tuple[str, ...] = ("1-3", "4-7", "8-11", "12 or more")

#: The paper's role grouping (Table II): raw primary role -> group. "Other" holds management roles.
DEFAULT_ROLES: dict[str, str] = {
    "Data Scientist": "Data Science",
    "Software Engineer": "Software Engineering",
    "Operations": "Operations + Other",
    "Other": "Operations + Other",
}
#: Every primary role on its own (Operations and Other separated).
SEPARATE_ROLES: dict[str, str] = {
    "Data Scientist": "Data Science",
    "Software Engineer": "Software Engineering",
    "Operations": "Operations",
    "Other": "Other",
}
ROLE_GROUPINGS: dict[str, dict[str, str]] = {"paper": DEFAULT_ROLES, "separate": SEPARATE_ROLES}

#: The paper's Fig. 4a groups: selected affiliation -> group.
AFFILIATION_GROUPS: dict[str, str] = {
    "Industry": "Industry",
    "Government": "Government",
    "Academia/Research": "Academia/Research Lab",
    "Other": "Other",
}
#: "Other" affiliation answers the paper counts in another group, keyed by the SHA-256 of the
#: lower-cased answer so that no survey free text is written in the code. The one "Other"
#: affiliation of the survey names a kind of research laboratory; the paper's Fig. 4a counts it in
#: Academia/Research Lab (10% = 3/31, while only 2 respondents selected Academia/Research).
AFFILIATION_OTHER_GROUPS: dict[str, str] = {
    "5b0b2cf998fbdbabe2496eeb52c151c3de7746bdf7b04f06e98f494e297230eb": "Academia/Research Lab",
}


def _answer_key(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()

#: The mapping's long category names that differ from the codebook's, by short label.
CATEGORY_NAME_ALIASES: dict[tuple[str, str], str] = {
    ("TM", "Trained Models"): "Trained Model",
    ("TD", "Trained Data"): "Training Data",
}
#: Survey item labels (text before the colon) that name a codebook subcategory differently.
SUBCATEGORY_ALIASES: dict[tuple[str, str], str] = {
    ("DE", "Programming Language"): "Programming Language/ML Framework/Tools/Libraries",
    ("TM", "Programming Language"): "Programming Language/ML Framework/Tools/Libraries",
    ("TM", "Decisions"): "Decisions, Assumptions, Limitations and Constraints",
}
#: The paper's row labels in Table II and Fig. 5, by (code, codebook subcategory), where they are
#: not simply ``CODE: survey label``.
PAPER_LABELS: dict[tuple[str, str], str] = {
    ("DE", "Upstream and Downstream System Components"): "DE: Up & Down Components",
    ("DE", "Development and Integration Timelines"): "DE: Dev. & Integ. Timelines",
    ("OD", "Data Syntax and Semantics"): "OD: Data Syntax & Seman.",
    ("OE", "Runtime Metrics and Data"): "OE: Runtime Metrics",
    ("OE", "Required Model Inference Time"): "OE: Model Inference Time",
    ("TP", "Success Criteria"): "TP: Success Criteria",
    ("TP", "Data Rights and Policies"): "TP: Data Rights & Policies",
    ("TM", "Test Cases and Data"): "TM: Test Cases & Data",
    ("TM", "Decisions, Assumptions, Limitations and Constraints"): "TM: Decisions/Constraints",
    ("TM", "Model Output Interpretation"): "TM: Output Interpretation",
    ("TM", "System Configuration Requirements"): "TM: System Configuration",
    ("TM", "Data Buffering/Window Requirements"): "TM: Data Buffering",
}

#: The problem stated for an answer cell that holds none of the expected values. The cell's content
#: is never part of a message: a survey answer may hold a name or an e-mail address.
NOT_SHOWN = "not one of the answer options (the cell's content is not shown: it may hold personal data)"

DEMOGRAPHIC_COLUMNS = ("Q1", "Q2", "Q2_4_TEXT", "Q3", "Q3_4_TEXT", "Q4", "Q4_4_TEXT", "Q5", "Q6")
REQUIRED_COLUMNS = ("Q1", "Q2", "Q3", "Q5", "Q6")
ITEM_ID_RE = re.compile(r"^Q\d+_\d+$")
FREE_TEXT_RE = re.compile(r"^Q\d+$")

MAPPING_HEADERS = {  # canonical -> header prefix (compared lower case, white space collapsed)
    "label": "short category label",
    "name": "long category name",
    "id": "survey question #",
    "text": "survey question text",
}


@dataclass
class SurveyData:
    """The survey workbook as tidy tables (see the module docstring)."""

    respondents: "pd.DataFrame"
    items: "pd.DataFrame"
    responses: "pd.DataFrame"
    comments: "pd.DataFrame"
    quality: "pd.DataFrame"

    def __repr__(self) -> str:  # never print the free text by accident
        return (f"SurveyData({len(self.respondents)} respondents, {len(self.items)} items, "
                f"{len(self.responses)} responses, {len(self.comments)} comments (not shown), "
                f"roles {self.role_counts()})")

    @property
    def roles(self) -> list[str]:
        """The role groups in order."""
        return [str(c) for c in self.respondents["role"].cat.categories]

    def role_counts(self) -> dict[str, int]:
        counts = self.respondents["role"].value_counts(sort=False)
        return {str(k): int(v) for k, v in counts.items()}

    def with_roles(self, roles: Mapping[str, str]) -> "SurveyData":
        """The same data with another role grouping (raw primary role -> group)."""
        respondents = self.respondents.copy()
        respondents["role"] = _role_column(respondents["primary_role"], roles)
        responses = self.responses.drop(columns="role").merge(
            respondents[["respondent", "role"]], on="respondent", how="left")
        responses = responses[RESPONSE_COLUMNS]
        return replace(self, respondents=respondents, responses=responses)


RESPONSE_COLUMNS = ["respondent", "role", "item", "category_code", "category", "subcategory", "answer", "score"]


def answer_dtype() -> "pd.CategoricalDtype":
    import pandas as pd

    return pd.CategoricalDtype(list(LEVELS), ordered=True)


def role_groups(roles: Mapping[str, str]) -> list[str]:
    """The groups of a role mapping, in order of first appearance."""
    return list(dict.fromkeys(roles.values()))


def _role_column(primary: "pd.Series", roles: Mapping[str, str]) -> "pd.Series":
    import pandas as pd

    missing = sorted(set(primary.astype(str)) - set(roles))
    if missing:
        raise InputError(f"role grouping has no group for primary role(s) {', '.join(map(repr, missing))}",
                         expected="a mapping of every primary role (" + ", ".join(PRIMARY_ROLES) + ") to a group")
    return pd.Categorical(primary.astype(str).map(dict(roles)), categories=role_groups(roles), ordered=True)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def load_survey(path: str | Path | None = None, *, roles: Mapping[str, str] = DEFAULT_ROLES,
                codebook: "pd.DataFrame | None" = None, allow_duplicate_rows: bool = False,
                store: Store | None = None, data_dir: str | Path | None = None,
                data_home: str | Path | None = None, strict: bool = False) -> SurveyData:
    """Read and validate the survey workbook; every call returns fresh tables.

    ``path`` defaults to the registered ``survey`` source, found by ``store`` (or a new
    :class:`~mlmismatch.sources.Store` from ``data_dir``, ``data_home`` and ``strict``), which also
    provides the codebook when ``codebook`` is not given. ``roles`` maps each primary role to its
    group (default: the paper's). Two responses with identical answers to every question are
    refused as a duplicated row unless ``allow_duplicate_rows``.

    Returns
    -------
    SurveyData
        ``respondents`` (anonymous ids R01...), ``items``, ``responses`` (tidy, one row per
        respondent and item), ``comments`` (free text, never written) and ``quality``.

    Examples
    --------
    >>> survey = load_survey()
    >>> survey.role_counts()
    {'Data Science': 16, 'Software Engineering': 10, 'Operations + Other': 5}
    >>> len(survey.items), len(survey.responses)
    (34, 1054)
    """
    from mlmismatch.study.coding import load_codebook

    store = as_store(store, data_dir=data_dir, data_home=data_home, strict=strict)
    path, _sha, key = store.locate("survey", path)
    if codebook is None:
        codebook = load_codebook(store=store)
    if not path.is_file():
        raise InputError("file not found", Location(file=path), expected="the survey workbook (.xlsx)")

    def read() -> tuple:
        wb = _open(path)
        try:
            mapping_rows = sheet_rows(wb, MAPPING_SHEET, path.name, expected=f"sheets '{RAW_SHEET}' and '{MAPPING_SHEET}'")
            return mapping_rows, _raw_rows(wb, path, mapping_rows)
        finally:
            wb.close()

    mapping_rows, (header, texts, data_rows, skipped) = store.memo(("cells", *key), read, copy_result=True)
    return parse_survey(path.name, header, texts, data_rows, mapping_rows, codebook, roles=roles,
                        skipped_columns=skipped, allow_duplicate_rows=allow_duplicate_rows)


def _open(path: Path):
    return open_workbook(path, what="the survey workbook (.xlsx)")


def _raw_rows(wb, path: Path, mapping_rows: list[tuple]):
    """Header, question texts and the needed cells of ``Raw Survey Data``; other columns skipped."""
    if RAW_SHEET not in wb.sheetnames:
        raise InputError(f"missing sheet '{RAW_SHEET}'", Location(file=path.name),
                         expected=f"sheets '{RAW_SHEET}' and '{MAPPING_SHEET}'")
    it = iter(wb.rows(RAW_SHEET))
    header = next(it, None)
    if header is None or not any(clean(c) for c in header):
        raise InputError("empty sheet", Location(file=path.name, sheet=RAW_SHEET, row=1),
                         expected="question ids (Q1, Q2, ...) in row 1")
    ids = [clean(c) for c in header]
    keep = [i for i, h in enumerate(ids) if _needed(h)]
    skipped = [h for h in ids if h and not _needed(h)]
    texts_row = next(it, None) or ()
    texts = {ids[i]: (texts_row[i] if i < len(texts_row) else None) for i in keep}
    data: list[tuple[int, dict[str, object]]] = []
    for r, row in enumerate(it, start=FIRST_DATA_ROW):
        cells = {ids[i]: (row[i] if i < len(row) else None) for i in keep}  # only the needed cells
        if any(clean(v) for v in cells.values()):
            data.append((r, cells))
    columns = {ids[i]: i + 1 for i in keep}
    return columns, texts, data, skipped


def _needed(header_id: str) -> bool:
    return header_id in DEMOGRAPHIC_COLUMNS or bool(ITEM_ID_RE.match(header_id)) or bool(FREE_TEXT_RE.match(header_id))


# --------------------------------------------------------------------------------------------
# Parsing (pure: rows in, tables out)
# --------------------------------------------------------------------------------------------
def parse_survey(file: str, columns: dict[str, int], texts: dict[str, object],
                 data_rows: list[tuple[int, dict[str, object]]], mapping_rows: list[tuple],
                 codebook: "pd.DataFrame", *, roles: Mapping[str, str] = DEFAULT_ROLES,
                 skipped_columns: list[str] = (), allow_duplicate_rows: bool = False) -> SurveyData:
    """Build the tables from the needed cells (``columns``: question id -> 1-based column)."""
    import pandas as pd

    quality: list = []
    if skipped_columns:
        quality.append(quality_finding("columns not read", "info", f"sheet '{RAW_SHEET}', row 1",
                    f"{len(skipped_columns)} column(s) skipped by header, cells never read: "
                                  + ", ".join(skipped_columns)))
    items = _parse_mapping(file, mapping_rows, codebook, columns, texts, quality)

    def loc(row: int, qid: str) -> Location:
        return Location(file=file, sheet=RAW_SHEET, row=row, column=column_letter(columns[qid]), header=qid)

    for qid in REQUIRED_COLUMNS:
        if qid not in columns:
            raise InputError(f"missing column '{qid}'", Location(file=file, sheet=RAW_SHEET, row=1),
                             expected="the Qualtrics export's question ids " + ", ".join(REQUIRED_COLUMNS))
    if not data_rows:
        raise InputError("no responses", Location(file=file, sheet=RAW_SHEET, row=FIRST_DATA_ROW),
                         expected="one response per row from row 3")

    # duplicated responses (the sheet has no response id to check; response ids are never read)
    if not allow_duplicate_rows:
        seen: dict[tuple, int] = {}
        for r, cells in data_rows:
            key = tuple(clean(cells.get(q)) for q in sorted(columns))
            if key in seen:
                raise InputError(f"duplicate response: the same answers to all {len(columns)} questions as row {seen[key]}",
                                 Location(file=file, sheet=RAW_SHEET, row=r),
                                 expected="one row per response (pass allow_duplicate_rows=True if two "
                                          "respondents really answered identically)")
            seen[key] = r

    level_by_key = {lvl.lower(): lvl for lvl in LEVELS}
    respondents, responses, comments = [], [], []
    normalized_answers: dict[str, list[str]] = {}
    blanks: list[str] = []
    n_digits = max(2, len(str(len(data_rows))))
    free_text_ids = [q for q in columns if FREE_TEXT_RE.match(q) and q not in DEMOGRAPHIC_COLUMNS]
    topics = _comment_topics(free_text_ids, items)
    for k, (r, cells) in enumerate(data_rows, start=1):
        rid = f"R{k:0{n_digits}d}"
        consent = clean(cells.get("Q1"))
        if consent.lower() != "yes":
            raise InputError(f"response without consent (Q1 = '{consent}')", loc(r, "Q1"),
                             expected="'Yes' (remove responses that did not consent)")
        rec = {"respondent": rid}
        rec["affiliation"] = _choice(cells, "Q2", AFFILIATIONS, r, loc, required=True)
        rec["affiliation_other"] = clean(cells.get("Q2_4_TEXT")) or None
        rec["primary_role"] = _choice(cells, "Q3", PRIMARY_ROLES, r, loc, required=True)
        rec["primary_role_other"] = clean(cells.get("Q3_4_TEXT")) or None
        rec["secondary_role"] = _choice(cells, "Q4", PRIMARY_ROLES, r, loc, required=False) if "Q4" in columns else None
        rec["secondary_role_other"] = clean(cells.get("Q4_4_TEXT")) or None
        rec["years_total"] = _choice(cells, "Q5", YEARS, r, loc, required=True)
        rec["years_ml"] = _choice(cells, "Q6", YEARS, r, loc, required=True)
        group = AFFILIATION_GROUPS[rec["affiliation"]]
        if rec["affiliation"] == "Other" and rec["affiliation_other"]:
            regroup = AFFILIATION_OTHER_GROUPS.get(_answer_key(rec["affiliation_other"]))
            if regroup:
                group = regroup
                quality.append(quality_finding("affiliation group", "normalized", str(loc(r, "Q2_4_TEXT")),
                    f"an 'Other' affiliation listed in survey.AFFILIATION_OTHER_GROUPS counted as "
                                          f"'{regroup}' (the paper's Fig. 4a)"))
        rec["affiliation_group"] = group
        respondents.append(rec)
        for it in items.itertuples(index=False):
            raw = cells.get(it.item)
            text = clean(raw)
            if not text:
                answer = None
                blanks.append(f"{rid}/{it.item}")
            else:
                answer = level_by_key.get(text.lower())
                if answer is None:  # never echoed: an answer cell may hold personal data
                    raise InputError(NOT_SHOWN, loc(r, it.item), expected="one of " + ", ".join(LEVELS) + " or blank")
                if text != answer:
                    normalized_answers.setdefault(f"'{text}' read as '{answer}'", []).append(str(loc(r, it.item)))
            responses.append({"respondent": rid, "item": it.item, "category_code": it.category_code,
                              "category": it.category, "subcategory": it.subcategory, "answer": answer,
                              "score": LEVELS.index(answer) + 1 if answer else None})
        for q in free_text_ids:
            text = clean(cells.get(q))
            if text:
                comments.append({"respondent": rid, "question": q, "topic": topics[q], "text": text})

    for detail, where in normalized_answers.items():
        quality.append(quality_finding("normalization: answer", "normalized", where[0] + (f" (+{len(where) - 1} more)" if len(where) > 1 else ""),
                    detail))
    quality.append(quality_finding("missing answers", "info" if not blanks else "warning", f"sheet '{RAW_SHEET}'",
                    f"{len(blanks)} blank Likert answer(s)" + (": " + ", ".join(blanks[:10]) if blanks else "")))

    resp = pd.DataFrame(respondents)
    resp["affiliation"] = pd.Categorical(resp["affiliation"], categories=list(AFFILIATIONS))
    groups = list(dict.fromkeys(AFFILIATION_GROUPS.values()))
    groups = [g for g in groups if g != "Other"] + ["Other"]
    resp["affiliation_group"] = pd.Categorical(resp["affiliation_group"], categories=groups)
    resp["primary_role"] = pd.Categorical(resp["primary_role"], categories=list(PRIMARY_ROLES))
    resp["secondary_role"] = pd.Categorical(resp["secondary_role"], categories=list(PRIMARY_ROLES))
    for col in ("years_total", "years_ml"):
        resp[col] = pd.Categorical(resp[col], categories=list(YEARS), ordered=True)
    resp["role"] = _role_column(resp["primary_role"], roles)
    resp = resp[["respondent", "affiliation", "affiliation_other", "affiliation_group", "primary_role",
                 "primary_role_other", "secondary_role", "secondary_role_other", "role", "years_total", "years_ml"]]

    long = pd.DataFrame(responses)
    long["answer"] = pd.Categorical(long["answer"], dtype=answer_dtype())
    long["score"] = long["score"].astype("Int64")
    long["category"] = long["category"].astype(pd.CategoricalDtype(list(CATEGORY_CODES.values()), ordered=True))
    long = long.merge(resp[["respondent", "role"]], on="respondent", how="left")[RESPONSE_COLUMNS]

    com = pd.DataFrame(comments, columns=["respondent", "question", "topic", "text"])
    quality.append(quality_finding("respondents", "info", f"sheet '{RAW_SHEET}'",
                    f"{len(resp)} responses, roles: "
                              + ", ".join(f"{k} {v}" for k, v in resp["role"].value_counts(sort=False).items())))
    return SurveyData(respondents=resp, items=items, responses=long, comments=com,
                      quality=findings_table(quality, QUALITY_COLUMNS))


def _choice(cells: dict, qid: str, options: tuple[str, ...], row: int, loc, *, required: bool) -> str | None:
    text = clean(cells.get(qid))
    if not text:
        if required:
            raise InputError("missing answer", loc(row, qid), expected="one of " + ", ".join(options))
        return None
    for opt in options:
        if text.lower() == opt.lower():
            return opt
    raise InputError(NOT_SHOWN, loc(row, qid), expected="one of " + ", ".join(options))


def _comment_topics(free_text_ids: list[str], items: "pd.DataFrame") -> dict[str, str]:
    """Free-text question -> topic: the category of the Likert block just before it, else 'general'."""
    block_category = {}
    for it in items.itertuples(index=False):
        block_category[int(it.item[1:].split("_")[0])] = it.category
    return {q: str(block_category.get(int(q[1:]) - 1, "general")) for q in free_text_ids}


def _parse_mapping(file: str, rows: list[tuple], codebook: "pd.DataFrame", columns: dict[str, int],
                   texts: dict[str, object], quality: list) -> "pd.DataFrame":
    """Validate ``Question Mapping`` and map every survey item to exactly one codebook subcategory."""
    import pandas as pd

    def loc(row: int, col: int | None = None, header: str | None = None) -> Location:
        return Location(file=file, sheet=MAPPING_SHEET, row=row, column=col, header=header)

    if not any(clean(c) for row in rows for c in row):
        raise InputError("empty sheet", loc(1), expected="a header row with 'Survey Question #' and the 34 items below")
    header_row, cols = None, {}
    for r, row in enumerate(rows[:20], start=1):
        cells = [clean(c).lower() for c in row]
        found = {}
        for key, prefix in MAPPING_HEADERS.items():
            idx = next((i for i, c in enumerate(cells) if c.startswith(prefix)), None)
            if idx is not None:
                found[key] = idx
        if "id" in found:
            header_row, cols = r, found
            break
    if header_row is None:
        raise InputError("no header row with 'Survey Question #'", loc(1),
                         expected="a header row: Short Category Label | Long Category Name | Survey Category Subtitle | "
                                  "Survey Question # | Survey Question Text")
    for key in ("label", "text"):
        if key not in cols:
            raise InputError(f"missing column '{MAPPING_HEADERS[key]}'", loc(header_row),
                             expected="headers Short Category Label, Survey Question #, Survey Question Text")

    by_key: dict[tuple[str, str], str] = {}
    for row in codebook.itertuples(index=False):
        by_key[(row.category_code, clean(row.subcategory))] = clean(row.subcategory)
    lower_key = {(c, s.lower()): s for (c, s) in by_key}

    records, used, seen_ids = [], {}, {}
    whitespace = 0
    code = name = None
    for r, row in enumerate(rows[header_row:], start=header_row + 1):
        cells = list(row) + [None] * 8

        def cell(key):
            return cells[cols[key]] if key in cols else None

        qid = clean(cell("id"))
        label_raw, name_raw = clean(cell("label")), clean(cell("name"))
        if label_raw:
            code = label_raw.upper()
            if code not in CATEGORY_CODES:
                raise InputError(f"unknown short category label '{label_raw}'", loc(r, cols["label"] + 1, "Short Category Label"),
                                 expected="one of " + ", ".join(CATEGORY_CODES))
            name = name_raw or None
            if name:
                canonical = CATEGORY_NAME_ALIASES.get((code, name), name)
                if canonical.lower() != CATEGORY_CODES[code].lower():
                    raise InputError(f"long category name '{name}' does not match label {code} ({CATEGORY_CODES[code]})",
                                     loc(r, cols["name"] + 1, "Long Category Name"),
                                     expected=f"'{CATEGORY_CODES[code]}' or an alias in survey.CATEGORY_NAME_ALIASES")
                if canonical != name:
                    quality.append(quality_finding("alias: category name", "normalized", str(loc(r, cols["name"] + 1, "Long Category Name")),
                    f"'{name}' read as '{canonical}' ({code}) by survey.CATEGORY_NAME_ALIASES"))
        if not qid:
            if any(clean(c) for c in row):
                raise InputError("mapping row without a question id", loc(r, cols["id"] + 1, "Survey Question #"),
                                 expected="a question id such as Q7_1")
            continue
        id_loc = loc(r, cols["id"] + 1, "Survey Question #")
        if not ITEM_ID_RE.match(qid):
            raise InputError(f"malformed question id '{qid}'", id_loc, expected="an id such as Q7_1")
        if qid in seen_ids:
            raise InputError(f"question id '{qid}' mapped twice (first in row {seen_ids[qid]})", id_loc,
                             expected="each question once")
        seen_ids[qid] = r
        if code is None:
            raise InputError(f"question '{qid}' before any category label", loc(r, cols["label"] + 1, "Short Category Label"),
                             expected="a short category label on the first row of each block")
        if qid not in columns:
            raise InputError(f"question '{qid}' has no column in sheet '{RAW_SHEET}'", id_loc,
                             expected=f"a column headed '{qid}' in row 1 of '{RAW_SHEET}'")
        text_loc = loc(r, cols["text"] + 1, "Survey Question Text")
        raw_text = cell("text")
        text = clean(raw_text)
        if raw_text is not None and text != str(raw_text):
            whitespace += 1
        if ":" not in text:
            raise InputError(f"item text '{text[:60]}' has no 'Subcategory: text' form", text_loc,
                             expected="'Subcategory: question text'")
        label, _, body = (s.strip() for s in text.partition(":"))
        subcategory = by_key.get((code, label))
        how = None
        if subcategory is None and (code, label.lower()) in lower_key:
            subcategory, how = lower_key[(code, label.lower())], "case"
        if subcategory is None and (code, label) in SUBCATEGORY_ALIASES:
            target = SUBCATEGORY_ALIASES[(code, label)]
            subcategory = by_key.get((code, clean(target)))
            how = "alias"
        if subcategory is None:
            options = [s for (c, s) in by_key if c == code]
            raise InputError(f"survey item '{label}' matches no codebook subcategory of {CATEGORY_CODES[code]}", text_loc,
                             expected="one of " + "; ".join(options) + " (or an alias in survey.SUBCATEGORY_ALIASES)")
        if (code, subcategory) in used:
            raise InputError(f"'{label}' maps to {code} '{subcategory}', already mapped from {used[(code, subcategory)]}",
                             text_loc, expected="each codebook subcategory mapped exactly once")
        used[(code, subcategory)] = qid
        if how:
            quality.append(quality_finding(f"{'alias' if how == 'alias' else 'normalization'}: subcategory", "normalized", str(text_loc),
                    f"{code} '{label}' read as '{subcategory}' "
                                      + ("(survey.SUBCATEGORY_ALIASES)" if how == "alias" else "(case)")))
        # cross-check against the question text in row 2 of the raw sheet
        _check_question_text(file, qid, columns[qid], texts.get(qid), code, label, body, r, quality)
        records.append({"item": qid, "category_code": code, "category": CATEGORY_CODES[code], "subcategory": subcategory,
                        "label": label, "paper_label": PAPER_LABELS.get((code, subcategory), f"{code}: {label}"),
                        "column": column_letter(columns[qid]), "mapping_row": r})
    if not records:
        raise InputError("no question rows", loc(header_row + 1), expected="one row per Likert item below the header")
    unmapped = [(c, s) for (c, s) in by_key if (c, s) not in used]
    if unmapped:
        raise InputError("codebook subcategor" + ("y " if len(unmapped) == 1 else "ies ")
                         + "; ".join(f"{c} '{s}'" for c, s in unmapped) + " not covered by any survey item",
                         loc(header_row), expected=f"all {len(by_key)} codebook subcategories mapped exactly once")
    extra = [q for q in columns if ITEM_ID_RE.match(q) and q not in used.values()]
    if extra:
        q = extra[0]
        raise InputError(f"question column '{q}' is missing from sheet '{MAPPING_SHEET}'",
                         Location(file=file, sheet=RAW_SHEET, row=1, column=column_letter(columns[q]), header=q),
                         expected="every Likert column listed in the question mapping")
    if whitespace:
        quality.append(quality_finding("normalization: white space", "normalized", f"sheet '{MAPPING_SHEET}'",
                    f"leading/trailing white space trimmed in {whitespace} item text(s)"))
    quality.append(quality_finding("item mapping", "ok", f"sheet '{MAPPING_SHEET}'",
                    f"{len(records)} items mapped one-to-one to the {len(by_key)} codebook subcategories"))
    items = pd.DataFrame(records)
    items.insert(6, "order", range(1, len(items) + 1))
    items["category"] = items["category"].astype(pd.CategoricalDtype(list(CATEGORY_CODES.values()), ordered=True))
    return items


def _check_question_text(file, qid, col, header_text, code, label, body, mapping_row, quality) -> None:
    """The question text in row 2 must name the item's category and end with the mapping's text."""
    where = Location(file=file, sheet=RAW_SHEET, row=2, column=column_letter(col), header=qid)
    text = clean(header_text)
    if not text:
        quality.append(quality_finding("question text cross-check", "skipped", str(where),
                    "no question text in row 2"))
        return
    first = clean(str(header_text).strip().splitlines()[0])
    names = {CATEGORY_CODES[code].lower()} | {a.lower() for (c, a), n in CATEGORY_NAME_ALIASES.items() if c == code}
    if first.lower() not in names:
        raise InputError(f"question text starts with '{first[:40]}', but the mapping (row {mapping_row}) puts {qid} "
                         f"in {CATEGORY_CODES[code]}", where, expected="the mapping and the questions to agree")
    item_text = text.rsplit(" - ", 1)[-1]
    if clean(item_text).lower() != clean(f"{label}: {body}").lower():
        raise InputError(f"question text '{item_text[:50]}' differs from the mapping's '{label}: {body[:30]}' "
                         f"(row {mapping_row})",
                         where, expected="the mapping and the questions to agree")


def export_tables(data: SurveyData) -> dict[str, "pd.DataFrame"]:
    """The survey's tidy tables for ``mlmismatch export``: respondents (without the free-text
    "Other" answers), items and responses. ``comments`` are never exported."""
    respondents = data.respondents.drop(columns=[c for c in data.respondents.columns if c.endswith("_other")])
    return {"survey_respondents": respondents, "survey_items": data.items, "survey_responses": data.responses}
