"""The chain practice -> subcategory -> descriptor attribute, and the gap analysis on the accepted matrix.

- :func:`chain`: every accepted link joined with the subcategory's descriptor attributes
  (``data/mapping/subcategory_attributes.csv``): which practice supplies the information each
  attribute records. :func:`practices_by_subcategory` gives the practice ids the derived
  descriptors carry in their trace (:mod:`mlmismatch.mapping.derive`).
- :func:`subcategory_gaps` / :func:`unaddressed_subcategories`: subcategories no practice
  addresses, each with its coded instances and the share of each survey role rating it Important
  or Very Important; :func:`practices_without_link`: practices that address no subcategory.
- :func:`gap_summary`: how much of the coded instances and of each role's importance the addressed
  subcategories carry.
- :func:`sensitivity`: the same per source alone and leaving each source out, i.e. how much each
  conclusion depends on which sources were selected.

Weights come from the packaged aggregates (``data/aggregates/subcategory_instances.csv`` and
``important_by_role.csv``, see :func:`load_weights`), so no workbook is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from mlmismatch.core.labels import subcategory_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.mapping.practices.corpus import PracticeCorpus

CHAIN_COLUMNS = ["practice_id", "source_id", "category_code", "category", "subcategory", "relation", "basis",
                 "descriptor", "path", "status"]


def load_weights() -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """The packaged ``subcategory_instances.csv`` and ``important_by_role.csv`` (strings kept as strings)."""
    import pandas as pd

    from mlmismatch.core import resources

    inst = pd.read_csv(resources.path("data", "aggregates", "subcategory_instances.csv"), dtype={"category_code": str})
    imp = pd.read_csv(resources.path("data", "aggregates", "important_by_role.csv"))
    return inst, imp


def chain(corpus: "PracticeCorpus", attributes: "pd.DataFrame") -> "pd.DataFrame":
    """Accepted links x the subcategory's attributes (``CHAIN_COLUMNS``; ``status`` of the attribute row:
    ``published``, ``proposed`` or ``none``, with empty descriptor and path for ``none``)."""
    import pandas as pd

    attrs = attributes[["category_code", "subcategory", "descriptor", "path", "status"]].copy()
    attrs["subcategory"] = attrs["subcategory"].astype(str).str.strip()
    acc = corpus.accepted[["practice_id", "source_id", "category_code", "category", "subcategory", "relation", "basis"]]
    out = acc.merge(attrs, on=["category_code", "subcategory"], how="left", sort=False)
    out[["descriptor", "path"]] = out[["descriptor", "path"]].fillna("")
    out["status"] = out["status"].fillna("none")
    return pd.DataFrame(out, columns=CHAIN_COLUMNS).reset_index(drop=True)


def attribute_practices(chain_table: "pd.DataFrame") -> "pd.DataFrame":
    """Per descriptor attribute: the practices (and their sources) that supply its information."""
    import pandas as pd

    c = chain_table[chain_table["descriptor"] != ""]
    rows = []
    for (d, p), g in c.groupby(["descriptor", "path"], sort=False):
        ids = list(dict.fromkeys(g["practice_id"]))
        rows.append({"descriptor": d, "path": p, "status": g["status"].iloc[0],
                     "subcategories": ";".join(dict.fromkeys(subcategory_label(x, s) for x, s in
                                                              zip(g["category_code"], g["subcategory"]))),
                     "n_practices": len(ids), "n_sources": g["source_id"].nunique(), "practice_ids": ";".join(ids)})
    return pd.DataFrame(rows, columns=["descriptor", "path", "status", "subcategories", "n_practices", "n_sources",
                                       "practice_ids"])


def practices_by_subcategory(corpus: "PracticeCorpus") -> dict[tuple[str, str], list[str]]:
    """(category, subcategory) -> ids of the practices accepted as addressing it (practices.csv order)."""
    out: dict[tuple[str, str], list[str]] = {}
    for pid, cat, s in zip(corpus.accepted["practice_id"], corpus.accepted["category"], corpus.accepted["subcategory"]):
        out.setdefault((str(cat), str(s)), []).append(str(pid))
    return out


def _role_weights(importance: "pd.DataFrame | None") -> "pd.DataFrame | None":
    if importance is None or not len(importance):
        return None
    t = importance.assign(category=importance["category"].astype(str),
                          subcategory=importance["subcategory"].astype(str).str.strip())
    return t.pivot_table(index=["category", "subcategory"], columns="role", values="pct", aggfunc="first")


def subcategory_gaps(corpus: "PracticeCorpus", instances: "pd.DataFrame", importance: "pd.DataFrame | None" = None,
                     practice_ids: Iterable[str] | None = None) -> "pd.DataFrame":
    """Per codebook subcategory: how many accepted practices (of ``practice_ids``, default all) and
    sources address it, which, its coded instances and each role's Important/Very Important share."""
    import pandas as pd

    acc = corpus.accepted
    if practice_ids is not None:
        acc = acc[acc["practice_id"].isin(set(practice_ids))]
    n_inst = {(str(c), str(s).strip()): int(n) for c, s, n in
              zip(instances["category"], instances["subcategory"], instances["n_instances"])}
    roles = _role_weights(importance)
    by = {k: g for k, g in acc.groupby(["category", "subcategory"], sort=False)}
    rows = []
    for code, cat, s in zip(corpus.codebook["category_code"], corpus.codebook["category"], corpus.codebook["subcategory"]):
        g = by.get((cat, s))
        row = {"category_code": code, "category": cat, "subcategory": s,
               "n_practices": 0 if g is None else len(g), "n_sources": 0 if g is None else int(g["source_id"].nunique()),
               "practice_ids": "" if g is None else ";".join(g["practice_id"]),
               "n_instances": n_inst.get((cat, s), 0)}
        if roles is not None:
            for role in roles.columns:
                v = roles[role].get((cat, s), float("nan"))
                row[f"pct_important_{role}"] = float(v)
        row["addressed"] = row["n_practices"] > 0
        rows.append(row)
    return pd.DataFrame(rows)


