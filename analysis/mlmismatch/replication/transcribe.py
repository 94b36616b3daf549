"""Re-measure Fig. 5 of the paper from the PDF's vector drawing (the transcription, rerunnable).

Fig. 5 prints no numbers: it is a diverging stacked bar chart of the answer counts. Its bars are
filled rectangles in the PDF; :func:`fig5_bars` reads them with pdfplumber, takes the scale from
the chart's vertical gridlines and their tick labels (-20 ... 40), the answer of each colour from the
legend swatches, and the row from the nearest row label (``DE: Programming Language`` ...). A count
is the bar's width divided by the width of one respondent. The transcription in
``paper/published/claims.csv`` (the ``fig5.*`` rows) is what this gives, rounded; a test compares them
whenever the paper is available (the ``paper`` source, pinned by SHA-256 in ``data/sources.toml``).

Run it as a script to print the measured bars as CSV::

    python -m mlmismatch.replication.transcribe [path/to/WAIN_2021_ML_Mismatch.pdf]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FIG5_CAPTION = "Fig. 5: Survey Responses"
LEGEND = ("Not Important", "Somewhat Important", "Important", "Very Important")
ROW_RE = re.compile(r"\b(DE|OD|OE|RD|TP|TM|TD): .+$")
COLUMNS = ["row", "answer", "x0", "x1", "width_pt", "count", "rounded", "off"]


def _find_page(pdf):
    for page in pdf.pages:
        if FIG5_CAPTION in (page.extract_text() or ""):
            return page
    return None


def fig5_bars(path: str | Path) -> "pd.DataFrame":
    """Every bar of Fig. 5: ``row, answer, x0, x1, width_pt, count`` (width / respondent width),
    ``rounded`` and ``off`` (distance to the nearest integer). Absent bars are rows with count 0."""
    import pandas as pd

    try:
        import pdfplumber
    except ImportError:  # a development dependency (the `dev` extra)
        raise InputError("reading the PDF needs pdfplumber", Location(file=Path(path).name),
                         expected="pip install pdfplumber (or the package's dev extra)") from None
    path = Path(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises several types for a file that is not a PDF
        raise InputError(f"not a readable PDF ({exc.__class__.__name__})", Location(file=path.name),
                         expected="the paper's PDF") from None
    with pdf:
        page = _find_page(pdf)
        if page is None:
            raise InputError(f"no page has the caption '{FIG5_CAPTION}'", Location(file=path.name),
                             expected="the WAIN 2021 paper")
        grid = sorted({round(l["x0"], 2) for l in page.lines if abs(l["x0"] - l["x1"]) < 0.01 and l["bottom"] - l["top"] > 100})
        plot_top = min(l["top"] for l in page.lines if round(l["x0"], 2) in grid)
        plot_bottom = max(l["bottom"] for l in page.lines if round(l["x0"], 2) in grid)
        ticks = {}
        for w in page.extract_words():
            if re.fullmatch(r"-?\d+", w["text"]) and plot_bottom < w["top"] < plot_bottom + 15:
                centre = (w["x0"] + w["x1"]) / 2
                x = min(grid, key=lambda g: abs(g - centre))
                if abs(x - centre) < 4:
                    ticks[x] = int(w["text"])
        if len(ticks) < 2:
            raise InputError("Fig. 5's gridlines have no tick labels", Location(file=path.name))
        (xa, va), (xb, vb) = min(ticks.items()), max(ticks.items())
        unit = (xb - xa) / (vb - va)
        zero = xa - va * unit
        # legend: a coloured swatch just left of each answer label, below the axis
        lines = page.crop((page.bbox[0], plot_bottom + 10, page.bbox[2], plot_bottom + 40)).extract_words(keep_blank_chars=True)
        text = " ".join(w["text"] for w in lines)
        colour_of = {}
        swatches = [r for r in page.rects if r["top"] > plot_bottom + 5 and r["bottom"] < plot_bottom + 45 and r.get("fill")]
        label_spans = _legend_spans(lines)
        for answer, (x0, _x1) in label_spans.items():
            left = [r for r in swatches if r["x1"] <= x0 + 1]
            if left:
                colour_of[_colour(max(left, key=lambda r: r["x1"]))] = answer
        if set(colour_of.values()) != set(LEGEND):
            raise InputError(f"Fig. 5's legend not understood (found {sorted(set(colour_of.values()))} in '{text}')",
                             Location(file=path.name))
        rows = []
        for line in page.crop((page.bbox[0], plot_top - 5, zero - 1, plot_bottom)).extract_text_lines():
            m = ROW_RE.search(line["text"])
            if m and line["x1"] > zero - 120:
                rows.append((m.group(0).strip(), (line["top"] + line["bottom"]) / 2))
        out = []
        seen = set()
        for r in page.rects:
            colour = _colour(r)
            if colour not in colour_of or not (plot_top <= r["top"] <= plot_bottom) or not r.get("fill"):
                continue
            centre = (r["top"] + r["bottom"]) / 2
            label = min(rows, key=lambda lr: abs(lr[1] - centre))[0]
            width = r["x1"] - r["x0"]
            count = width / unit
            out.append({"row": label, "answer": colour_of[colour], "x0": round(r["x0"], 2), "x1": round(r["x1"], 2),
                        "width_pt": round(width, 3), "count": round(count, 3), "rounded": int(round(count)),
                        "off": round(abs(count - round(count)), 3)})
            seen.add((label, colour_of[colour]))
        for label, _y in rows:
            for answer in LEGEND:
                if (label, answer) not in seen:
                    out.append({"row": label, "answer": answer, "x0": None, "x1": None, "width_pt": 0.0, "count": 0.0,
                                "rounded": 0, "off": 0.0})
    order = {label: i for i, (label, _y) in enumerate(rows)}
    df = pd.DataFrame(out, columns=COLUMNS)
    df["_r"], df["_a"] = df["row"].map(order), df["answer"].map(LEGEND.index)
    return df.sort_values(["_r", "_a"]).drop(columns=["_r", "_a"]).reset_index(drop=True)


def _colour(rect: dict) -> tuple:
    """A rectangle's fill colour as a tuple: pdfplumber gives a tuple for RGB or CMYK fills and a bare
    number for a grey one (a white page background, say)."""
    value = rect.get("non_stroking_color")
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _legend_spans(words: list[dict]) -> dict[str, tuple[float, float]]:
    """Answer label -> (x0, x1) from the legend's words (multi-word labels joined)."""
    spans: dict[str, tuple[float, float]] = {}
    words = sorted(words, key=lambda w: w["x0"])
    i = 0
    while i < len(words):
        for answer in sorted(LEGEND, key=len, reverse=True):
            parts = answer.split()
            chunk = words[i:i + len(parts)]
            if [w["text"].strip() for w in chunk] == parts:
                spans[answer] = (chunk[0]["x0"], chunk[-1]["x1"])
                i += len(parts) - 1
                break
            if words[i]["text"].strip() == answer:
                spans[answer] = (words[i]["x0"], words[i]["x1"])
                break
        i += 1
    return spans


def compare_with_claims(bars: "pd.DataFrame", claims=None) -> "pd.DataFrame":
    """The measured bars beside the transcribed ``fig5.*`` claims: ``claim_id, row, answer, published,
    measured, rounded, agrees``."""
    import pandas as pd

    from mlmismatch.replication.claims import load_claims

    claims = claims if claims is not None else load_claims()
    by = {(r.row, r.answer): r for r in bars.itertuples(index=False)}
    rows = []
    for c in claims:
        if not c.claim_id.startswith("fig5."):
            continue
        m = re.search(r"row '(.+)', (.+) bar", c.location)
        key = (m.group(1), m.group(2)) if m else ("", "")
        bar = by.get(key)
        rows.append({"claim_id": c.claim_id, "row": key[0], "answer": key[1], "published": int(c.published),
                     "measured": bar.count if bar is not None else None,
                     "rounded": bar.rounded if bar is not None else None,
                     "agrees": bar is not None and bar.rounded == int(c.published)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    from mlmismatch.sources import Store

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        path = Path(argv[0]) if argv else Store().path("paper")
        bars = fig5_bars(path)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bars.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
