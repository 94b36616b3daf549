"""The study's categorization (paper Figs. 2-3) and more, as pure functions from tables to tables.

All functions take the tidy tables of :mod:`mlmismatch.coding` and return tidy DataFrames:

- :func:`category_counts` — instances per category and share of all instances (Fig. 2);
- :func:`subcategory_counts` — instances per subcategory and share within its category (Fig. 3);
- :func:`mismatches_per_interview`, :func:`pairs_per_mismatch` — the coding's shape;
- :func:`cooccurrence` — how often two categories are coded on the same mismatch.

Shares are percentages with full precision; rounding happens only when a table is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.study.codebook import CATEGORY_CODES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _category_order(instances: "pd.DataFrame") -> list[str]:
    cat = instances["category"]
    if hasattr(cat, "cat"):
        return [c for c in cat.cat.categories]
    known = list(CATEGORY_CODES.values())
    return known + sorted(set(cat) - set(known))


def category_counts(instances: "pd.DataFrame", sort: bool = True) -> "pd.DataFrame":
    """Instances per category (the paper's Fig. 2).

    Parameters
    ----------
    instances
        One row per coded pair, with a ``category`` column (the ``instances`` table of
        :func:`~mlmismatch.study.coding.load_coding`).
    sort
        Sort by count (descending, ties in codebook order); else keep the codebook order.

    Returns
    -------
    pandas.DataFrame
        ``category, category_code, n_instances, share_pct``; every category of the codebook
        appears, with 0 where nothing was coded. Shares are unrounded percentages.

    Examples
    --------
    >>> import pandas as pd
    >>> inst = pd.DataFrame({"category": ["Trained Model", "Trained Model", "Raw Data"]})
    >>> category_counts(inst).head(3)
               category category_code  n_instances  share_pct
    0     Trained Model            TM            2  66.666667
    1          Raw Data            RD            1  33.333333
    2  Task and Purpose            TP            0   0.000000
    """
    import pandas as pd

    order = _category_order(instances)
    counts = instances.groupby(instances["category"].astype(str)).size()
    codes = {name: code for code, name in CATEGORY_CODES.items()}
    if "category_code" in instances:
        codes.update(dict(zip(instances["category"].astype(str), instances["category_code"])))
    total = int(counts.sum())
    df = pd.DataFrame({
        "category": order,
        "category_code": [codes.get(c, "") for c in order],
        "n_instances": [int(counts.get(c, 0)) for c in order],
    })
    df["share_pct"] = 100.0 * df["n_instances"] / total if total else 0.0
    if sort:
        df["_order"] = range(len(df))
        df = df.sort_values(["n_instances", "_order"], ascending=[False, True]).drop(columns="_order")
    return df.reset_index(drop=True)


def subcategory_counts(instances: "pd.DataFrame", codebook: "pd.DataFrame", sort: bool = True) -> "pd.DataFrame":
    """Instances per subcategory (the paper's Fig. 3).

    Parameters
    ----------
    instances
        One row per coded pair, with ``category`` and ``subcategory`` columns.
    codebook
        The codebook (``category, subcategory``); the key is the pair, since names such as
        *Versioning* occur in several categories.
    sort
        Categories by count, subcategories by count within them; else codebook order.

    Returns
    -------
    pandas.DataFrame
        ``category, subcategory, n_instances, share_in_category_pct, share_pct``. Every codebook
        subcategory appears (0 where never coded); ``share_in_category_pct`` is the share within its
        category (what Fig. 3 prints), ``share_pct`` the share of all instances.

    Raises
    ------
    ValueError
        When an instance uses a subcategory the codebook does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> book = pd.DataFrame({"category": ["Trained Model", "Trained Model"], "subcategory": ["Versioning", "API"]})
    >>> inst = pd.DataFrame({"category": ["Trained Model"] * 3, "subcategory": ["API", "API", "Versioning"]})
    >>> subcategory_counts(inst, book)[["subcategory", "n_instances", "share_in_category_pct"]]
      subcategory  n_instances  share_in_category_pct
    0         API            2              66.666667
    1  Versioning            1              33.333333
    """
    counts = instances.groupby([instances["category"].astype(str), "subcategory"]).size()
    df = codebook[["category", "subcategory"]].copy()
    df["category"] = df["category"].astype(str)
    df["n_instances"] = [int(counts.get((c, s), 0)) for c, s in zip(df["category"], df["subcategory"])]
    unknown = set(counts.index) - set(zip(df["category"], df["subcategory"]))
    if unknown:
        raise ValueError(f"instances use subcategories not in the codebook: {sorted(unknown)}")
    per_cat = df.groupby("category")["n_instances"].transform("sum")
    df["share_in_category_pct"] = (100.0 * df["n_instances"] / per_cat.where(per_cat > 0)).fillna(0.0)
    df["share_pct"] = 100.0 * df["n_instances"] / df["n_instances"].sum()
    if sort:
        cat_order = {c: i for i, c in enumerate(category_counts(instances)["category"])}
        df["_cat"] = df["category"].map(cat_order)
        df["_pos"] = range(len(df))
        df = df.sort_values(["_cat", "n_instances", "_pos"], ascending=[True, False, True]).drop(columns=["_cat", "_pos"])
    return df.reset_index(drop=True)


def mismatches_per_interview(mismatches: "pd.DataFrame", instances: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Mismatches (and coded instances) per interview: ``interview, n_mismatches[, n_instances]``.

    Examples
    --------
    >>> import pandas as pd
    >>> mism = pd.DataFrame({"interview": [1, 1, 2]})
    >>> mismatches_per_interview(mism)
       interview  n_mismatches
    0          1             2
    1          2             1
    """
    df = mismatches.groupby("interview").size().rename("n_mismatches").reset_index()
    if instances is not None:
        inst = instances.groupby("interview").size()
        df["n_instances"] = df["interview"].map(inst).fillna(0).astype("int64")
    return df


def pairs_per_mismatch(mismatches: "pd.DataFrame") -> "pd.DataFrame":
    """How many mismatches were coded with 1, 2 or 3 category/subcategory pairs.

    Returns ``n_codes, n_mismatches, share_pct``.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs_per_mismatch(pd.DataFrame({"n_codes": [1, 1, 2, 3]}))
       n_codes  n_mismatches  share_pct
    0        1             2       50.0
    1        2             1       25.0
    2        3             1       25.0
    """
    import pandas as pd

    counts = mismatches["n_codes"].value_counts().reindex([1, 2, 3], fill_value=0)
    df = pd.DataFrame({"n_codes": counts.index.astype("int64"), "n_mismatches": counts.values.astype("int64")})
    df["share_pct"] = 100.0 * df["n_mismatches"] / df["n_mismatches"].sum()
    return df


def cooccurrence(instances: "pd.DataFrame") -> "pd.DataFrame":
    """Category co-occurrence within mismatches (square table, codebook order).

    Cell (A, B), A != B, counts mismatches coded with both A and B; the diagonal counts mismatches
    coded with A at all (a mismatch with two pairs in A counts once).

    Examples
    --------
    >>> import pandas as pd
    >>> inst = pd.DataFrame({"mismatch_id": ["M1", "M1", "M2"],
    ...                      "category": ["Trained Model", "Raw Data", "Trained Model"]})
    >>> int(cooccurrence(inst).loc["Trained Model", "Raw Data"]), int(cooccurrence(inst).loc["Trained Model", "Trained Model"])
    (1, 2)
    """
    import numpy as np
    import pandas as pd

    order = _category_order(instances)
    # presence (mismatch x category, 0/1; a category coded twice in a mismatch counts once), then one product
    col = pd.Categorical(instances["category"].astype(str), categories=order)
    row = pd.factorize(instances["mismatch_id"])[0]
    present = np.zeros((int(row.max()) + 1 if len(row) else 0, len(order)), dtype="int64")
    known = col.codes >= 0
    present[row[known], col.codes[known]] = 1
    mat = pd.DataFrame(present.T @ present, index=pd.Index(order, name="category"), columns=order, dtype="int64")
    return mat


def cooccurrence_long(instances: "pd.DataFrame") -> "pd.DataFrame":
    """The co-occurrence matrix in tidy form: ``category_a, category_b, n_mismatches`` (a <= b)."""
    import numpy as np
    import pandas as pd

    mat = cooccurrence(instances)
    order = list(mat.index)
    i, j = np.triu_indices(len(order))
    return pd.DataFrame({"category_a": [order[k] for k in i], "category_b": [order[k] for k in j],
                         "n_mismatches": mat.to_numpy()[i, j].astype("int64")})


def multi_category_mismatches(instances: "pd.DataFrame") -> "pd.DataFrame":
    """``n_categories, n_mismatches``: mismatches by how many distinct categories they touch."""
    import pandas as pd

    n = instances.groupby("mismatch_id")["category"].nunique()
    counts = n.value_counts().sort_index()
    return pd.DataFrame({"n_categories": counts.index.astype("int64"), "n_mismatches": counts.values.astype("int64")})
