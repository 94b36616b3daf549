"""The paper's claims, recomputed: published value beside reproduced value, with a status.

``paper/published/claims.csv`` (see its README) lists every quantitative statement of the paper with
the key of a computation in :data:`COMPUTATIONS` and its arguments. :func:`load_claims` reads and
validates it; :func:`evaluate` recomputes every claim from the loaders' tables and returns a tidy
table of :data:`RESULT_COLUMNS`.

Status
    ``reproduced``: the recomputed value, printed the way the paper prints it, is the published one.
    ``differs``: it is not; the note gives both values and the smallest explanation the data supports
    (see below). ``not_reproducible``: the replication package lacks what the claim needs (the note
    says what), or the input needed was not loaded.

Rounding (explicit, see :func:`percent_matches`)
    A percentage printed with ``d`` decimals (``integer percent``: d = 0) matches a recomputed share
    ``x`` when ``x`` rounded half-up to ``d`` decimals equals it. When ``x`` lies exactly halfway
    (exact fraction arithmetic: 7/8 = 87.5%), both neighbours (87% and 88%) are accepted, because the
    paper's tools may round half up or half to even. Nothing else is tolerated: 64.516% does not match
    a printed 64%. Counts (``exact``, ``exact (inferred)``, ``integer count read from bar length``)
    must be equal; ``at most`` means recomputed <= published. Qualitative claims match when the set of
    recomputed labels, ties included, equals the claim's ``expect`` labels (the sequence, for
    ``order``).

Arithmetic fits for ``differs`` (notes only, never used to change a status)
    For a share: every (numerator, denominator) with each moved independently by up to
    :data:`MAX_SHIFT` that gives the printed value, the smallest total change first
    (:func:`share_fits`); for a set of shares printed together, one part changed so that every printed
    share matches, and largest-remainder rounding (:func:`explain_share_set`). These are fits, not
    explanations: :mod:`mlmismatch.replication.hypotheses` tests hypotheses against the whole data set
    and gives each differing claim its ``cause``.

Readings
    Counts take a ``unit`` (``instances`` or ``mismatches``, the paper's word decides); qualitative
    survey claims a ``measure`` (:data:`MEASURES`, :data:`MEASURE_OPTIONS`), evaluated under every
    alternative by :mod:`mlmismatch.replication.measures`.

Computations are pure functions ``(Tables, args) -> Number | Labels``; they call the loaders' and
analyses' public functions (:mod:`mlmismatch.categories`, :mod:`mlmismatch.survey_stats`).
"""

from __future__ import annotations

import csv
import json
import math
import functools
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable

from mlmismatch.study.codebook import CATEGORY_CODES
from mlmismatch.core.errors import InputError, Location, MlmismatchError, column_letter
from mlmismatch.core import resources

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The transcribed claims, shipped in the package (``paper/published/claims.csv`` in the repository).
CLAIMS_FILE = "claims.csv"
CLAIM_COLUMNS = ["claim_id", "location", "description", "published", "unit", "precision", "type", "computation", "args",
                 "kind", "scope", "figure"]
#: Columns a claims file must have; ``kind``, ``scope`` and ``figure`` default as described in :func:`load_claims`.
REQUIRED_COLUMNS = CLAIM_COLUMNS[:9]
#: ``paper/generated/claims.csv``: the first seven columns are the original contract; ``kind``, ``quantity``,
#: ``scope`` and ``cause`` were appended (see :mod:`mlmismatch.replication.hypotheses` for ``cause``).
RESULT_COLUMNS = ["claim_id", "location", "description", "published", "reproduced", "status", "note",
                  "kind", "quantity", "scope", "cause"]
STATUSES = ("reproduced", "differs", "not_reproducible")
#: What a claim's value is: a number, or a statement with labels.
TYPES = ("number", "qualitative")
#: How the published value was obtained: printed in the paper, read from a figure's drawing (Fig. 5's
#: bars), or inferred from printed values (Table II's group sizes).
KINDS = ("printed", "read_from_figure", "inferred")
#: Figures and tables whose rounding a claim follows (``figure`` column): the claim prints or quotes them.
FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig5", "table2")
#: precision -> decimals for percentages, or the comparison used for other values.
PERCENT_DECIMALS = {"integer percent": 0, "one decimal percent": 1, "two decimal percent": 2}
COUNT_PRECISIONS = ("exact", "exact (inferred)", "integer count read from bar length", "at most")
LABEL_PRECISIONS = ("set of labels", "order")
OTHER_PRECISIONS = ("month",)  # only for not_in_package claims
PRECISIONS = tuple(PERCENT_DECIMALS) + COUNT_PRECISIONS + LABEL_PRECISIONS + OTHER_PRECISIONS
ROLE_ALL = "All"
#: Largest change of a numerator or denominator searched for an explanation.
MAX_SHIFT = 5
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    claim_id: str
    location: str
    description: str
    published: str
    unit: str
    precision: str
    type: str  # number | qualitative
    computation: str
    args: dict
    row: int = 0  # spreadsheet row in the CSV (header = row 1)
    kind: str = "printed"  # printed | read_from_figure | inferred
    scope: str = ""  # the printed set the claim belongs to ("Fig. 3 / Raw Data", "Sec. IV / Raw Data")
    figure: str = ""  # the figure or table whose numbers it prints or quotes ("" for counts and text-only values)

    def with_args(self, **changes) -> "Claim":
        """The same claim with some args replaced (a reading hypothesis: another measure or unit)."""
        from dataclasses import replace

        return replace(self, args={**self.args, **changes})


@dataclass
class Number:
    """A recomputed number. For a share, ``num``/``den`` give it exactly (value = 100 num / den).

    ``parts`` is the distribution the share belongs to (part -> count, summing to ``den``) and ``key``
    this claim's part, so that a set of shares printed together can be explained together.
    """

    value: Fraction | int
    num: int | None = None
    den: int | None = None
    parts: dict[str, int] | None = None
    key: str | None = None
    detail: str = ""

    @classmethod
    def share(cls, num: int, den: int, **kw) -> "Number":
        if den <= 0:
            raise NotReproducible("the denominator is 0 (nothing to take a share of)")
        return cls(Fraction(100 * int(num), int(den)), int(num), int(den), **kw)


@dataclass
class Labels:
    """Recomputed label(s): ties are all listed; ``ordered`` for an order claim, whose ``values``
    (label -> count) let an order that differs only within ties match."""

    labels: tuple[str, ...]
    ordered: bool = False
    detail: str = ""
    values: dict[str, int] | None = None


class NotReproducible(MlmismatchError):
    """The claim needs something the replication package (or this run) does not have."""


