"""The workbooks' own summaries: pivot tables on their summary sheets, and the caches of their charts.

Both workbooks carry the authors' own aggregates next to the raw data. The survey workbook has a
sheet per figure (``Pie Chart - Affiliation``, ``Pie Chart - Primary Role``, ``Chart - All
Responses`` for Fig. 5, ``Table - Questions by Role`` for Table II); both workbooks have Excel
charts whose XML (``xl/charts/chartN.xml`` inside the xlsx) keeps the plotted values
(``numCache``/``strCache``) and the data-label settings (``showPercent``, ``showVal``, the number
format). :mod:`mlmismatch.replication.crosscheck` sets them beside the recomputed values and the paper.

Privacy: only the summary sheets named in :data:`SURVEY_SUMMARY_SHEETS` are read, and on them only
the labelled aggregate tables (a pivot's ``Row Labels`` block, a figure's count table). The raw
response sheets, the ``ID`` column of ``Formatted for Pivot`` and the free-text sheets are never
opened. A chart cache holds category labels and numbers only.

The redacted survey copy used in CI has its charts dropped, so its chart caches come back empty;
:func:`chart_caches` then returns ``[]`` and the report says that the chart evidence needs the
published file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mlmismatch.core.errors import InputError, Location
from mlmismatch.core.text import clean

#: Survey summary sheets read (never any other sheet of the survey workbook).
SURVEY_SUMMARY_SHEETS = ("Pie Chart - Affiliation", "Pie Chart - Primary Role", "Pie Chart - Tot Yrs of Exp",
                         "Pie Chart - Yrs Exp in Role", "Chart - All Responses", "Table - Questions by Role")
_NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
       "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
#: A chart larger than this is not parsed (a guard against a crafted file).
MAX_CHART_BYTES = 5 * 1024 * 1024


@dataclass
class Chart:
    """One chart's cache: what it plots and how it labels it."""

    part: str  # xl/charts/chart5.xml
    kind: str  # pieChart, barChart, ...
    title: str
    source: str  # the cell range of the values, e.g. 'Interview Statistics'!$AD$29:$AD$34
    pivot: str  # the pivot table it is drawn from, if any
    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    show_percent: bool = False
    show_value: bool = False
    number_format: str = ""  # the data labels' format code; "" = the default (0% for percentages)

    @property
    def label_rule(self) -> str:
        """How the chart labels its slices: ``percent`` (Excel's percentage labels, forced to add up
        to 100 % at 0 decimals), ``value`` or ``none``."""
        return "percent" if self.show_percent else "value" if self.show_value else "none"


def _text(node) -> str:
    return "".join(t.text or "" for t in node.iter(f"{{{_NS['a']}}}t")) if node is not None else ""


