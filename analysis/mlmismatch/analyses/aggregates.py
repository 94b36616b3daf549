"""The study's aggregates that ship inside the package, recomputed from the workbooks.

``mlmismatch check`` ranks a system's information gaps by how often the study coded each
subcategory and how important survey respondents rated it. So that ``check`` needs neither the
workbooks nor pandas, those two small tables ship in the package (``data/aggregates/``). They are
never typed by hand: :func:`aggregates` computes them from the loaded study, ``mlmismatch data
aggregates`` writes them, and ``reproduce`` recomputes them and compares them with the packaged
copies (a test fails when they are stale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.analyses.categories import subcategory_counts
from mlmismatch.analyses.survey_stats import TABLE2_COLUMNS, important_by_role

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: file name -> columns (contract of the packaged files).
FILES = {
    "subcategory_instances.csv": ["category_code", "category", "subcategory", "n_instances"],
    "important_by_role.csv": TABLE2_COLUMNS,
}


def aggregates(coding, survey) -> dict[str, "pd.DataFrame"]:
    """``{file name: table}``: coded instances per subcategory (codebook order) and Table II (long)."""
    counts = subcategory_counts(coding.instances, coding.codebook, sort=False)
    codes = dict(zip(coding.codebook["subcategory"] + "|" + coding.codebook["category"].astype(str),
                     coding.codebook["category_code"]))
    counts.insert(0, "category_code", [codes[f"{s}|{c}"] for c, s in zip(counts["category"], counts["subcategory"])])
    table2 = important_by_role(survey.responses, survey.items)
    return {"subcategory_instances.csv": counts[FILES["subcategory_instances.csv"]],
            "important_by_role.csv": table2[FILES["important_by_role.csv"]]}


def to_csv(df: "pd.DataFrame") -> str:
    """The packaged form: CSV with LF line endings, no index."""
    return df.to_csv(index=False, lineterminator="\n")


def stale(tables: dict[str, "pd.DataFrame"]) -> list[str]:
    """Packaged aggregate files that are missing or differ from ``tables`` (empty: up to date)."""
    from mlmismatch.core import resources

    out = []
    for name, df in tables.items():
        path = resources.path("data", "aggregates", name)
        if not path.is_file() or path.read_text(encoding="utf-8") != to_csv(df):
            out.append(name)
    return out