# --------------------------------------------------------------------------------------------
# Tables: the loaders' output, with the derived tables computed once
# --------------------------------------------------------------------------------------------
@dataclass
class Tables:
    """What computations read: the coding data and the survey data (either may be missing)."""

    coding: Any = None
    survey: Any = None
    coding_error: str | None = None
    survey_error: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def need_coding(self):
        if self.coding is None:
            raise NotReproducible("the coding workbook was not loaded" + (f" ({self.coding_error})" if self.coding_error else ""))
        return self.coding

    def need_survey(self):
        if self.survey is None:
            raise NotReproducible("the survey workbook was not loaded" + (f" ({self.survey_error})" if self.survey_error else ""))
        return self.survey

    def reuse(self, computed: dict) -> None:
        """Reuse survey tables already computed in this run (``reproduce``'s survey steps) by the same functions."""
        for key, name in (("table2", "table2"), ("distFalse", "distribution"), ("distTrue", "distribution_by_role"),
                          ("demo", "demographics"), ("role_item_interaction", "role_item_interaction")):
            if name in computed:
                self._cache[key] = computed[name]

    def _cached(self, key: str, fn: Callable[[], Any]):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # coding
    def categories(self) -> "pd.DataFrame":
        from mlmismatch.analyses import categories

        return self._cached("cats", lambda: categories.category_counts(self.need_coding().instances))

    def subcategories(self) -> "pd.DataFrame":
        from mlmismatch.analyses import categories

        c = self.need_coding()
        return self._cached("subs", lambda: categories.subcategory_counts(c.instances, c.codebook, sort=False))

    # survey
    def table2(self) -> "pd.DataFrame":
        from mlmismatch.analyses import survey_stats

        s = self.need_survey()
        return self._cached("table2", lambda: survey_stats.important_by_role(s.responses, s.items))

    def distribution(self, by_role: bool) -> "pd.DataFrame":
        from mlmismatch.analyses import survey_stats

        s = self.need_survey()
        return self._cached(f"dist{by_role}", lambda: survey_stats.distribution(s.responses, s.items, by_role=by_role))

    def demographics(self) -> "pd.DataFrame":
        from mlmismatch.analyses import survey_stats

        s = self.need_survey()
        return self._cached("demo", lambda: survey_stats.demographics(s.respondents))

    def role_counts(self) -> dict[str, int]:
        s = self.need_survey()
        return self._cached("roles", lambda: {str(k): int(v) for k, v in s.respondents["role"].value_counts(sort=False).items()
                                              if int(v) > 0})


# --------------------------------------------------------------------------------------------
# Helpers used by the computations
# --------------------------------------------------------------------------------------------
def _category(args: dict) -> str:
    return args["category"]


def _indexed_sub_row(tables: "Tables", key: str, make: Callable[[], "pd.DataFrame"], category: str,
                     subcategory: str) -> "pd.Series":
    """The first row of (``category``, ``subcategory``) in the table ``make()``; the table is built and
    indexed once per ``key`` (the 419 claims used to filter a DataFrame each)."""
    def build():
        df = make()
        index: dict[tuple[str, str], int] = {}
        for pos, k in enumerate(zip(df["category"].astype(str), df["subcategory"].astype(str))):
            index.setdefault(k, pos)
        return df, index

    df, index = tables._cached(f"index:{key}", build)
    pos = index.get((category, subcategory))
    if pos is None:
        raise KeyError(f"unknown subcategory '{subcategory}' of '{category}'")
    return df.iloc[pos]


def _role_rows(df: "pd.DataFrame", role: str) -> "pd.DataFrame":
    if "role" not in df or role == ROLE_ALL:
        return df
    sel = df[df["role"].astype(str) == role]
    if sel.empty:
        raise KeyError(f"unknown role '{role}'")
    return sel


def _ties(values: dict[str, float], best=max) -> tuple[str, ...]:
    if not values:
        return ()
    target = best(values.values())
    return tuple(k for k, v in values.items() if v == target)


def _fmt_counts(items: dict[str, Any], limit: int = 6) -> str:
    pairs = list(items.items())
    text = ", ".join(f"{k} {v}" for k, v in pairs[:limit])
    return text + (f", ... ({len(pairs) - limit} more)" if len(pairs) > limit else "")


def _fmt_frac(value: Fraction, measure: str) -> str:
    return f"{float(value):.2f}" if measure == "mean_rating" else _pct(value)


#: Ways to read "how important" respondents rated an item, from the answer counts (Fig. 5's bars):
#: measure -> description. Table II prints only the first, so the paper's per-role statements can be
#: checked against the paper's own numbers only by it; the others are readings of the same answers.
MEASURES: dict[str, str] = {
    "vi_i_share": "share answering Important or Very Important (Table II)",
    "vi_share": "share answering Very Important (Fig. 5's darkest bar)",
    "mean_rating": "mean rating, 1 = Not Important ... 4 = Very Important",
}


def _measure(a: dict) -> str:
    m = a.get("measure", "vi_i_share")
    if m not in MEASURES:
        raise KeyError(f"unknown measure '{m}' (one of {', '.join(MEASURES)})")
    return m


def _scores(tables: Tables, role: str, measure: str) -> "pd.DataFrame":
    """Per item: ``category, subcategory, label, n, score`` (an exact Fraction) for one role or ``All``."""
    return tables._cached(f"scores:{role}:{measure}", lambda: _scores_table(tables, role, measure))


def _scores_table(tables: Tables, role: str, measure: str) -> "pd.DataFrame":
    import pandas as pd

    from mlmismatch.study.survey import LEVELS

    d = _role_rows(tables.distribution(role != ROLE_ALL), role)
    rows = []
    for r in d[["category", "subcategory", *LEVELS]].to_dict("records"):
        counts = [int(r[lvl]) for lvl in LEVELS]
        n = sum(counts)
        if n == 0:
            continue
        if measure == "vi_i_share":
            score = Fraction(counts[2] + counts[3], n)
        elif measure == "vi_share":
            score = Fraction(counts[3], n)
        else:
            score = Fraction(sum((i + 1) * c for i, c in enumerate(counts)), n)
        rows.append({"category": str(r["category"]), "subcategory": str(r["subcategory"]),
                     "label": f"{r['category']}: {r['subcategory']}", "n": n, "score": score})
    return pd.DataFrame(rows, columns=["category", "subcategory", "label", "n", "score"])


def _score_map(tables: Tables, role: str, measure: str, category: str | None = None, key: str = "label") -> dict[str, Fraction]:
    d = _scores(tables, role, measure)
    if category is not None:
        d = d[d["category"] == category]
        if d.empty:
            raise KeyError(f"unknown category '{category}'")
    return dict(zip(d[key], d["score"]))


def _vi_i_row(tables: Tables, role: str, category: str, subcategory: str) -> "pd.Series":
    return _indexed_sub_row(tables, f"vi_i:{role}", lambda: _vi_i_table(tables, role), category, subcategory)


def _vi_i_table(tables: Tables, role: str) -> "pd.DataFrame":
    if role == ROLE_ALL:
        d = tables.distribution(False)
        return d[["category", "subcategory", "n_important", "n"]].assign(category=lambda x: x["category"].astype(str))
    t = _role_rows(tables.table2(), role)
    return t.rename(columns={"n_respondents": "n"})[["category", "subcategory", "n_important", "n"]]


def _pct(f: Fraction) -> str:
    return f"{float(100 * f):.1f}%"


def _unit(a: dict) -> str:
    u = a.get("unit", "instances")
    if u not in UNITS:
        raise KeyError(f"unknown unit '{u}' (one of {', '.join(UNITS)})")
    return u


#: What a count counts: coded category/subcategory pairs, or mismatches with at least one such pair.
UNITS = ("instances", "mismatches")


# --------------------------------------------------------------------------------------------
# Computations: (Tables, args) -> Number | Labels
# --------------------------------------------------------------------------------------------
def c_not_in_package(t: Tables, a: dict):
    raise NotReproducible("not in the replication package: " + a["missing"])


