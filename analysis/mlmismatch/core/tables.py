"""Write one table three ways: CSV (data), Markdown (README/report) and LaTeX (papers).

Markdown uses pandas' ``to_markdown`` (tabulate) and LaTeX pandas' ``Styler.to_latex`` (jinja2),
with booktabs rules; both are deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.text import latex_escape, md_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def round_floats(df: "pd.DataFrame", digits: int = 2) -> "pd.DataFrame":
    """A copy of ``df`` with every float column rounded (rounding happens only when writing)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].round(digits)
    return out


def to_markdown(df: "pd.DataFrame", floatfmt: str = ".1f") -> str:
    """An aligned Markdown table (tabulate through pandas), for the committed tables."""
    return df.to_markdown(index=False, floatfmt=floatfmt) + "\n"


def md_table(df: "pd.DataFrame", bold_status: bool = False) -> str:
    """A compact Markdown pipe table, every cell one line with ``|`` escaped (reports and READMEs).

    With ``bold_status`` a ``status`` cell other than ``reproduced`` is set in bold.
    """
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(cols, row):
            cell = md_cell(v)
            if bold_status and col == "status" and v != "reproduced":
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_latex(df: "pd.DataFrame", caption: str | None = None, label: str | None = None, precision: int = 1) -> str:
    styler = df.style.hide(axis="index").format(precision=precision, escape="latex")
    styler = styler.format_index(escape="latex", axis=1)
    return styler.to_latex(caption=latex_escape(caption) if caption else None, label=label, hrules=True,
                           position_float="centering", environment="table")
