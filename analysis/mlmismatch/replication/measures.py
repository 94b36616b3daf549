"""Measure-sensitivity of the qualitative survey statements.

"Rated most important", "least important", "rated higher by software engineers": each can be read
with more than one measure of the same answers (:data:`~mlmismatch.replication.claims.MEASURE_OPTIONS`):
the share answering Important or Very Important (the only one Table II prints, so the only one
the paper's per-role statements can be checked against in the paper itself), the share answering
Very Important, the mean rating. :func:`measure_sensitivity` evaluates every such claim under every
measure. The claim's status keeps the measure its args name (the paper's wording: the measure the
statement names, else Table II's); the table states whether the verdict depends on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.replication.claims import (MEASURE_LABELS, MEASURE_OPTIONS, Claim, InputError, Labels, NotReproducible,
                                           Outcome, Tables, compute, labels_match)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

COLUMNS = ["claim_id", "scope", "published", "measure", "measure_description", "used_for_status", "recomputed",
           "holds"]


def verdicts(claim: Claim, tables: Tables) -> list[dict]:
    rows = []
    for m in MEASURE_OPTIONS.get(claim.computation, ()):
        c = claim.with_args(measure=m)
        try:
            res = compute(c, tables)
        except (NotReproducible, InputError):
            continue
        if not isinstance(res, Labels):
            continue
        rows.append({"claim_id": claim.claim_id, "scope": claim.scope, "published": claim.published, "measure": m,
                     "measure_description": MEASURE_LABELS[m], "used_for_status": m == claim.args.get("measure"),
                     "recomputed": "; ".join(res.labels), "holds": labels_match(c, res)})
    return rows


def measure_sensitivity(claims: list[Claim], tables: Tables) -> "pd.DataFrame":
    """One row per qualitative survey claim and measure: ``claim_id, scope, published, measure,
    measure_description, used_for_status, recomputed, holds``."""
    import pandas as pd

    rows = [r for c in claims if c.computation in MEASURE_OPTIONS for r in verdicts(c, tables)]
    return pd.DataFrame(rows, columns=COLUMNS)


def annotate(outcomes: list[Outcome], table: "pd.DataFrame") -> None:
    """Add to each claim's note whether its verdict depends on the measure."""
    by = {cid: g for cid, g in table.groupby("claim_id", sort=False)}
    for o in outcomes:
        g = by.get(o.claim.claim_id)
        if g is None or g["holds"].nunique() < 2:
            continue
        yes = [MEASURE_LABELS[m] for m, h in zip(g["measure"], g["holds"]) if h]
        no = [MEASURE_LABELS[m] for m, h in zip(g["measure"], g["holds"]) if not h]
        o.note += f"; depends on the measure: holds by {', '.join(yes)}; not by {', '.join(no)}"
