"""Write one table three ways: CSV (data), Markdown (README/report) and LaTeX (papers).

Markdown uses pandas' ``to_markdown`` (tabulate) and LaTeX pandas' ``Styler.to_latex`` (jinja2),
with booktabs rules; both are deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    return df.to_markdown(index=False, floatfmt=floatfmt) + "\n"


def _latex_escape(value: object) -> str:
    text = str(value)
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
        text = text.replace(a, b)
    return text


def to_latex(df: "pd.DataFrame", caption: str | None = None, label: str | None = None, precision: int = 1) -> str:
    styler = df.style.hide(axis="index").format(precision=precision, escape="latex")
    styler = styler.format_index(escape="latex", axis=1)
    return styler.to_latex(caption=_latex_escape(caption) if caption else None, label=label, hrules=True,
                           position_float="centering", environment="table") 


def write_table(ctx, stem: str, df: "pd.DataFrame", caption: str | None = None, csv: bool = True) -> None:
    """Write ``stem.csv``, ``stem.md`` and ``stem.tex`` through the reproduce context."""
    if csv:
        ctx.write_csv(f"{stem}.csv", df)
    md = (f"{caption}\n\n" if caption else "") + to_markdown(df)
    ctx.write_text(f"{stem}.md", md)
    label = "tab:" + stem.rsplit("/", 1)[-1].replace("_", "-")
    ctx.write_text(f"{stem}.tex", to_latex(df, caption=caption, label=label))
