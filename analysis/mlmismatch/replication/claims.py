"""The paper's claims, recomputed: published value beside reproduced value, with a status.

``paper/published/claims.csv`` (see its README) lists every quantitative statement of the paper with
the key of a computation in :data:`COMPUTATIONS` and its arguments. :func:`load_claims` reads and
validates it; :func:`evaluate` recomputes every claim from the loaders' tables and returns a tidy
table ``claim_id, location, description, published, reproduced, status, note``.

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

Explanations for ``differs`` (never used to change a status)
    1. For a share: the smallest change ``k`` (1..:data:`MAX_SHIFT`) of the denominator, of the
       numerator, or of both together (``k`` items fewer/more in this group and in the total) that
       gives the printed value, e.g. "matches a denominator of 37 instead of 38". All candidates at
       the smallest ``k`` are listed.
    2. For a set of shares of one distribution printed together (a figure's pie, the subcategories of
       one category): one part changed by ``k`` so that every printed share of the set matches, and
       largest-remainder rounding (shares forced to add up to 100%).
    3. For a count: the difference, and whether a set explanation above implies the printed count.

Computations are pure functions ``(Tables, args) -> Number | Labels``; they call the loaders' and
analyses' public functions (:mod:`mlmismatch.categories`, :mod:`mlmismatch.survey_stats`).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from mlmismatch.study.codebook import CATEGORY_CODES
from mlmismatch.core.errors import InputError, Location, MlmismatchError, column_letter
from mlmismatch.core import resources

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The transcribed claims, shipped in the package (``paper/published/claims.csv`` in the repository).
CLAIMS_FILE = "claims.csv"
CLAIM_COLUMNS = ["claim_id", "location", "description", "published", "unit", "precision", "kind", "computation", "args"]
RESULT_COLUMNS = ["claim_id", "location", "description", "published", "reproduced", "status", "note"]
STATUSES = ("reproduced", "differs", "not_reproducible")
KINDS = ("number", "qualitative")
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
    kind: str
    computation: str
    args: dict
    row: int = 0  # spreadsheet row in the CSV (header = row 1)


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
    """Recomputed label(s): ties are all listed; ``ordered`` for an order claim."""

    labels: tuple[str, ...]
    ordered: bool = False
    detail: str = ""


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
                          ("demo", "demographics")):
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
        return self._cached("roles", lambda: {str(k): int(v) for k, v in s.respondents["role"].value_counts(sort=False).items()})


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


def _shares(df: "pd.DataFrame", key_cols: list[str]) -> dict[str, Fraction]:
    return {" / ".join(str(r[c]) for c in key_cols): Fraction(int(r["n_important"]), int(r["n"]))
            for _, r in df.iterrows() if int(r["n"]) > 0}


def _vi_i(tables: Tables, role: str) -> "pd.DataFrame":
    """Per item: ``category, subcategory, n_important, n`` for one role (or all respondents)."""
    return tables._cached(f"vi_i:{role}", lambda: _vi_i_table(tables, role))


def _vi_i_row(tables: Tables, role: str, category: str, subcategory: str) -> "pd.Series":
    return _indexed_sub_row(tables, f"vi_i:{role}", lambda: _vi_i(tables, role), category, subcategory)


def _vi_i_table(tables: Tables, role: str) -> "pd.DataFrame":
    if role == ROLE_ALL:
        d = tables.distribution(False)
        return d[["category", "subcategory", "n_important", "n"]].assign(category=lambda x: x["category"].astype(str))
    t = _role_rows(tables.table2(), role)
    return t.rename(columns={"n_respondents": "n"})[["category", "subcategory", "n_important", "n"]]


def _pct(f: Fraction) -> str:
    return f"{float(100 * f):.1f}%"


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


def c_category_count(t: Tables, a: dict) -> Number:
    cats = t.categories()
    sel = cats[cats["category"] == _category(a)]
    return Number(int(sel["n_instances"].iloc[0]))


def c_category_share(t: Tables, a: dict) -> Number:
    cats = t.categories()
    parts = {str(r.category): int(r.n_instances) for r in cats.itertuples(index=False)}
    return Number.share(parts[_category(a)], sum(parts.values()), parts=parts, key=_category(a))


def c_subcategory_count(t: Tables, a: dict) -> Number:
    return Number(int(_indexed_sub_row(t, "subs", t.subcategories, _category(a), a["subcategory"])["n_instances"]))


def c_subcategory_share(t: Tables, a: dict) -> Number:
    _indexed_sub_row(t, "subs", t.subcategories, _category(a), a["subcategory"])  # KeyError if unknown

    def category_parts() -> dict[str, int]:
        subs = t.subcategories()
        cat = subs[subs["category"].astype(str) == _category(a)]
        return {str(r.subcategory): int(r.n_instances) for r in cat.itertuples(index=False)}

    parts = dict(t._cached(f"subparts:{_category(a)}", category_parts))
    return Number.share(parts[a["subcategory"]], sum(parts.values()), parts=parts, key=a["subcategory"])


def c_top_categories(t: Tables, a: dict) -> Labels:
    counts = {str(r.category): int(r.n_instances) for r in t.categories().itertuples(index=False)}
    return Labels(_ties(counts), detail=_fmt_counts(counts, 3))


def c_category_order(t: Tables, a: dict) -> Labels:
    cats = t.categories()  # sorted by count, ties in codebook order
    counts = {str(r.category): int(r.n_instances) for r in cats.itertuples(index=False)}
    tied = [n for n in set(counts.values()) if list(counts.values()).count(n) > 1]
    detail = _fmt_counts(counts, 7) + ("; ties: " + ", ".join(map(str, sorted(tied))) if tied else "")
    return Labels(tuple(counts), ordered=True, detail=detail)


def c_top_subcategories(t: Tables, a: dict) -> Labels:
    subs = t.subcategories()
    cat = subs[subs["category"].astype(str) == _category(a)]
    if cat.empty:
        raise KeyError(f"unknown category '{_category(a)}'")
    counts = dict(sorted(((str(r.subcategory), int(r.n_instances)) for r in cat.itertuples(index=False)), key=lambda kv: -kv[1]))
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
    d = t.demographics()
    d = d[d["variable"] == a["variable"]]
    if d.empty:
        raise KeyError(f"unknown demographic variable '{a['variable']}'")
    parts = {str(r.value): int(r.n) for r in d.itertuples(index=False)}
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
    d = _vi_i(t, a["role"])
    d = d[d["category"].astype(str) == _category(a)]
    if d.empty:
        raise KeyError(f"unknown category '{_category(a)}'")
    shares = dict(sorted(_shares(d, ["subcategory"]).items(), key=lambda kv: -kv[1]))
    return Labels(_ties(shares), detail=f"VI+I share ({a['role']}): " + _fmt_counts({k: _pct(v) for k, v in shares.items()}, 4))


def c_roles_with_subcategory_on_top(t: Tables, a: dict) -> Labels:
    roles = [r for r in t.role_counts()]
    on_top, detail = [], []
    for role in roles:
        d = _vi_i(t, role)
        d = d[d["category"].astype(str) == _category(a)]
        shares = _shares(d, ["subcategory"])
        if a["subcategory"] not in shares:
            raise KeyError(f"unknown subcategory '{a['subcategory']}' of '{_category(a)}'")
        top = max(shares.values())
        if shares[a["subcategory"]] == top:
            on_top.append(role)
        detail.append(f"{role}: {_pct(shares[a['subcategory']])} (category maximum {_pct(top)})")
    return Labels(tuple(on_top) or ("none",), detail="; ".join(detail))


def c_top_vi_i_overall(t: Tables, a: dict) -> Labels:
    d = _vi_i(t, a.get("role", ROLE_ALL))
    shares = _shares(d.assign(label=d["category"].astype(str) + ": " + d["subcategory"].astype(str)), ["label"])
    top = _ties(shares)
    runner = sorted(set(shares.values()), reverse=True)
    detail = f"highest {_pct(runner[0])}" + (f", next {_pct(runner[1])}" if len(runner) > 1 else "")
    return Labels(top, detail=detail)


def c_least_vi_i_all_roles(t: Tables, a: dict) -> Labels:
    common, detail = None, []
    for role in a.get("roles") or list(t.role_counts()):
        d = _vi_i(t, role)
        shares = _shares(d.assign(label=d["category"].astype(str) + ": " + d["subcategory"].astype(str)), ["label"])
        low = set(_ties(shares, min))
        common = low if common is None else common & low
        detail.append(f"{role} minimum {_pct(min(shares.values()))}: {'; '.join(sorted(low))}")
    return Labels(tuple(sorted(common)) or ("none common to all roles",), detail=" | ".join(detail))


def c_most_answer(t: Tables, a: dict) -> Labels:
    d = t.distribution(False)
    if a.get("category"):
        d = d[d["category"].astype(str) == a["category"]]
        key = d["subcategory"].astype(str)
    else:
        key = d["category"].astype(str) + ": " + d["subcategory"].astype(str)
    counts = dict(sorted(zip(key, d[a["answer"]].astype(int)), key=lambda kv: -kv[1]))
    return Labels(_ties(counts), detail=f"'{a['answer']}' answers: " + _fmt_counts(counts, 4))


def c_modal_answer_in_category_all_roles(t: Tables, a: dict) -> Labels:
    from mlmismatch.study.survey import LEVELS

    d = t.distribution(True)
    d = d[d["category"].astype(str) == _category(a)]
    subs = list(dict.fromkeys(d["subcategory"].astype(str)))
    holds = {lvl: 0 for lvl in LEVELS}
    for sub in subs:
        rows = d[d["subcategory"].astype(str) == sub]
        for lvl in LEVELS:
            # the level is a most frequent answer (ties allowed) in every role
            if all(int(r[lvl]) == max(int(r[x]) for x in LEVELS) and int(r["n"]) > 0 for _, r in rows.iterrows()):
                holds[lvl] += 1
    winners = tuple(lvl for lvl, n in holds.items() if 2 * n > len(subs))
    detail = "subcategories where the answer is the most frequent in every role: " + _fmt_counts(
        {lvl: f"{n}/{len(subs)}" for lvl, n in holds.items()})
    return Labels(winners or ("none",), detail=detail)


def c_majority_answer_every_subcategory(t: Tables, a: dict) -> Labels:
    d = t.distribution(False)
    shares = _shares(d.assign(label=d["category"].astype(str) + ": " + d["subcategory"].astype(str)), ["label"])
    low = min(shares.values())
    failing = [k for k, v in shares.items() if v <= Fraction(1, 2)]
    label = "Important or Very Important" if not failing else "not for: " + "; ".join(failing)
    lows = _ties(shares, min)
    return Labels((label,), detail=f"lowest Important-or-Very-Important share {_pct(low)} ({'; '.join(lows)})")


def c_role_with_highest_vi_i(t: Tables, a: dict) -> Labels:
    shares = {}
    for role in a.get("roles") or list(t.role_counts()):
        row = _vi_i_row(t, role, _category(a), a["subcategory"])
        shares[role] = Fraction(int(row["n_important"]), int(row["n"]))
    return Labels(_ties(shares), detail="VI+I share: " + ", ".join(f"{r} {_pct(v)}" for r, v in shares.items()))


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
}

#: computation key -> the args it requires (checked when the CSV is loaded).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "not_in_package": ("missing",),
    "category_count": ("category",), "category_share": ("category",),
    "subcategory_count": ("category", "subcategory"), "subcategory_share": ("category", "subcategory"),
    "top_subcategories": ("category",), "role_size": ("role",),
    "demographic_share": ("variable", "value"),
    "answer_count": ("category", "subcategory", "answer"),
    "vi_i_count": ("category", "subcategory", "role"), "vi_i_pct": ("category", "subcategory", "role"),
    "top_vi_i_in_category": ("category", "role"),
    "roles_with_subcategory_on_top": ("category", "subcategory"),
    "most_answer": ("answer",), "modal_answer_in_category_all_roles": ("category",),
    "role_with_highest_vi_i": ("category", "subcategory"),
}
#: which argument names the part of a distribution (for explaining a set of shares together).
PART_ARG = {"category_share": "category", "subcategory_share": "subcategory", "demographic_share": "value"}


# --------------------------------------------------------------------------------------------
# Loading and validating claims.csv
# --------------------------------------------------------------------------------------------
def parse_number(text: str) -> Fraction | None:
    """'36%' -> 36, '140' -> 140, 'three' -> 3, '12.5%' -> 25/2; anything else -> None."""
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
    (501, 'fig1.affiliation.government.share')
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
        for i, col in enumerate(CLAIM_COLUMNS):
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
    val = {c: record[idx[c]].strip() for c in CLAIM_COLUMNS}
    for col in ("claim_id", "location", "published", "kind", "computation", "precision"):
        if not val[col]:
            raise InputError(f"empty {col}", _where(file, row, idx, col))
    cid = val["claim_id"]
    if not _ID_RE.match(cid):
        raise InputError(f"claim_id '{cid}' has characters other than letters, digits and _ . + -", _where(file, row, idx, "claim_id"))
    if cid in seen:
        raise InputError(f"duplicate claim_id '{cid}' (first on row {seen[cid]})", _where(file, row, idx, "claim_id"))
    seen[cid] = row
    if val["kind"] not in KINDS:
        raise InputError(f"unknown kind '{val['kind']}'", _where(file, row, idx, "kind"), expected=" or ".join(KINDS))
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
        if val["kind"] == "qualitative":
            exp = args.get("expect")
            if not (isinstance(exp, list) and exp and all(isinstance(x, str) for x in exp)):
                raise InputError("a qualitative claim needs args 'expect': a list of the published label(s)",
                                 _where(file, row, idx, "args"))
        elif parse_number(val["published"]) is None:
            raise InputError(f"published value '{val['published']}' is not a number", _where(file, row, idx, "published"),
                             expected="a count (140, three) or a percentage (36%)")
    return Claim(cid, val["location"], val["description"], val["published"], val["unit"], val["precision"],
                 val["kind"], comp, args, row)


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


def explain_share(published: Fraction, num: int, den: int, decimals: int = 0, max_shift: int = MAX_SHIFT) -> list[str]:
    """Smallest change of numerator and/or denominator that gives the printed percentage.

    Tries k = 1..max_shift: denominator ±k, numerator ±k, and both ±k together (k items fewer or more
    in this group and in the total). Returns every candidate at the smallest k that has any.
    """
    for k in range(1, max_shift + 1):
        found = []
        for d in (-k, k):
            if den + d > 0 and num <= den + d and percent_matches(published, Fraction(100 * num, den + d), decimals):
                found.append(f"matches a denominator of {den + d} instead of {den}")
        for d in (-k, k):
            if 0 <= num + d <= den and percent_matches(published, Fraction(100 * (num + d), den), decimals):
                found.append(f"matches a numerator of {num + d} instead of {num}")
        for d in (-k, k):
            n2, d2 = num + d, den + d
            if d2 > 0 and 0 <= n2 <= d2 and percent_matches(published, Fraction(100 * n2, d2), decimals):
                word = "fewer" if d < 0 else "more"
                found.append(f"matches {n2} of {d2} ({abs(d)} {word} in this group and in the total)")
        if found:
            return found
    return []


def largest_remainder(parts: dict[str, int], decimals: int = 0) -> dict[str, Fraction]:
    """Shares (percent) of each part rounded so that they add up to exactly 100 (Hamilton's method)."""
    from mlmismatch.core.numbers import largest_remainder as lr

    return {k: Fraction(v) for k, v in zip(parts, lr(list(parts.values()), decimals))}


def explain_share_set(published: dict[str, Fraction], parts: dict[str, int], decimals: int = 0,
                      max_shift: int = MAX_SHIFT) -> tuple[list[str], dict[str, int]]:
    """Explain a set of printed shares of one distribution together.

    Returns (sentences, implied counts): the smallest single-part change that makes every printed
    share match, and whether largest-remainder rounding reproduces them all.
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


def _format_number(claim: Claim, res: Number) -> str:
    if claim.precision in PERCENT_DECIMALS or res.den is not None:
        d = PERCENT_DECIMALS.get(claim.precision, 0) + 1
        return f"{float(res.value):.{d}f}%"
    return str(int(res.value))


def _compare_number(claim: Claim, res: Number) -> Outcome:
    published = parse_number(claim.published)
    shown = _format_number(claim, res)
    basis = f"{res.num} of {res.den}" if res.den is not None else ""
    notes = [basis] if basis else []
    if res.detail:
        notes.append(res.detail)
    if claim.precision in PERCENT_DECIMALS:
        if res.den is None:
            raise ValueError(f"{claim.claim_id}: computation '{claim.computation}' does not return a share")
        dec = PERCENT_DECIMALS[claim.precision]
        cands = rounded_candidates(res.value, dec)
        ok = published in cands
        if len(cands) > 1:
            notes.append("exactly halfway: " + " and ".join(f"{float(c):g}%" for c in sorted(cands)) + " both accepted")
        if not ok:
            expl = explain_share(published, res.num, res.den, dec)
            notes.append(f"printed {claim.published}, recomputed {shown} (prints as "
                         + " or ".join(f"{float(c):g}%" for c in sorted(cands)) + ")")
            notes.append("; or ".join(expl) if expl else f"no change of up to {MAX_SHIFT} in numerator or denominator gives it")
    else:
        value = Fraction(res.value)
        ok = value <= published if claim.precision == "at most" else value == published
        if not ok:
            diff = value - published
            notes.append(f"printed {claim.published}, recomputed {shown} ({'+' if diff > 0 else ''}{diff} in the data)")
    return Outcome(claim, "reproduced" if ok else "differs", shown, "; ".join(n for n in notes if n), res)


def _compare_labels(claim: Claim, res: Labels) -> Outcome:
    expect = tuple(claim.args["expect"])
    shown = ("; " if not res.ordered else " > ").join(res.labels)
    ok = (res.labels == expect) if res.ordered else (set(res.labels) == set(expect))
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


def evaluate_claim(claim: Claim, tables: Tables, file: str = "claims.csv") -> Outcome:
    fn = COMPUTATIONS[claim.computation]
    try:
        res = fn(tables, claim.args)
    except NotReproducible as exc:
        return Outcome(claim, "not_reproducible", "", str(exc))
    except KeyError as exc:
        raise InputError(f"{exc.args[0] if exc.args else exc} (claim {claim.claim_id})",
                         Location(file=file, row=claim.row, column=column_letter(CLAIM_COLUMNS.index("args") + 1), header="args"),
                         expected="names spelled as in the codebook and the survey tables") from None
    if isinstance(res, Labels):
        return _compare_labels(claim, res)
    return _compare_number(claim, res)


def _group_key(claim: Claim) -> tuple | None:
    part = PART_ARG.get(claim.computation)
    if part is None or claim.precision not in PERCENT_DECIMALS:
        return None
    rest = {k: v for k, v in claim.args.items() if k != part}
    return (claim.claim_id.split(".", 1)[0], claim.computation, json.dumps(rest, sort_keys=True))


def _explain_sets(outcomes: list[Outcome]) -> dict[tuple[str, str], tuple[int, str]]:
    """Add set explanations to differing shares; return implied counts {(category, subcategory): (n, claim_ids)}."""
    groups: dict[tuple, list[Outcome]] = {}
    for o in outcomes:
        key = _group_key(o.claim)
        if key and isinstance(o.result, Number) and o.result.parts:
            groups.setdefault(key, []).append(o)
    implied_counts = {}
    for key, members in groups.items():
        if len(members) < 2 or all(o.status == "reproduced" for o in members):
            continue
        parts = members[0].result.parts
        dec = PERCENT_DECIMALS[members[0].claim.precision]
        published = {o.result.key: parse_number(o.claim.published) for o in members}
        sentences, implied = explain_share_set(published, parts, dec)
        if not sentences:
            continue
        for o in members:
            if o.status == "differs":
                o.note += "; " + "; or ".join(sentences)
        if key[1] == "subcategory_share":
            category = json.loads(key[2]).get("category")
            for part, n in implied.items():
                implied_counts[(category, part)] = (n, members[0].claim.claim_id.rsplit(".", 2)[0] + ".*")
    return implied_counts


def evaluate(claims: list[Claim], tables: Tables, file: str = "claims.csv") -> "pd.DataFrame":
    """Recompute every claim: ``claim_id, location, description, published, reproduced, status, note``."""
    import pandas as pd

    outcomes = [evaluate_claim(c, tables, file) for c in claims]
    implied = _explain_sets(outcomes)
    for o in outcomes:
        if o.status == "differs" and o.claim.computation == "subcategory_count":
            hit = implied.get((o.claim.args.get("category"), o.claim.args.get("subcategory")))
            if hit and Fraction(hit[0]) == parse_number(o.claim.published):
                o.note += f"; consistent with the printed shares {hit[1]}, which all match {hit[0]} instances"
    rows = [{"claim_id": o.claim.claim_id, "location": o.claim.location, "description": o.claim.description,
             "published": o.claim.published, "reproduced": o.reproduced, "status": o.status, "note": o.note}
            for o in outcomes]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


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


def reproduce_claims(tables: Tables, path: str | Path | None = None) -> "pd.DataFrame":
    """Load ``claims.csv`` (default: the project's) and evaluate it against ``tables``."""
    path = Path(path) if path is not None else claims_path()
    return evaluate(load_claims(path), tables, file=path.name)


def status_counts(results: "pd.DataFrame") -> dict[str, int]:
    counts = results["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def section_of(claim_id: str) -> str:
    """'fig3.trained_model...' -> 'fig3'; 'text.s4....' -> 'text'."""
    return claim_id.split(".", 1)[0]
