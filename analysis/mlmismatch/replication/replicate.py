"""The whole replication in one call: claims, the workbooks' evidence, the hypothesis search, measures.

:func:`replicate` returns plain tables (so that ``reproduce`` can compute them in a child process
while other steps run):

``results``
    ``paper/generated/claims.csv`` (:data:`~mlmismatch.replication.claims.RESULT_COLUMNS`), each
    differing claim with its ``cause``.
``causes``
    the causes table (:data:`~mlmismatch.replication.hypotheses.CAUSE_COLUMNS`).
``search``
    every (hypothesis, scope) that explained at least one differing claim, accepted or not, and why not.
``unexplained``
    the differing claims no hypothesis explains, with what was tried.
``crosscheck``
    the workbooks' own aggregates beside the data and the paper (:mod:`.crosscheck`).
``measures``
    the qualitative survey claims under every measure (:mod:`.measures`).
``hypotheses``
    how many hypotheses of each family were searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlmismatch.replication import claims as cl

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Said in the report and the cross-check when the survey workbook read is not the published file.
CHARTS_DROPPED = ("this copy of the survey workbook has no charts (the redacted copy drops them); the chart caches "
                  "of Figs. 4-5 need the published file {url} (SHA-256 {sha})")


@dataclass
class Replication:
    results: "pd.DataFrame"
    causes: "pd.DataFrame"
    search: "pd.DataFrame"
    unexplained: "pd.DataFrame"
    crosscheck: "pd.DataFrame"
    measures: "pd.DataFrame"
    hypotheses: dict[str, int]


def replicate(tables: cl.Tables, *, claims_file: str | Path | None = None, coding_path: str | Path | None = None,
              survey_path: str | Path | None = None, charts_note: str = "") -> Replication:
    """Evaluate every claim, read the workbooks' evidence, search the hypotheses, assign causes."""
    from mlmismatch.replication import crosscheck, hypotheses, measures

    path = Path(claims_file) if claims_file is not None else cl.claims_path()
    claims = cl.load_claims(path)
    outcomes = cl.evaluate_outcomes(claims, tables, file=path.name)
    check = crosscheck.crosscheck(tables, cl.outcomes_table(outcomes), claims=claims, coding_path=coding_path,
                                  survey_path=survey_path, survey_has_charts_note=charts_note)
    found = hypotheses.search(outcomes, tables, file=path.name, evidence=crosscheck.evidence(check))
    found.assign_causes(outcomes)
    sens = measures.measure_sensitivity(claims, tables)  # without the survey: an empty table (each claim not reproducible)
    measures.annotate(outcomes, sens)
    return Replication(results=cl.outcomes_table(outcomes), causes=found.causes_table(), search=found.search_table(),
                       unexplained=found.unexplained_table(outcomes), crosscheck=check, measures=sens,
                       hypotheses=dict(found.n_hypotheses))


def reproduce_claims(tables: cl.Tables, path: str | Path | None = None, **paths) -> "pd.DataFrame":
    """The published claims beside the recomputed values, each differing claim with its cause.

    Loads ``claims.csv`` (default: the project's transcription), evaluates it against ``tables``
    (:class:`~mlmismatch.replication.claims.Tables`) and runs the hypothesis search; ``paths``
    (``coding_path``, ``survey_path``) let the workbooks' own evidence count. Returns the table of
    :data:`~mlmismatch.replication.claims.RESULT_COLUMNS`; a status is never changed by a cause.

    Examples
    --------
    >>> from mlmismatch.replication.claims import Tables
    >>> from mlmismatch import load_coding, load_survey
    >>> res = reproduce_claims(Tables(coding=load_coding(), survey=load_survey()))  # doctest: +SKIP
    >>> res.set_index("claim_id").loc["fig3.operational_environment.computing_resources.share", "cause"]  # doctest: +SKIP
    'C1'
    """
    return replicate(tables, claims_file=path, **paths).results


def summary(results: "pd.DataFrame", causes: "pd.DataFrame") -> dict[str, int]:
    """Rows, distinct quantities, kinds, statuses and causes, for the report's first lines."""
    differs = results[results["status"] == "differs"]
    return {
        "rows": len(results), "quantities": int(results["quantity"].nunique()),
        "printed": int((results["kind"] == "printed").sum()),
        "read_from_figure": int((results["kind"] == "read_from_figure").sum()),
        "inferred": int((results["kind"] == "inferred").sum()),
        "reproduced": int((results["status"] == "reproduced").sum()), "differs": len(differs),
        "not_reproducible": int((results["status"] == "not_reproducible").sum()),
        "differing_quantities": int(differs["quantity"].nunique()),
        "causes": len(causes), "explained": int((differs["cause"] != "unexplained").sum()),
        "unexplained": int((differs["cause"] == "unexplained").sum()),
    }
