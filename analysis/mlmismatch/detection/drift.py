"""Run-time drift test (Fig. 7 of the paper): training label distribution vs production data.

The Training Data descriptor records the distribution of labels (``distribution[]``: label,
percentage, mapping_production_data). Production data arrives either as a Production Data
descriptor (its ``distribution[]`` percentages, plus the number of observations ``n`` they were
computed from, which the descriptor does not record) or as a CSV of observed values (one
category per row in a column). A chi-square goodness-of-fit test compares the observed production
counts with the counts the training distribution predicts.

Handling of awkward categories:

* a training label is compared under its ``mapping_production_data`` name when one is given;
* **empty** categories (0 % in training and never observed) are dropped;
* **unseen** categories (observed in production, absent or 0 % in training) would make the
  statistic infinite: they get an expected count of ``floor`` observations (0.5 by default, the
  usual pseudo-count) and are listed by name; their presence alone is reported as a reason for
  drift;
* expected counts below 5 make the chi-square approximation unreliable: the result says so.
"""

from __future__ import annotations

import math
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from mlmismatch.core.errors import InputError, Location

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DRIFT_COLUMNS = ["category", "training_pct", "expected", "observed", "production_pct", "change_pp", "contribution",
                 "status"]


@dataclass
class DriftResult:
    statistic: float
    dof: int
    p_value: float
    alpha: float
    n: float
    table: "pd.DataFrame"
    unseen: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        p = _fmt_p(self.p_value)
        if self.drift:
            return f"drift detected: production differs from the training distribution (p = {p} < {self.alpha:g})"
        return f"no evidence of drift (p = {p} >= {self.alpha:g})"

    def movers(self, k: int = 5) -> "pd.DataFrame":
        """The categories that moved most (largest contribution to the statistic)."""
        return self.table.sort_values(["contribution", "category"], ascending=[False, True]).head(k)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict, "drift": self.drift, "statistic": self.statistic, "dof": self.dof,
            "p_value": self.p_value, "alpha": self.alpha, "n": self.n, "unseen": self.unseen,
            "dropped_empty": self.dropped, "notes": self.notes,
            "categories": [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                           for row in self.table.to_dict(orient="records")],
            "movers": list(self.movers()["category"]),
        }


def _fmt_p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"


def training_distribution(td_doc: Mapping, file: str | None = None) -> dict[str, float]:
    """``{production category: percentage}`` from a Training Data descriptor's ``distribution``."""
    dist = td_doc.get("distribution") if isinstance(td_doc, Mapping) else None
    if not isinstance(dist, list) or not dist:
        raise InputError("the Training Data descriptor records no label distribution",
                         Location(file=file, path="$.distribution"), expected="distribution[] with label and percentage")
    out: dict[str, float] = {}
    for i, entry in enumerate(dist):
        where = Location(file=file, path=f"$.distribution[{i}]")
        if not isinstance(entry, Mapping):
            raise InputError("a distribution entry must be an object", where)
        label = str(entry.get("mapping_production_data") or "").strip() or str(entry.get("label") or "").strip()
        pct = entry.get("percentage")
        if not label:
            raise InputError("distribution entry without a label", where)
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not math.isfinite(pct) or pct < 0:
            raise InputError(f"percentage {pct!r} of '{label}'", where, expected="a number >= 0")
        out[label] = out.get(label, 0.0) + float(pct)
    if sum(out.values()) <= 0:
        raise InputError("the training distribution sums to 0 %", Location(file=file, path="$.distribution"))
    return out


def rows_recorded(doc: Mapping) -> float | None:
    """The number of rows a descriptor records as the statistic ``rows`` (``mlmismatch describe`` writes it)."""
    stats = doc.get("statistics") if isinstance(doc, Mapping) else None
    for entry in stats if isinstance(stats, list) else []:
        if isinstance(entry, Mapping) and str(entry.get("property", "")).strip().lower() == "rows":
            try:
                value = float(str(entry.get("value", "")).strip())
            except ValueError:
                return None
            return value if math.isfinite(value) and value > 0 else None
    return None


def counts_from_descriptor(pd_doc: Mapping, n: float | None, file: str | None = None) -> dict[str, float]:
    """Production counts from a Production Data descriptor's percentages and ``n`` observations
    (default: the ``rows`` statistic the descriptor records, when it does)."""
    if n is None:
        n = rows_recorded(pd_doc)
    if n is None or not (n > 0):
        raise InputError("the Production Data descriptor records percentages but not how many observations they "
                         "are of", Location(file=file), expected="--n N with N > 0, or a 'rows' statistic")
    dist = pd_doc.get("distribution") if isinstance(pd_doc, Mapping) else None
    if not isinstance(dist, list) or not dist:
        raise InputError("the Production Data descriptor records no label distribution",
                         Location(file=file, path="$.distribution"))
    out: dict[str, float] = {}
    for i, entry in enumerate(dist):
        where = Location(file=file, path=f"$.distribution[{i}]")
        label = str((entry or {}).get("label") or "").strip() if isinstance(entry, Mapping) else ""
        pct = entry.get("percentage") if isinstance(entry, Mapping) else None
        if not label:
            raise InputError("distribution entry without a label", where)
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not math.isfinite(pct) or pct < 0:
            raise InputError(f"percentage {pct!r} of '{label}'", where, expected="a number >= 0")
        out[label] = out.get(label, 0.0) + float(pct) / 100.0 * n
    return out