def unaddressed_subcategories(gaps: "pd.DataFrame") -> "pd.DataFrame":
    """The rows of :func:`subcategory_gaps` no practice addresses, most coded instances first."""
    out = gaps[~gaps["addressed"]].drop(columns=["n_practices", "n_sources", "practice_ids", "addressed"])
    return out.sort_values("n_instances", ascending=False, kind="stable").reset_index(drop=True)


def practices_without_link(corpus: "PracticeCorpus") -> "pd.DataFrame":
    """Practices that address no subcategory in the accepted matrix, with each rater's number of links."""
    import pandas as pd

    linked = set(corpus.accepted["practice_id"])
    r = corpus.ratings
    n = r.groupby(["rater", "practice_id"])["link"].sum()
    rows = [{"practice_id": pid, "source_id": sid, "title": t, "links_rater_a": int(n.get(("rater_a", pid), 0)),
             "links_rater_b": int(n.get(("rater_b", pid), 0))}
            for pid, sid, t in zip(corpus.practices["practice_id"], corpus.practices["source_id"],
                                   corpus.practices["title"]) if pid not in linked]
    return pd.DataFrame(rows, columns=["practice_id", "source_id", "title", "links_rater_a", "links_rater_b"])


def _summary_row(gaps: "pd.DataFrame") -> dict:
    total = gaps["n_instances"].sum()
    row = {"n_subcategories": len(gaps), "n_addressed": int(gaps["addressed"].sum()),
           "n_unaddressed": int((~gaps["addressed"]).sum()),
           "pct_instances_addressed": 100.0 * gaps.loc[gaps["addressed"], "n_instances"].sum() / total
           if total else float("nan")}
    for col in [c for c in gaps.columns if c.startswith("pct_important_")]:
        w = gaps[col].fillna(0)
        row[col.replace("pct_important_", "pct_importance_addressed_")] = \
            100.0 * w[gaps["addressed"]].sum() / w.sum() if w.sum() else float("nan")
    row["unaddressed"] = "; ".join(subcategory_label(c, s) for c, s in
                                   zip(gaps.loc[~gaps["addressed"], "category_code"],
                                       gaps.loc[~gaps["addressed"], "subcategory"]))
    return row


def gap_summary(gaps: "pd.DataFrame") -> "pd.DataFrame":
    """One row: subcategories addressed, the share of coded instances and of each role's importance
    (sum of its Important/Very Important shares) that the addressed subcategories carry."""
    import pandas as pd

    return pd.DataFrame([_summary_row(gaps)])


def sensitivity(corpus: "PracticeCorpus", instances: "pd.DataFrame", importance: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """The gap summary for all practices, for each admitted source alone (``selection='only'``) and
    for all sources but one (``selection='without'``), plus ``n_practices`` in the selection and
    ``n_only_this_source``: subcategories only this source's practices address."""
    import pandas as pd

    practices = corpus.practices
    full = subcategory_gaps(corpus, instances, importance)
    rows = [{"selection": "all", "source_id": "", "n_practices": len(practices), **_summary_row(full),
             "n_only_this_source": float("nan")}]
    for sid in corpus.admitted_sources:
        mine = practices.loc[practices["source_id"] == sid, "practice_id"]
        others = practices.loc[practices["source_id"] != sid, "practice_id"]
        only = subcategory_gaps(corpus, instances, importance, mine)
        without = subcategory_gaps(corpus, instances, importance, others)
        n_unique = int((full["addressed"] & ~without["addressed"]).sum())
        rows.append({"selection": "only", "source_id": sid, "n_practices": len(mine), **_summary_row(only),
                     "n_only_this_source": n_unique})
        rows.append({"selection": "without", "source_id": sid, "n_practices": len(others), **_summary_row(without),
                     "n_only_this_source": n_unique})
    return pd.DataFrame(rows)