def c_n_interviews(t: Tables, a: dict) -> Number:
    m = t.need_coding().mismatches
    return Number(int(m["interview"].nunique()), detail="distinct interviews with at least one mismatch")


def c_n_mismatches(t: Tables, a: dict) -> Number:
    return Number(len(t.need_coding().mismatches))


def c_n_instances(t: Tables, a: dict) -> Number:
    return Number(len(t.need_coding().instances))


def c_n_categories(t: Tables, a: dict) -> Number:
    c = t.need_coding()
    used = c.instances["category"].astype(str).nunique()
    return Number(int(used), detail=f"categories coded at least once; the codebook has {c.codebook['category'].nunique()}")


def c_n_subcategories(t: Tables, a: dict) -> Number:
    c = t.need_coding()
    used = len(set(zip(c.instances["category"].astype(str), c.instances["subcategory"].astype(str))))
    return Number(int(used), detail=f"subcategories coded at least once; the codebook has {len(c.codebook)}")


def c_max_codes_per_mismatch(t: Tables, a: dict) -> Number:
    m = t.need_coding().mismatches
    counts = m["n_codes"].value_counts().sort_index()
    return Number(int(m["n_codes"].max()), detail="mismatches by pairs coded: " + _fmt_counts({f"{k} pair(s)": int(v) for k, v in counts.items()}))


def _coded(t: Tables) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(category, subcategory) and (category, None) -> (coded instances, distinct mismatches), one pass."""
    def build():
        inst = t.need_coding().instances
        seen: dict[tuple, list] = {}
        for mid, cat, sub in zip(inst["mismatch_id"], inst["category"].astype(str), inst["subcategory"].astype(str)):
            for key in ((cat, sub), (cat, None)):
                entry = seen.setdefault(key, [0, set()])
                entry[0] += 1
                entry[1].add(mid)
        return {k: (n, len(m)) for k, (n, m) in seen.items()}

    return t._cached("coded", build)


def _unit_count(t: Tables, a: dict, key: tuple[str, str | None]) -> Number:
    n_inst, n_mis = _coded(t).get(key, (0, 0))
    if _unit(a) == "mismatches":
        return Number(n_mis, detail=f"mismatches with at least one such code ({n_inst} coded instances)")
    return Number(n_inst, detail=f"coded instances ({n_mis} mismatches)")


def c_category_count(t: Tables, a: dict) -> Number:
    cats = t.categories()
    if _category(a) not in set(cats["category"].astype(str)):
        raise KeyError(f"unknown category '{_category(a)}'")
    return _unit_count(t, a, (_category(a), None))


def c_category_share(t: Tables, a: dict) -> Number:
    cats = t.categories()
    parts = {str(r.category): int(r.n_instances) for r in cats.itertuples(index=False)}
    return Number.share(parts[_category(a)], sum(parts.values()), parts=parts, key=_category(a))


def c_subcategory_count(t: Tables, a: dict) -> Number:
    _indexed_sub_row(t, "subs", t.subcategories, _category(a), a["subcategory"])  # KeyError if unknown
    return _unit_count(t, a, (_category(a), a["subcategory"]))


def _subparts(t: Tables) -> dict[str, dict[str, int]]:
    """category -> {subcategory: instances}, in the codebook's order (one pass over the table)."""
    def build():
        subs = t.subcategories()
        out: dict[str, dict[str, int]] = {}
        for cat, sub, n in zip(subs["category"].astype(str), subs["subcategory"].astype(str), subs["n_instances"]):
            out.setdefault(cat, {})[sub] = int(n)
        return out

    return t._cached("subparts", build)


def c_subcategory_share(t: Tables, a: dict) -> Number:
    parts = dict(_subparts(t).get(_category(a), {}))
    if a["subcategory"] not in parts:
        raise KeyError(f"unknown subcategory '{a['subcategory']}' of '{_category(a)}'")
    return Number.share(parts[a["subcategory"]], sum(parts.values()), parts=parts, key=a["subcategory"])


def c_top_categories(t: Tables, a: dict) -> Labels:
    counts = {str(r.category): int(r.n_instances) for r in t.categories().itertuples(index=False)}
    return Labels(_ties(counts), detail=_fmt_counts(counts, 3))


def c_category_order(t: Tables, a: dict) -> Labels:
    cats = t.categories()  # sorted by count, ties in codebook order
    counts = {str(r.category): int(r.n_instances) for r in cats.itertuples(index=False)}
    tied = [n for n in set(counts.values()) if list(counts.values()).count(n) > 1]
    detail = _fmt_counts(counts, 7) + ("; ties: " + ", ".join(map(str, sorted(tied))) if tied else "")
    return Labels(tuple(counts), ordered=True, detail=detail, values=counts)


def _counts_in_category(t: Tables, category: str) -> dict[str, int]:
    """Subcategory -> instances within ``category``, most first (ties in codebook order)."""
    parts = _subparts(t).get(category)
    if not parts:
        raise KeyError(f"unknown category '{category}'")
    return dict(sorted(parts.items(), key=lambda kv: -kv[1]))


def c_subcategory_order(t: Tables, a: dict) -> Labels:
    counts = _counts_in_category(t, _category(a))
    return Labels(tuple(counts), ordered=True, detail=f"instances: {_fmt_counts(counts, 9)}", values=counts)


def c_top_subcategories(t: Tables, a: dict) -> Labels:
    counts = _counts_in_category(t, _category(a))
    return Labels(_ties(counts), detail=f"instances: {_fmt_counts(counts, 4)} (of {sum(counts.values())})")


def c_bottom_subcategories(t: Tables, a: dict) -> Labels:
    subs = t.subcategories()
    counts = {f"{r.category}: {r.subcategory}": int(r.n_instances) for r in subs.itertuples(index=False)}
    low = _ties(counts, min)
    return Labels(low, detail=f"fewest instances: {min(counts.values())} ({len(low)} subcategories)")


def c_n_respondents(t: Tables, a: dict) -> Number:
    return Number(len(t.need_survey().respondents))


def c_role_size(t: Tables, a: dict) -> Number:
    counts = t.role_counts()
    if a["role"] not in counts:
        raise KeyError(f"unknown role '{a['role']}'")
    return Number(counts[a["role"]])


def c_smallest_role(t: Tables, a: dict) -> Labels:
    counts = t.role_counts()
    return Labels(_ties(counts, min), detail=_fmt_counts(counts))


def c_majority_role(t: Tables, a: dict) -> Labels:
    counts = t.role_counts()
    total = sum(counts.values())
    major = tuple(r for r, n in counts.items() if 2 * n > total)
    detail = ", ".join(f"{r} {n}/{total} ({_pct(Fraction(n, total))})" for r, n in counts.items())
    return Labels(major or ("no majority",), detail=detail)


def c_demographic_share(t: Tables, a: dict) -> Number:
    def build():
        d = t.demographics()
        out: dict[str, dict[str, int]] = {}
        for var, value, n in zip(d["variable"], d["value"].astype(str), d["n"]):
            out.setdefault(str(var), {})[value] = int(n)
        return out

    if a["variable"] not in t._cached("demoparts", build):
        raise KeyError(f"unknown demographic variable '{a['variable']}'")
    parts = dict(t._cached("demoparts", build)[a["variable"]])
    if a["value"] not in parts:
        raise KeyError(f"unknown value '{a['value']}' of '{a['variable']}'")
    return Number.share(parts[a["value"]], sum(parts.values()), parts=parts, key=a["value"])