def counts_from_csv(path: str | Path, column: str | None = None) -> dict[str, float]:
    """Counts of observed values in one column of a CSV (the only column, or ``column``)."""
    import pandas as pd

    from mlmismatch.core.inputs import read_bytes

    path = Path(path)
    if not os.path.lexists(path):
        raise InputError("file not found", Location(file=path))
    data = read_bytes(path, "a CSV of observed labels")  # a FIFO or a directory: refused, never read; opened once
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError("empty file", Location(file=path),
                         expected="a CSV with a header row and one observed label per row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV ({type(exc).__name__})", Location(file=path)) from None
    if column is None:
        if len(df.columns) != 1:
            raise InputError(f"{len(df.columns)} columns", Location(file=path),
                             expected="--column NAME naming the column of observed values")
        column = df.columns[0]
    if column not in df.columns:
        raise InputError(f"no column '{column}'", Location(file=path), expected="one of " + ", ".join(df.columns))
    values = df[column].map(lambda s: s.strip())
    blank = int((values == "").sum())
    values = values[values != ""]
    if values.empty:
        raise InputError("no observed values", Location(file=path, header=column))
    counts = values.value_counts()
    out = {str(k): float(v) for k, v in counts.items()}
    if blank:
        out["__blank__"] = float(blank)
    return out


def chi_square_drift(training_pct: Mapping[str, float], observed: Mapping[str, float], alpha: float = 0.05,
                     floor: float = 0.5) -> DriftResult:
    """Chi-square goodness of fit of production counts against the training distribution."""
    import pandas as pd
    from scipy import stats

    if not (0 < alpha < 1):
        raise InputError(f"alpha {alpha}", expected="a significance level between 0 and 1")
    observed = {k: v for k, v in observed.items() if k != "__blank__"}
    n = float(sum(observed.values()))
    if n <= 0:
        raise InputError("no production observations", expected="at least one observed value")
    total_pct = float(sum(training_pct.values()))
    notes: list[str] = []
    if abs(total_pct - 100.0) > 1.0:
        notes.append(f"training percentages sum to {total_pct:g} %, rescaled to 100 %")
    categories = list(dict.fromkeys(list(training_pct) + sorted(observed)))
    dropped = [c for c in categories if training_pct.get(c, 0.0) == 0 and observed.get(c, 0.0) == 0]
    categories = [c for c in categories if c not in dropped]
    unseen = [c for c in categories if training_pct.get(c, 0.0) == 0 and observed.get(c, 0.0) > 0]
    if len(categories) < 2:
        raise InputError(f"{len(categories)} category to compare", expected="at least two categories")
    props = {c: training_pct.get(c, 0.0) / total_pct for c in categories}
    expected = {c: props[c] * n for c in categories}
    for c in unseen:
        expected[c] = floor
    scale = n / sum(expected.values())  # keep sum(expected) == sum(observed)
    expected = {c: e * scale for c, e in expected.items()}
    f_obs = [observed.get(c, 0.0) for c in categories]
    f_exp = [expected[c] for c in categories]
    stat, p = stats.chisquare(f_obs, f_exp)
    small = [c for c in categories if expected[c] < 5]
    if small:
        notes.append(f"{len(small)} of {len(categories)} categories expect fewer than 5 observations; "
                     "the chi-square approximation is unreliable there")
    if unseen:
        notes.append(f"{len(unseen)} production categories never seen in training (expected count {floor:g})")
    rows = []
    for c, o, e in zip(categories, f_obs, f_exp):
        tp = 100.0 * props[c]
        pp = 100.0 * o / n
        rows.append({"category": c, "training_pct": round(tp, 3), "expected": round(e, 3), "observed": o,
                     "production_pct": round(pp, 3), "change_pp": round(pp - tp, 3),
                     "contribution": round((o - e) ** 2 / e, 4) if e > 0 else float("inf"),
                     "status": "unseen" if c in unseen else ("absent" if o == 0 else "")})
    table = pd.DataFrame(rows, columns=DRIFT_COLUMNS)
    return DriftResult(statistic=float(stat), dof=len(categories) - 1, p_value=float(p), alpha=alpha, n=n,
                       table=table, unseen=unseen, dropped=dropped, notes=notes)


def drift_finding(result: DriftResult, files: list[str] | None = None):
    """A ``drift`` finding for :mod:`mlmismatch.detect` reports (None when there is no drift)."""
    from mlmismatch.core.findings import Kind
    from mlmismatch.detection.findings import finding

    if not result.drift:
        return None
    movers = ", ".join(f"{r.category} ({r.change_pp:+.1f} pp)" for r in result.movers(3).itertuples())
    return finding(Kind.DRIFT, "drift:chi-square",
                   f"{result.verdict}; chi2 = {result.statistic:.2f}, dof = {result.dof}; moved most: {movers}",
                   descriptors=["training_data", "production_data"], paths=["$.distribution", "$.distribution"],
                   subcategories=["(TD) Data Statistics", "(OD) Data Statistics"], files=files or [],
                   title="Run-time drift between training and production label distributions",
                   rationale="A production label distribution that differs from training makes the model's "
                             "evaluation unrepresentative (paper, Fig. 7).")


def load_any(path: str | Path) -> Any:
    """A JSON or YAML descriptor document (same safety checks as ``mlmismatch check``)."""
    from mlmismatch.detection.documents import read_document

    path = Path(path)
    if not os.path.lexists(path):
        raise InputError("file not found", Location(file=str(path)))
    return read_document(path)  # regular files only (a FIFO or directory is refused)