def chart_caches(path: str | Path) -> list[Chart]:
    """Every chart in the xlsx at ``path`` with its cached labels and values (``[]`` if it has none).

    The archive and each chart part go through the same bounded readers as the workbook itself
    (:mod:`mlmismatch.core.inputs`: regular file, zip limits, defused and size-limited XML)."""
    from mlmismatch.core import inputs

    path = Path(path)
    what = "an Excel workbook (.xlsx)"
    zf = inputs.open_zip(path, what, not_zip="not an xlsx file")
    charts = []
    try:
        names = sorted((n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
                       key=lambda n: int(re.search(r"(\d+)", n.rsplit("/", 1)[-1]).group(1)))
        for name in names:
            data = inputs.read_member(zf, name, path, "a chart part of " + what, max_bytes=MAX_CHART_BYTES)
            root = inputs.parse_xml(data, inputs.member_location(path, name).file, "a chart part (XML)")
            charts.append(_parse_chart(name, root))
    finally:
        inputs.close_zip(zf)
    return charts


def _parse_chart(name: str, root) -> Chart:
    c = _NS["c"]
    plot = root.find(f".//{{{c}}}plotArea")
    kind = ""
    if plot is not None:
        for child in plot:
            tag = child.tag.split("}", 1)[-1]
            if tag.endswith("Chart"):
                kind = tag
                break
    title = _text(root.find(f".//{{{c}}}title"))
    pivot = root.findtext(f".//{{{c}}}pivotSource/{{{c}}}name") or ""
    ser = root.find(f".//{{{c}}}ser")
    labels, values, source = [], [], ""
    if ser is not None:
        cat = ser.find(f"{{{c}}}cat")
        if cat is not None:
            labels = [p.findtext(f"{{{c}}}v") or "" for p in cat.iter(f"{{{c}}}pt")]
        val = ser.find(f"{{{c}}}val")
        if val is not None:
            source = val.findtext(f".//{{{c}}}f") or ""
            for p in val.iter(f"{{{c}}}pt"):
                try:
                    values.append(float(p.findtext(f"{{{c}}}v") or "nan"))
                except ValueError:
                    values.append(float("nan"))
    dl = root.find(f".//{{{c}}}ser/{{{c}}}dLbls")
    if dl is None:
        dl = root.find(f".//{{{c}}}dLbls")

    def flag(tag: str) -> bool:
        node = dl.find(f"{{{c}}}{tag}") if dl is not None else None
        return node is not None and node.get("val") in ("1", "true")

    fmt = dl.find(f"{{{c}}}numFmt") if dl is not None else None
    return Chart(part=name, kind=kind, title=title, source=source, pivot=pivot, labels=labels, values=values,
                 show_percent=flag("showPercent"), show_value=flag("showVal"),
                 number_format=fmt.get("formatCode", "") if fmt is not None else "")


# --------------------------------------------------------------------------------------------
# Summary sheets of the survey workbook
# --------------------------------------------------------------------------------------------
@dataclass
class SummaryTable:
    """A labelled block of a summary sheet: ``rows`` of (label, value) or a wide table."""

    sheet: str
    cell: str  # the header cell, e.g. C28
    header: str
    rows: list[tuple[str, object]]


def _col(i: int) -> str:
    from mlmismatch.core.errors import column_letter

    return column_letter(i + 1)


def _padded(wb, name: str) -> list[tuple]:
    """The rows of a sheet (read within the workbook's limits), padded to one width."""
    rows = wb.rows(name)
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


def survey_summaries(path: str | Path) -> dict[str, list[SummaryTable]]:
    """The labelled two-column blocks of the survey's summary sheets: sheet -> blocks.

    A block starts at a cell reading ``Row Labels`` or ``Role with Operations + Other`` and runs down
    its column and the next until a blank label or ``Grand Total`` (included).
    """
    from mlmismatch.study.workbook import open_workbook

    wb = open_workbook(Path(path), what="the survey workbook (.xlsx)")
    out: dict[str, list[SummaryTable]] = {}
    try:
        for sheet in SURVEY_SUMMARY_SHEETS:
            if sheet not in wb.sheetnames or sheet.startswith("Chart") or sheet.startswith("Table"):
                continue
            rows = _padded(wb, sheet)
            blocks = []
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    head = clean(cell)
                    if head not in ("Row Labels", "Role with Operations + Other"):
                        continue
                    header = clean(row[c + 1]) if c + 1 < len(row) else ""
                    body = []
                    for below in rows[r + 1:]:
                        label = clean(below[c]) if c < len(below) else ""
                        value = below[c + 1] if c + 1 < len(below) else None
                        if not label and value is None:
                            break
                        body.append((label, value))
                        if label == "Grand Total" or label == "Role with Operations + Other":
                            break
                    blocks.append(SummaryTable(sheet, f"{_col(c)}{r + 1}", header, body))
            out[sheet] = blocks
        out.update(_wide_tables(wb))
    finally:
        wb.close()
    return out


def _wide_tables(wb) -> dict[str, list[SummaryTable]]:
    """``Chart - All Responses`` (answer counts per question id, Fig. 5) and ``Table - Questions by
    Role`` (VI+I and % per paper label and role, Table II), as rows of (label, tuple of values)."""
    out: dict[str, list[SummaryTable]] = {}
    name = "Chart - All Responses"
    if name in wb.sheetnames:
        rows = _padded(wb, name)
        for r, row in enumerate(rows):
            if clean(row[0]) == "Response" and len(row) > 1 and clean(row[1]).startswith("Q"):
                ids = [clean(x) for x in row[1:]]
                body = []
                for below in rows[r + 1:]:
                    label = clean(below[0])
                    if not label or label == "TOTAL":
                        break
                    body.append((label, tuple(below[1:1 + len(ids)])))
                out[name] = [SummaryTable(name, f"A{r + 1}", ",".join(ids), body)]
                break
    name = "Table - Questions by Role"
    if name in wb.sheetnames:
        rows = _padded(wb, name)
        for r, row in enumerate(rows):
            cells = [clean(x) for x in row[:8]]
            if "Data Science" in cells and "Software Engineering" in cells:
                groups = [x for x in cells if x]
                body = []
                for below in rows[r + 2:]:
                    label = clean(below[1]) if len(below) > 1 else ""
                    if not label:
                        break
                    body.append((label, tuple(below[2:8])))
                out[name] = [SummaryTable(name, f"B{r + 1}", ",".join(groups), body)]
                break
    return out
