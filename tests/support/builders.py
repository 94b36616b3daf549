"""Build small workbooks in the study's coding layout for unit tests (openpyxl)."""

from __future__ import annotations

from pathlib import Path

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
