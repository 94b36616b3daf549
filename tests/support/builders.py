"""Build small workbooks in the study's coding layout for unit tests (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from mlmismatch.core.errors import InputError

CODEBOOK = {
    "Task and Purpose": [("Task", "Task the model performs"), ("Business Goals", "Goals")],
    "Raw Data": [("Metadata", "Metadata about raw data")],
    "Trained Model": [("API/Specifications", "Model APIs"), ("Versioning", "Model version"),
                      ("System Configuration Requirements ", "Config")],
    "Training Data": [("Versioning", "Training data version")],
    "Development Environment": [("Computing Resources", "Dev resources")],
    "Operational Data": [("Data Statistics", "Operational data statistics")],
    "Operational Environment": [("Computing Resources", "Prod resources"), ("Runtime Metrics and Data", "Metrics")],
}
CODES = {"Task and Purpose": "TP", "Raw Data": "RD", "Trained Model": "TM", "Training Data": "TD",
         "Development Environment": "DE", "Operational Data": "OD", "Operational Environment": "OE"}

HEADER = ["Mismatch", "Quotes", "Mismatch Description", "Information Not Communicated",
          "Category 1", "Sub-Category 1", "Category 2", "Sub-Category 2", "Category 3", "Sub-Category 3"]


def cat(name: str) -> str:
    return f"{name} ({CODES[name]})"


def sub(category: str, name: str) -> str:
    return f"({CODES[category]}) {name}"


#: interview -> list of (mismatch id, [(category, subcategory), ...])
DEFAULT_INTERVIEWS = {
    1: [("M01-01", [("Trained Model", "API/Specifications"), ("Trained Model", "Versioning")]),
        ("M01-02", [("Operational Environment", "Computing Resources")])],
    2: [("M02-01", [("Task and Purpose", "Task"), ("Raw Data", "Metadata"), ("Trained Model", "Versioning")]),
        ("M02-02", [("Trained Model", "API/Specifications")]),
        ("M02-03", [("Operational Environment", "Runtime Metrics and Data"), ("Trained Model", "API/Specifications")])],
}


def build_coding_workbook(path: Path, interviews=None, *, codebook=None, headers=None, stats=None,
                          mismatch_sheet=True, drop_sheets=(), mutate=None, pivot=None) -> Path:
    """Write a small coding workbook and return its path.

    ``stats``: {interview: stated count} for the Interview Statistics sheet (default: the true counts).
    ``headers``: {interview: header list} to override a sheet's header row.
    ``pivot``: {category: stated count} to override the pivot table's counts.
    ``mutate(wb)``: last-minute changes to the openpyxl workbook.
    """
    import openpyxl

    interviews = DEFAULT_INTERVIEWS if interviews is None else interviews
    codebook = CODEBOOK if codebook is None else codebook
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Code Descriptions"
    ws.append(["Category", "Sub-Category", "Description"])
    for category, subs in codebook.items():
        for i, (s, d) in enumerate(subs):
            ws.append([category if i == 0 else None, s, d])
        ws.append([None, None, None])
    st = wb.create_sheet("Interview Statistics")
    st.append(["Interview", "Mismatches"])
    for n, rows in interviews.items():
        st.append([str(n), str((stats or {}).get(n, len(rows)))])
    st.append(["TOTAL", str(sum((stats or {}).get(n, len(r)) for n, r in interviews.items()))])
    # a pivot table of category counts on the right, like the study's sheet
    counts: dict[str, int] = {}
    for rows in interviews.values():
        for _, pairs in rows:
            for c, _s in pairs:
                if c:
                    counts[c] = counts.get(c, 0) + 1
    st.cell(row=3, column=6, value="Mismatch Category")
    st.cell(row=3, column=7, value="Count")
    for i, (c, n) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1]), start=4):
        st.cell(row=i, column=6, value=cat(c))
        st.cell(row=i, column=7, value=str((pivot or {}).get(c, n)))
    if mismatch_sheet:
        ms = wb.create_sheet("Mismatch Sheet")
        ms.append(["Interview", "Category", "Subcategory"])
        for n, rows in interviews.items():
            for _, pairs in rows:
                for c, s in pairs:
                    ms.append([str(n), cat(c), sub(c, s)])
    for n, rows in interviews.items():
        sh = wb.create_sheet(f"Interview {n:02d}")
        sh.append((headers or {}).get(n, HEADER))
        for mid, pairs in rows:
            row = [mid, "a quote", f"description of {mid}", f"information for {mid}"]
            for c, s in pairs:
                row += [cat(c) if c else None, sub(c, s) if (c and s) else s]
            sh.append(row)
    dd = wb.create_sheet("Drop-Down Lists")
    dd.append(["Category", "Sub-Category"])
    cats = [cat(c) for c in codebook]
    subs = [sub(c, s) for c, ss in codebook.items() for s, _ in ss]
    for i in range(max(len(cats), len(subs))):
        dd.append([cats[i] if i < len(cats) else None, subs[i] if i < len(subs) else None])
    for name in drop_sheets:
        del wb[name]
    if mutate:
        mutate(wb)
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------------
# A small practice corpus (data/practices layout, issue 13)
# --------------------------------------------------------------------------------------------

#: category_code, category, subcategory, description: a four-subcategory codebook for the corpus tests.
PRACTICE_CODEBOOK = [("TM", "Trained Model", "Versioning", "Model version"),
                     ("TM", "Trained Model", "API/Specifications", "Model APIs"),
                     ("TD", "Training Data", "Versioning", "Training data version"),
                     ("OE", "Operational Environment", "Runtime Metrics and Data", "Metrics")]
PRACTICE_SOURCES = [
    # source_id, citation, year, kind, locator_scheme, url, n_items, n_practices, admitted, reason, verified, note
    ["alpha", "A. Author. Alpha practices. 2020.", "2020", "catalogue", "item number", "https://example.org/a", "3", "2",
     "yes", "", "yes", ""],
    ["beta", "B. Author. Beta tests. 2017.", "2017", "paper", "test id", "https://example.org/b", "2", "2", "yes", "",
     "no", "from the published text"],
    ["gamma", "C. Author. Gamma guide. 2019.", "2019", "guide", "", "", "", "0", "no", "not about ML systems", "no", ""],
]
PRACTICE_ROWS = [
    ["ALP-01", "alpha", "item 1", "Version models", "Give every trained model a version and record it with releases.",
     "false", ""],
    ["ALP-02", "alpha", "item 2", "Document the model interface", "Write down the model API, inputs and outputs.",
     "false", ""],
    ["BET-M1", "beta", "Monitor 1", "Monitor runtime metrics", "Watch runtime metrics and latency in production.",
     "false", ""],
    ["BET-D1", "beta", "Data 1", "Version training data", "Keep versions of the training data sets.", "true", ""],
]
#: rater -> practice id -> {(category_code, subcategory): (relation, mismatch ids)}
PRACTICE_LINKS = {
    "rater_a": {"ALP-01": {("TM", "Versioning"): ("prevents", "M01-01")},
                "ALP-02": {("TM", "API/Specifications"): ("informs", "")},
                "BET-M1": {("OE", "Runtime Metrics and Data"): ("detects", "")},
                "BET-D1": {("TD", "Versioning"): ("prevents", ""), ("TM", "Versioning"): ("informs", "")}},
    "rater_b": {"ALP-01": {("TM", "Versioning"): ("prevents", "")},
                "ALP-02": {("TM", "API/Specifications"): ("informs", ""), ("TM", "Versioning"): ("informs", "")},
                "BET-M1": {("OE", "Runtime Metrics and Data"): ("detects", "M02-03")},
                "BET-D1": {("TD", "Versioning"): ("prevents", "")}},
}
#: (practice, category_code, subcategory) -> decision for the disagreements of PRACTICE_LINKS
PRACTICE_DECISIONS = {("ALP-02", "TM", "Versioning"): 0, ("BET-D1", "TM", "Versioning"): 1}


def coding_load_error(path: Path) -> str:
    """The message of the InputError that loading the coding workbook at ``path`` raises (checked to be one line)."""
    import pytest

    from mlmismatch.study import coding

    with pytest.raises(InputError) as info:
        coding.load_coding(path=path)
    message = str(info.value)
    assert "\n" not in message
    return message


def practice_codebook():
    import pandas as pd

    return pd.DataFrame(PRACTICE_CODEBOOK, columns=["category_code", "category", "subcategory", "description"])


def _write_csv(path: Path, header, rows) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def rating_rows(links: dict, practices=None, codebook=None) -> list[list[str]]:
    """Complete long-form rating rows (every practice x every subcategory) from ``links``."""
    practices = PRACTICE_ROWS if practices is None else practices
    codebook = PRACTICE_CODEBOOK if codebook is None else codebook
    rows = []
    for p in practices:
        for code, _cat, s, _d in codebook:
            hit = links.get(p[0], {}).get((code, s))
            if hit:
                rows.append([p[0], code, s, "1", hit[0], f"{p[0]} {hit[0]} {s} (a reason).", hit[1]])
            else:
                rows.append([p[0], code, s, "0", "", "", ""])
    return rows


def build_practice_corpus(directory: Path, *, sources=None, practices=None, links=None, decisions=None,
                          ratings=None, adjudication=None, relation_adjudication=None, mutate=None) -> Path:
    """Write a small data/practices folder and return it.

    Defaults: :data:`PRACTICE_SOURCES`, :data:`PRACTICE_ROWS`, :data:`PRACTICE_LINKS` (two raters who
    disagree on two cells) and :data:`PRACTICE_DECISIONS`. ``ratings``: {rater: rows} to write rows
    as given; ``adjudication``: rows as given; ``relation_adjudication``: rows of the optional
    relation_adjudication.csv (not written when None); ``mutate(directory)``: last changes to the files.
    """
    from mlmismatch.mapping.practices import corpus as pc

    directory = Path(directory)
    sources = PRACTICE_SOURCES if sources is None else sources
    practices = PRACTICE_ROWS if practices is None else practices
    links = PRACTICE_LINKS if links is None else links
    decisions = PRACTICE_DECISIONS if decisions is None else decisions
    _write_csv(directory / pc.SOURCES_FILE, pc.SOURCE_COLUMNS, sources)
    _write_csv(directory / pc.PRACTICES_FILE, pc.PRACTICE_COLUMNS, practices)
    written = {}
    for rater in pc.RATERS:
        rows = (ratings or {}).get(rater) or rating_rows(links.get(rater, {}), practices)
        written[rater] = rows
        _write_csv(directory / pc.RATINGS_DIR / f"{rater}.csv", pc.RATING_COLUMNS, rows)
    if adjudication is None:
        la = {(r[0], r[1], r[2]): r[3] for r in written["rater_a"]}
        adjudication = []
        for r in written["rater_b"]:
            k = (r[0], r[1], r[2])
            if k in la and la[k] != r[3]:
                d = decisions.get(k, 1)
                adjudication.append([*k, la[k], r[3], str(d), "informs" if d else "", "Rule 2 of the link codebook."])
    _write_csv(directory / pc.ADJUDICATION_FILE, pc.ADJUDICATION_COLUMNS, adjudication)
    if relation_adjudication is not None:
        _write_csv(directory / pc.RELATION_ADJUDICATION_FILE, pc.RELATION_ADJUDICATION_COLUMNS, relation_adjudication)
    if mutate is not None:
        mutate(directory)
    return directory