def c_answer_count(t: Tables, a: dict) -> Number:
    role = a.get("role", ROLE_ALL)
    d = t.distribution(role != ROLE_ALL)
    row = _indexed_sub_row(t, f"dist:{role}", lambda: _role_rows(d, role), _category(a), a["subcategory"])
    if a["answer"] not in row.index:
        raise KeyError(f"unknown answer '{a['answer']}'")
    return Number(int(row[a["answer"]]), detail=f"of {int(row['n'])} answers")


def c_vi_i_count(t: Tables, a: dict) -> Number:
    row = _vi_i_row(t, a["role"], _category(a), a["subcategory"])
    return Number(int(row["n_important"]), detail=f"of {int(row['n'])} respondents")


def c_vi_i_pct(t: Tables, a: dict) -> Number:
    row = _vi_i_row(t, a["role"], _category(a), a["subcategory"])
    return Number.share(int(row["n_important"]), int(row["n"]))


def c_top_vi_i_in_category(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    scores = dict(sorted(_score_map(t, a["role"], m, _category(a), "subcategory").items(), key=lambda kv: -kv[1]))
    return Labels(_ties(scores), detail=f"{m} ({a['role']}): " + _fmt_counts({k: _fmt_frac(v, m) for k, v in scores.items()}, 4))


def c_roles_with_subcategory_on_top(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    on_top, detail = [], []
    for role in t.role_counts():
        scores = _score_map(t, role, m, _category(a), "subcategory")
        if a["subcategory"] not in scores:
            raise KeyError(f"unknown subcategory '{a['subcategory']}' of '{_category(a)}'")
        top = max(scores.values())
        if scores[a["subcategory"]] == top:
            on_top.append(role)
        detail.append(f"{role}: {_fmt_frac(scores[a['subcategory']], m)} (category maximum {_fmt_frac(top, m)})")
    return Labels(tuple(on_top) or ("none",), detail=f"{m}: " + "; ".join(detail))


def c_top_vi_i_overall(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    scores = _score_map(t, a.get("role", ROLE_ALL), m)
    runner = sorted(set(scores.values()), reverse=True)
    detail = f"{m}: highest {_fmt_frac(runner[0], m)}" + (f", next {_fmt_frac(runner[1], m)}" if len(runner) > 1 else "")
    return Labels(_ties(scores), detail=detail)


def c_least_vi_i_all_roles(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    common, detail = None, []
    for role in a.get("roles") or list(t.role_counts()):
        scores = _score_map(t, role, m)
        low = set(_ties(scores, min))
        common = low if common is None else common & low
        detail.append(f"{role} minimum {_fmt_frac(min(scores.values()), m)}: {'; '.join(sorted(low))}")
    return Labels(tuple(sorted(common)) or ("none common to all roles",), detail=f"{m}: " + " | ".join(detail))


def c_most_answer(t: Tables, a: dict) -> Labels:
    d = t.distribution(False)
    if a.get("category"):
        d = d[d["category"].astype(str) == a["category"]]
        key = d["subcategory"].astype(str)
    else:
        key = d["category"].astype(str) + ": " + d["subcategory"].astype(str)
    counts = dict(sorted(zip(key, d[a["answer"]].astype(int)), key=lambda kv: -kv[1]))
    return Labels(_ties(counts), detail=f"'{a['answer']}' answers: " + _fmt_counts(counts, 4))


#: Readings of "rated as Very Important across all roles" (per subcategory and role).
VERY_IMPORTANT_READINGS = {
    "modal_answer": "Very Important is the most frequent answer (ties allowed)",
    "vi_share": "more than half answered Very Important",
    "mean_rating": "mean rating 3.5 or more (nearer Very Important than Important)",
}


def c_modal_answer_in_category_all_roles(t: Tables, a: dict) -> Labels:
    from mlmismatch.study.survey import LEVELS

    reading = a.get("measure", "modal_answer")
    if reading not in VERY_IMPORTANT_READINGS:
        raise KeyError(f"unknown measure '{reading}' (one of {', '.join(VERY_IMPORTANT_READINGS)})")
    d = t.distribution(True)
    d = d[d["category"].astype(str) == _category(a)]
    subs = list(dict.fromkeys(d["subcategory"].astype(str)))
    levels = LEVELS if reading == "modal_answer" else ("Very Important",)
    holds = {lvl: 0 for lvl in levels}
    for sub in subs:
        rows = [r for _, r in d[d["subcategory"].astype(str) == sub].iterrows() if int(r["n"]) > 0]
        for lvl in levels:
            if reading == "modal_answer":
                ok = all(int(r[lvl]) == max(int(r[x]) for x in LEVELS) for r in rows)
            elif reading == "vi_share":
                ok = all(2 * int(r["Very Important"]) > int(r["n"]) for r in rows)
            else:
                ok = all(sum((i + 1) * int(r[x]) for i, x in enumerate(LEVELS)) >= Fraction(7, 2) * int(r["n"]) for r in rows)
            holds[lvl] += bool(ok and rows)
    winners = tuple(lvl for lvl, n in holds.items() if 2 * n > len(subs))
    detail = (f"{VERY_IMPORTANT_READINGS[reading]}, in every role, for: "
              + _fmt_counts({lvl: f"{n}/{len(subs)} subcategories" for lvl, n in holds.items()}))
    return Labels(winners or ("none",), detail=detail)


def c_majority_answer_every_subcategory(t: Tables, a: dict) -> Labels:
    m = a.get("measure", "vi_i_share")
    if m not in ("vi_i_share", "mean_rating"):
        raise KeyError(f"unknown measure '{m}' (vi_i_share or mean_rating)")
    scores = _score_map(t, ROLE_ALL, m)
    threshold = Fraction(1, 2) if m == "vi_i_share" else Fraction(3)
    failing = [k for k, v in scores.items() if (v <= threshold if m == "vi_i_share" else v < threshold)]
    label = "Important or Very Important" if not failing else "not for: " + "; ".join(failing)
    lows = _ties(scores, min)
    what = "Important-or-Very-Important share" if m == "vi_i_share" else "mean rating (3 = Important)"
    return Labels((label,), detail=f"lowest {what} {_fmt_frac(min(scores.values()), m)} ({'; '.join(lows)})")


def c_role_with_highest_vi_i(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    scores = {}
    for role in a.get("roles") or list(t.role_counts()):
        per = _score_map(t, role, m, _category(a), "subcategory")
        if a["subcategory"] not in per:
            raise KeyError(f"unknown subcategory '{a['subcategory']}' of '{_category(a)}'")
        scores[role] = per[a["subcategory"]]
    return Labels(_ties(scores), detail=f"{m}: " + ", ".join(f"{r} {_fmt_frac(v, m)}" for r, v in scores.items()))


def c_top_item_differs_between_roles(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    tops = {role: tuple(sorted(_ties(_score_map(t, role, m, _category(a), "subcategory")))) for role in t.role_counts()}
    differ = len(set(tops.values())) > 1
    return Labels(("varies",) if differ else ("the same for every role",),
                  detail=f"highest {m} per role: " + " | ".join(f"{r}: {'; '.join(v)}" for r, v in tops.items()))


def c_higher_of_two(t: Tables, a: dict) -> Labels:
    m = _measure(a)
    scores = _score_map(t, a.get("role", ROLE_ALL), m, _category(a), "subcategory")
    pair = {s: scores[s] for s in a["subcategories"]}
    return Labels(_ties(pair), detail=f"{m}: " + ", ".join(f"{k} {_fmt_frac(v, m)}" for k, v in pair.items()))


def c_below_median_share(t: Tables, a: dict) -> Labels:
    import statistics

    m = _measure(a)
    scores = _score_map(t, a.get("role", ROLE_ALL), m)
    median = Fraction(statistics.median(scores.values()))
    above = [k for k in a["items"] if scores[k] >= median]
    detail = f"{m}: median of {len(scores)} subcategories {_fmt_frac(median, m)}; " + ", ".join(
        f"{k} {_fmt_frac(scores[k], m)}" for k in a["items"])
    return Labels(("below the median",) if not above else ("not below the median: " + "; ".join(above),), detail=detail)


def c_roles_prioritise_differently(t: Tables, a: dict) -> Labels:
    """Decided by a permutation test (``measure: permutation_test``, the default) of the role x item
    interaction, or descriptively (``measure: descriptive``: any two roles rank the items differently)."""
    from mlmismatch.analyses import survey_stats

    s = t.need_survey()
    test = t._cached("role_item_interaction", lambda: survey_stats.role_item_interaction(s.responses, s.items))
    m = a.get("measure", "permutation_test")
    row = test.iloc[0]
    detail = (f"permutation test of the role x item interaction on respondent-centred ratings "
              f"({int(row['n_permutations'])} permutations of the role labels, seed {int(row['seed'])}): "
              f"p = {row['p_value']:.3f}; smallest Spearman rho between two roles' item means {row['min_rho']:.2f}")
    if m == "permutation_test":
        verdict = "varies" if row["p_value"] < survey_stats.ALPHA else "no evidence that it varies"
    elif m == "descriptive":
        verdict = "varies" if row["min_rho"] < 1 else "the same for every role"
    else:
        raise KeyError(f"unknown measure '{m}' (permutation_test or descriptive)")
    return Labels((verdict,), detail=detail)


#: computation key -> function(Tables, args) -> Number | Labels
COMPUTATIONS: dict[str, Callable[[Tables, dict], Any]] = {
    "not_in_package": c_not_in_package,
    "n_interviews": c_n_interviews,
    "n_mismatches": c_n_mismatches,
    "n_instances": c_n_instances,
    "n_categories": c_n_categories,
    "n_subcategories": c_n_subcategories,
    "max_codes_per_mismatch": c_max_codes_per_mismatch,
    "category_count": c_category_count,
    "category_share": c_category_share,
    "subcategory_count": c_subcategory_count,
    "subcategory_share": c_subcategory_share,
    "top_categories": c_top_categories,
    "category_order": c_category_order,
    "subcategory_order": c_subcategory_order,
    "top_subcategories": c_top_subcategories,
    "bottom_subcategories": c_bottom_subcategories,
    "n_respondents": c_n_respondents,
    "role_size": c_role_size,
    "smallest_role": c_smallest_role,
    "majority_role": c_majority_role,
    "demographic_share": c_demographic_share,
    "answer_count": c_answer_count,
    "vi_i_count": c_vi_i_count,
    "vi_i_pct": c_vi_i_pct,
    "top_vi_i_in_category": c_top_vi_i_in_category,
    "roles_with_subcategory_on_top": c_roles_with_subcategory_on_top,
    "top_vi_i_overall": c_top_vi_i_overall,
    "least_vi_i_all_roles": c_least_vi_i_all_roles,
    "most_answer": c_most_answer,
    "modal_answer_in_category_all_roles": c_modal_answer_in_category_all_roles,
    "majority_answer_every_subcategory": c_majority_answer_every_subcategory,
    "role_with_highest_vi_i": c_role_with_highest_vi_i,
    "top_item_differs_between_roles": c_top_item_differs_between_roles,
    "higher_of_two": c_higher_of_two,
    "below_median_share": c_below_median_share,
    "roles_prioritise_differently": c_roles_prioritise_differently,
}

#: computation key -> the args it requires (checked when the CSV is loaded).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "not_in_package": ("missing",),
    "category_count": ("category",), "category_share": ("category",),
    "subcategory_count": ("category", "subcategory"), "subcategory_share": ("category", "subcategory"),
    "top_subcategories": ("category",), "subcategory_order": ("category",), "role_size": ("role",),
    "demographic_share": ("variable", "value"),
    "answer_count": ("category", "subcategory", "answer"),
    "vi_i_count": ("category", "subcategory", "role"), "vi_i_pct": ("category", "subcategory", "role"),
    "top_vi_i_in_category": ("category", "role"),
    "roles_with_subcategory_on_top": ("category", "subcategory"),
    "most_answer": ("answer",), "modal_answer_in_category_all_roles": ("category",),
    "role_with_highest_vi_i": ("category", "subcategory"),
    "top_item_differs_between_roles": ("category",),
    "higher_of_two": ("category", "subcategories"), "below_median_share": ("items",),
}
#: which argument names the part of a distribution (for explaining a set of shares together).
PART_ARG = {"category_share": "category", "subcategory_share": "subcategory", "demographic_share": "value"}
#: computations that read the coding workbook; the others that read data read the survey.
CODING_COMPUTATIONS = frozenset({"n_interviews", "n_mismatches", "n_instances", "n_categories", "n_subcategories",
                                 "max_codes_per_mismatch", "category_count", "category_share", "subcategory_count",
                                 "subcategory_share", "top_categories", "category_order", "subcategory_order",
                                 "top_subcategories", "bottom_subcategories"})
#: computation -> the readings (``measure`` values) it can be evaluated under; the claim's own is in its args.
MEASURE_OPTIONS: dict[str, tuple[str, ...]] = {
    **{c: tuple(MEASURES) for c in ("top_vi_i_in_category", "roles_with_subcategory_on_top", "top_vi_i_overall",
                                     "least_vi_i_all_roles", "role_with_highest_vi_i", "top_item_differs_between_roles",
                                     "higher_of_two", "below_median_share")},
    "modal_answer_in_category_all_roles": tuple(VERY_IMPORTANT_READINGS),
    "majority_answer_every_subcategory": ("vi_i_share", "mean_rating"),
    "roles_prioritise_differently": ("permutation_test", "descriptive"),
}
MEASURE_LABELS = {**VERY_IMPORTANT_READINGS, **MEASURES,
                  "permutation_test": "permutation test of the role x item interaction (alpha 0.05)",
                  "descriptive": "any two roles rank the items differently (Spearman rho < 1)"}


# --------------------------------------------------------------------------------------------
# Loading and validating claims.csv
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def parse_number(text: str) -> Fraction | None:
    """'36%' -> 36, '140' -> 140, 'three' -> 3, '12.5%' -> 25/2; anything else -> None.

    Memoized (a pure function of an immutable value; the hypothesis search asks for the same printed
    values tens of thousands of times)."""
    s = text.strip().rstrip("%").strip().replace(",", "")
    if s.lower() in NUMBER_WORDS:
        return Fraction(NUMBER_WORDS[s.lower()])
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return Fraction(s)
    return None


def claims_path() -> Path:
    """The packaged transcription of the paper's claims."""
    return resources.path("published", CLAIMS_FILE)


def load_claims(path: str | Path | None = None) -> list[Claim]:
    """Read and validate ``claims.csv`` (default: the packaged transcription).

    Bad input raises :class:`InputError` naming row and column.

    Examples
    --------
    >>> claims = load_claims()
    >>> len(claims), claims[0].claim_id
    (512, 'fig1.affiliation.government.share')
    """
    from mlmismatch.core.inputs import check_regular

    path = Path(path) if path is not None else claims_path()
    check_regular(path, "the transcribed claims (paper/published/claims.csv)")  # a FIFO or a directory is refused
    name = path.name
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file", Location(file=name), expected="a header row " + ",".join(CLAIM_COLUMNS)) from None
        header = [h.strip() for h in header]
        for i, col in enumerate(REQUIRED_COLUMNS):
            if col not in header:
                raise InputError(f"missing column '{col}'", Location(file=name, row=1),
                                 expected="the columns " + ",".join(CLAIM_COLUMNS))
        extra = [h for h in header if h not in CLAIM_COLUMNS]
        if extra:
            raise InputError(f"unknown column '{extra[0]}'", Location(file=name, row=1, column=header.index(extra[0]) + 1),
                             expected="only the columns " + ",".join(CLAIM_COLUMNS))
        idx = {h: i for i, h in enumerate(header)}
        claims, seen = [], {}
        for n, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise InputError(f"{len(record)} fields instead of {len(header)}", Location(file=name, row=n))
            claims.append(_parse_row(record, idx, name, n, seen))
    return claims


def _where(file: str, row: int, idx: dict, col: str) -> Location:
    return Location(file=file, row=row, column=column_letter(idx[col] + 1), header=col)


def _parse_row(record: list[str], idx: dict, file: str, row: int, seen: dict) -> Claim:
    val = {c: (record[idx[c]].strip() if c in idx else "") for c in CLAIM_COLUMNS}
    for col in ("claim_id", "location", "published", "type", "computation", "precision"):
        if not val[col]:
            raise InputError(f"empty {col}", _where(file, row, idx, col))
    cid = val["claim_id"]
    if not _ID_RE.match(cid):
        raise InputError(f"claim_id '{cid}' has characters other than letters, digits and _ . + -", _where(file, row, idx, "claim_id"))
    if cid in seen:
        raise InputError(f"duplicate claim_id '{cid}' (first on row {seen[cid]})", _where(file, row, idx, "claim_id"))
    seen[cid] = row
    if val["type"] not in TYPES:
        raise InputError(f"unknown type '{val['type']}'", _where(file, row, idx, "type"), expected=" or ".join(TYPES))
    implied_kind = ("read_from_figure" if val["precision"] == "integer count read from bar length"
                    else "inferred" if val["precision"] == "exact (inferred)" else "printed")
    kind = val["kind"] or implied_kind
    if kind not in KINDS:
        raise InputError(f"unknown kind '{kind}'", _where(file, row, idx, "kind"), expected=" or ".join(KINDS))
    if kind != implied_kind:
        raise InputError(f"kind '{kind}' contradicts precision '{val['precision']}' (which means '{implied_kind}')",
                         _where(file, row, idx, "kind"), expected=implied_kind)
    if val["figure"] and val["figure"] not in FIGURES:
        raise InputError(f"unknown figure '{val['figure']}'", _where(file, row, idx, "figure"),
                         expected="empty or one of " + ", ".join(FIGURES))
    if val["computation"] not in COMPUTATIONS:
        raise InputError(f"unknown computation '{val['computation']}'", _where(file, row, idx, "computation"),
                         expected="a key of mlmismatch.claims.COMPUTATIONS: " + ", ".join(sorted(COMPUTATIONS)))
    if val["precision"] not in PRECISIONS:
        raise InputError(f"unknown precision '{val['precision']}'", _where(file, row, idx, "precision"),
                         expected="one of " + ", ".join(PRECISIONS))
    try:
        args = json.loads(val["args"] or "{}")
    except json.JSONDecodeError as exc:
        raise InputError(f"args is not valid JSON ({exc.msg} at character {exc.pos + 1})", _where(file, row, idx, "args"),
                         expected='a JSON object such as {"category": "Trained Model"}') from None
    if not isinstance(args, dict):
        raise InputError(f"args is a JSON {type(args).__name__}, not an object", _where(file, row, idx, "args"),
                         expected='a JSON object such as {"category": "Trained Model"}')
    comp = val["computation"]
    missing = [k for k in REQUIRED_ARGS.get(comp, ()) if k not in args]
    if missing:
        raise InputError(f"computation '{comp}' needs args {', '.join(missing)}", _where(file, row, idx, "args"))
    if "category" in args and args["category"] not in CATEGORY_CODES.values():
        raise InputError(f"unknown category '{args['category']}' in args", _where(file, row, idx, "args"),
                         expected="a codebook category: " + ", ".join(CATEGORY_CODES.values()))
    if comp != "not_in_package":
        if val["type"] == "qualitative":
            exp = args.get("expect")
            if not (isinstance(exp, list) and exp and all(isinstance(x, str) for x in exp)):
                raise InputError("a qualitative claim needs args 'expect': a list of the published label(s)",
                                 _where(file, row, idx, "args"))
        elif parse_number(val["published"]) is None:
            raise InputError(f"published value '{val['published']}' is not a number", _where(file, row, idx, "published"),
                             expected="a count (140, three) or a percentage (36%)")
    return Claim(cid, val["location"], val["description"], val["published"], val["unit"], val["precision"],
                 val["type"], comp, args, row, kind=kind, scope=val["scope"] or cid.rsplit(".", 1)[0],
                 figure=val["figure"])


# --------------------------------------------------------------------------------------------
# Comparison rules
# --------------------------------------------------------------------------------------------
def rounded_candidates(value: Fraction, decimals: int = 0) -> set[Fraction]:
    """The printed values ``value`` may appear as with ``decimals`` decimals: half-up rounding,
    plus the lower neighbour when ``value`` lies exactly halfway (exact arithmetic)."""
    q = 10 ** decimals
    scaled = Fraction(value) * q
    low = math.floor(scaled)
    rest = scaled - low
    if rest == Fraction(1, 2):
        return {Fraction(low, q), Fraction(low + 1, q)}
    return {Fraction(low + 1 if rest > Fraction(1, 2) else low, q)}


def percent_matches(published: Fraction, value: Fraction, decimals: int = 0) -> bool:
    """True when a share ``value`` (in percent) prints as ``published`` with ``decimals`` decimals."""
    return Fraction(published) in rounded_candidates(Fraction(value), decimals)


def share_fits(published: Fraction, num: int, den: int, decimals: int = 0, max_shift: int = MAX_SHIFT) -> list[tuple[int, int]]:
    """Every (numerator, denominator) within ``max_shift`` of (``num``, ``den``), each moved on its own,
    whose share prints as ``published``; the smallest total change first (then the smaller numerator).

    These are arithmetic fits, not explanations: the hypotheses of
    :mod:`mlmismatch.replication.hypotheses` say whether the data supports one.

    >>> share_fits(Fraction(31), 7, 23)
    [(8, 26)]
    """
    fits = []
    for a in range(-max_shift, max_shift + 1):
        for b in range(-max_shift, max_shift + 1):
            n, d = num + a, den + b
            if (a, b) != (0, 0) and d > 0 and 0 <= n <= d and percent_matches(published, Fraction(100 * n, d), decimals):
                fits.append((abs(a) + abs(b), n, d))
    return [(n, d) for _, n, d in sorted(fits)]


def explain_share(published: Fraction, num: int, den: int, decimals: int = 0, max_shift: int = MAX_SHIFT) -> list[str]:
    """The arithmetic fits nearest to (``num``, ``den``), as sentences: every fit at the smallest total
    change (numerator and denominator searched independently, each by up to ``max_shift``)."""
    fits = share_fits(published, num, den, decimals, max_shift)
    if not fits:
        return []
    best = abs(fits[0][0] - num) + abs(fits[0][1] - den)
    out = []
    for n, d in fits:
        if abs(n - num) + abs(d - den) != best:
            break
        if n == num:
            out.append(f"matches a denominator of {d} instead of {den}")
        elif d == den:
            out.append(f"matches a numerator of {n} instead of {num}")
        else:
            out.append(f"matches {n} of {d} instead of {num} of {den}")
    return out


def largest_remainder(parts: dict[str, int], decimals: int = 0) -> dict[str, Fraction]:
    """Shares (percent) of each part rounded so that they add up to exactly 100 (Hamilton's method)."""
    from mlmismatch.core.numbers import largest_remainder as lr

    return {k: Fraction(v) for k, v in zip(parts, lr(list(parts.values()), decimals))}


def excel_pie_labels(parts: dict[str, int]) -> dict[str, Fraction]:
    """Integer percent labels of a spreadsheet pie chart that shows percentages (``showPercent`` with
    the default ``0%`` format): each share rounded half up, then the difference to 100 taken from or
    given to the largest slices, largest first, as Microsoft documents for Excel (KB 214033, "Pie Chart
    Shows Incorrect Percentage Value in Excel", section Cause: when the labels add up to 101, 1 is
    subtracted from the largest; http://support.microsoft.com/kb/214033). Beyond the 101 case the KB
    says nothing; the rest of the rule follows what users observed and reported (three equal slices
    labelled 34 %, 33 %, 33 %; two tied largest slices of 25.5 % both labelled 25 %), which
    ``tests/unit/test_claims.py`` checks.

    >>> tuple(int(v) for v in excel_pie_labels({"a": 1, "b": 1, "c": 1}).values())
    (34, 33, 33)
    """
    total = sum(parts.values())
    if not total:
        return {k: Fraction(0) for k in parts}
    labels = {k: math.floor(Fraction(100 * v, total) + Fraction(1, 2)) for k, v in parts.items()}
    diff = 100 - sum(labels.values())
    for k in sorted(parts, key=lambda x: -parts[x])[:abs(diff)]:
        labels[k] += 1 if diff > 0 else -1
    return {k: Fraction(v) for k, v in labels.items()}


@functools.lru_cache(maxsize=4096)
def _rounded_parts(rule: str, parts: tuple[tuple[str, int], ...]) -> "MappingProxyType[str, Fraction]":
    """:func:`largest_remainder` or :func:`excel_pie_labels` of ``parts`` (as items), memoized and read-only
    (the hypothesis search rounds the same distributions under every claim of a figure)."""
    fn = largest_remainder if rule == "largest_remainder" else excel_pie_labels
    return MappingProxyType(fn(dict(parts)))


#: Figure-tool rounding rules: name -> description. ``half_up`` is the default comparison; the
#: others apply to a set of shares printed together (a pie, a stacked bar: ``Number.parts``).
ROUNDING_RULES: dict[str, str] = {
    "half_up": "each share rounded half up (halfway: both neighbours)",
    "largest_remainder": "shares rounded to add up to 100 % (largest remainder, Hamilton)",
    "excel_pie": "a spreadsheet pie chart's percent labels (half up, the largest slice absorbs the difference to 100 %)",
}


def rule_value(res: "Number", rule: str, decimals: int = 0) -> set[Fraction] | None:
    """The printed values ``res`` may appear as under ``rule``; None when the rule needs a set of shares
    (``res.parts``) that ``res`` does not have (then only half-up applies)."""
    if rule == "half_up" or res.parts is None or res.key is None or decimals:
        return None if rule != "half_up" else rounded_candidates(res.value, decimals)
    if rule in ("largest_remainder", "excel_pie"):
        return {_rounded_parts(rule, tuple(res.parts.items()))[res.key]}
    raise KeyError(f"unknown rounding rule '{rule}'")


def explain_share_set(published: dict[str, Fraction], parts: dict[str, int], decimals: int = 0,
                      max_shift: int = MAX_SHIFT) -> tuple[list[str], dict[str, int]]:
    """Arithmetic fits for a set of printed shares of one distribution together.

    Returns (sentences, implied counts): the smallest single-part change that makes every printed
    share match, and whether largest-remainder rounding reproduces them all. Fits, not explanations.
    """
    keys = [k for k in published if k in parts]
    out, implied = [], {}
    for k in range(1, max_shift + 1):
        for part in parts:
            for d in (-k, k):
                if parts[part] + d < 0:
                    continue
                trial = dict(parts, **{part: parts[part] + d})
                total = sum(trial.values())
                if total and all(percent_matches(published[x], Fraction(100 * trial[x], total), decimals) for x in keys):
                    out.append(f"all {len(keys)} printed shares of this set match if '{part}' had {trial[part]} "
                               f"instead of {parts[part]} (total {total} instead of {sum(parts.values())})")
                    implied[part] = trial[part]
        if out:
            break
    lr = largest_remainder(parts, decimals)
    if keys and all(lr[x] == published[x] for x in keys) and not all(
            percent_matches(published[x], Fraction(100 * parts[x], sum(parts.values())), decimals) for x in keys):
        out.append("the printed shares are the largest-remainder rounding of the recomputed counts "
                   "(shares forced to add up to 100%)")
    return out, implied


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    claim: Claim
    status: str
    reproduced: str = ""
    note: str = ""
    result: Number | Labels | None = None
    cause: str = ""


def _format_number(claim: Claim, res: Number) -> str:
    if claim.precision in PERCENT_DECIMALS or res.den is not None:
        d = PERCENT_DECIMALS.get(claim.precision, 0) + 1
        return f"{float(res.value):.{d}f}%"
    return str(int(res.value))


def number_matches(claim: Claim, res: Number, rule: str = "half_up") -> bool:
    """Whether ``res`` prints as the claim's published value (under a figure-tool ``rule`` for shares)."""
    published = parse_number(claim.published)
    if claim.precision in PERCENT_DECIMALS:
        if res.den is None:
            raise ValueError(f"{claim.claim_id}: computation '{claim.computation}' does not return a share")
        dec = PERCENT_DECIMALS[claim.precision]
        cands = rule_value(res, rule, dec) or rounded_candidates(res.value, dec)
        return published in cands
    value = Fraction(res.value)
    return value <= published if claim.precision == "at most" else value == published


def labels_match(claim: Claim, res: Labels) -> bool:
    expect = tuple(claim.args["expect"])
    if not res.ordered:
        return set(res.labels) == set(expect)
    if set(res.labels) != set(expect):
        return False
    if res.values is None:
        return res.labels == expect
    along = [res.values[x] for x in expect]  # the printed order must not put a smaller count before a larger one
    return all(a >= b for a, b in zip(along, along[1:]))


def _compare_number(claim: Claim, res: Number) -> Outcome:
    published = parse_number(claim.published)
    shown = _format_number(claim, res)
    basis = f"{res.num} of {res.den}" if res.den is not None else ""
    notes = [basis] if basis else []
    if res.detail:
        notes.append(res.detail)
    ok = number_matches(claim, res)
    if claim.precision in PERCENT_DECIMALS:
        dec = PERCENT_DECIMALS[claim.precision]
        cands = rounded_candidates(res.value, dec)
        if len(cands) > 1:
            notes.append("exactly halfway: " + " and ".join(f"{float(c):g}%" for c in sorted(cands)) + " both accepted")
        if not ok:
            notes.append(f"printed {claim.published}, recomputed {shown} (prints as "
                         + " or ".join(f"{float(c):g}%" for c in sorted(cands)) + ")")
            fits = explain_share(published, res.num, res.den, dec)
            notes.append("arithmetic fits (not explanations): " + "; or ".join(fits) if fits else
                         f"no numerator and denominator each within {MAX_SHIFT} of {res.num} and {res.den} give it")
    elif not ok:
        diff = Fraction(res.value) - published
        notes.append(f"printed {claim.published}, recomputed {shown} ({'+' if diff > 0 else ''}{diff} in the data)")
    return Outcome(claim, "reproduced" if ok else "differs", shown, "; ".join(n for n in notes if n), res)


def _compare_labels(claim: Claim, res: Labels) -> Outcome:
    expect = tuple(claim.args["expect"])
    shown = ("; " if not res.ordered else " > ").join(res.labels)
    ok = labels_match(claim, res)
    notes = [res.detail] if res.detail else []
    if not ok:
        extra = [x for x in res.labels if x not in expect]
        lacking = [x for x in expect if x not in res.labels]
        why = []
        if lacking:
            why.append("not recomputed: " + "; ".join(lacking))
        if extra:
            why.append("also recomputed: " + "; ".join(extra))
        if res.ordered and not why:
            why.append("same labels, different order")
        notes.insert(0, ", ".join(why))
    return Outcome(claim, "reproduced" if ok else "differs", shown, "; ".join(notes), res)


def compute(claim: Claim, tables: Tables, file: str = "claims.csv") -> Number | Labels:
    """The claim's recomputed value (raises :class:`NotReproducible`, or :class:`InputError` for bad args)."""
    fn = COMPUTATIONS[claim.computation]
    try:
        return fn(tables, claim.args)
    except KeyError as exc:
        raise InputError(f"{exc.args[0] if exc.args else exc} (claim {claim.claim_id})",
                         Location(file=file, row=claim.row, column=column_letter(CLAIM_COLUMNS.index("args") + 1), header="args"),
                         expected="names spelled as in the codebook and the survey tables") from None


def evaluate_claim(claim: Claim, tables: Tables, file: str = "claims.csv") -> Outcome:
    try:
        res = compute(claim, tables, file)
    except NotReproducible as exc:
        return Outcome(claim, "not_reproducible", "", str(exc))
    if isinstance(res, Labels):
        return _compare_labels(claim, res)
    return _compare_number(claim, res)


def _group_key(claim: Claim) -> tuple | None:
    part = PART_ARG.get(claim.computation)
    if part is None or claim.precision not in PERCENT_DECIMALS:
        return None
    rest = {k: v for k, v in claim.args.items() if k != part}
    return (claim.claim_id.split(".", 1)[0], claim.computation, json.dumps(rest, sort_keys=True))


def _explain_sets(outcomes: list[Outcome]) -> None:
    """Add the arithmetic fits of a set of shares printed together to its differing members."""
    groups: dict[tuple, list[Outcome]] = {}
    for o in outcomes:
        key = _group_key(o.claim)
        if key and isinstance(o.result, Number) and o.result.parts:
            groups.setdefault(key, []).append(o)
    for key, members in groups.items():
        if len(members) < 2 or all(o.status == "reproduced" for o in members):
            continue
        parts = members[0].result.parts
        dec = PERCENT_DECIMALS[members[0].claim.precision]
        published = {o.result.key: parse_number(o.claim.published) for o in members}
        sentences, _implied = explain_share_set(published, parts, dec)
        for o in members:
            if o.status == "differs" and sentences:
                o.note += "; set fits: " + "; or ".join(sentences)


def quantity_key(claim: Claim) -> str:
    """One id per distinct quantity: claims with the same computation and arguments (Fig. 2's 36 %,
    Fig. 3's row header and the text's two 36 %) measure the same quantity. Claims the package cannot
    recompute are each their own quantity."""
    if claim.computation == "not_in_package":
        return claim.claim_id
    args = {k: v for k, v in claim.args.items() if k != "expect"}
    return claim.computation + json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def outcomes_table(outcomes: list[Outcome]) -> "pd.DataFrame":
    import pandas as pd

    ids: dict[str, str] = {}
    for o in outcomes:  # q001, q002, ... in the order of first appearance
        ids.setdefault(quantity_key(o.claim), f"q{len(ids) + 1:03d}")
    rows = [{"claim_id": o.claim.claim_id, "location": o.claim.location, "description": o.claim.description,
             "published": o.claim.published, "reproduced": o.reproduced, "status": o.status, "note": o.note,
             "kind": o.claim.kind, "quantity": ids[quantity_key(o.claim)], "scope": o.claim.scope, "cause": o.cause}
            for o in outcomes]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def evaluate_outcomes(claims: list[Claim], tables: Tables, file: str = "claims.csv") -> list[Outcome]:
    outcomes = [evaluate_claim(c, tables, file) for c in claims]
    _explain_sets(outcomes)
    return outcomes


def evaluate(claims: list[Claim], tables: Tables, file: str = "claims.csv") -> "pd.DataFrame":
    """Recompute every claim: the table of :data:`RESULT_COLUMNS` with ``cause`` empty (the causes
    come from :func:`mlmismatch.replication.replicate.reproduce_claims`)."""
    return outcomes_table(evaluate_outcomes(claims, tables, file))


def load_tables(*, coding=None, survey=None, load_coding: Callable | None = None,
                load_survey: Callable | None = None) -> Tables:
    """Tables from already-loaded data or from loader callables; a loader's :class:`InputError`
    makes the claims that need it ``not_reproducible`` (with the error as the note)."""
    errors = {}
    if coding is None and load_coding is not None:
        try:
            coding = load_coding()
        except MlmismatchError as exc:
            errors["coding_error"] = str(exc)
    if survey is None and load_survey is not None:
        try:
            survey = load_survey()
        except MlmismatchError as exc:
            errors["survey_error"] = str(exc)
    return Tables(coding=coding, survey=survey, **errors)


def evaluate_claims(tables: Tables, path: str | Path | None = None) -> "pd.DataFrame":
    """Load ``claims.csv`` (default: the project's) and evaluate it against ``tables`` (no causes)."""
    path = Path(path) if path is not None else claims_path()
    return evaluate(load_claims(path), tables, file=path.name)


def status_counts(results: "pd.DataFrame") -> dict[str, int]:
    counts = results["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def section_of(claim_id: str) -> str:
    """'fig3.trained_model...' -> 'fig3'; 'text.s4....' -> 'text'."""
    return claim_id.split(".", 1)[0]
