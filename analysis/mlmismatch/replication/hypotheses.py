"""Hypothesis-tested explanations for the claims that differ.

A printed value that differs from the data may still have come from the data: from the data as it
was when the figure was made (an interview not yet coded, a response not yet received), from a
group left out of a denominator, from the figure tool's rounding, or from another reading of the
words (a measure, a unit). This module searches a declared space of such hypotheses against the
whole data set and keeps only those the data supports. It never changes a status: a claim that
differs still differs; its ``cause`` says why, or ``unexplained`` and what was tried.

The space (:func:`hypothesis_space`)
    data, coding workbook
        leave out one interview; leave out one mismatch; add one interview or mismatch found in
        another sheet of the workbook (the cross-checks of :mod:`mlmismatch.study.coding` find none)
    data, survey workbook
        leave out one respondent; only the first k responses in completion order (the sheet's row
        order; timestamps are never read); one answer group dropped from the denominators (the
        respondents who gave one answer to a demographic question, e.g. primary role "Other");
        add one respondent found in another sheet (none: every sheet holds the same 31)
    figure tool
        shares rounded half up (the default), to add up to 100 % (largest remainder), or as a
        spreadsheet pie chart labels them (:func:`~mlmismatch.replication.claims.excel_pie_labels`);
        each data hypothesis is also tried with each rounding rule
    reading
        another measure of importance for a qualitative survey statement
        (:data:`~mlmismatch.replication.claims.MEASURE_OPTIONS`); counts in the other unit
        (coded instances instead of mismatches)

Scope and acceptance
    A claim's ``scope`` is the printed set the authors computed at one time: a figure, one panel of
    a figure, a table, a paragraph (``paper/published/claims.csv``). A hypothesis is *accepted* in a
    scope when, within it, it makes every differing claim it acts on match, breaks none of the
    scope's reproduced claims, and each of its parts matters there (its data change alters a value
    of the scope or of the figure the scope prints or quotes; its rounding rule changes a verdict
    there). Rounding rules apply to a set of shares printed together; a claim printing or quoting a
    figure follows that figure's rule.

Choice and causes
    Each differing claim gets, among the hypotheses accepted in its scope, the one that explains the
    most claims across all scopes (ties: the simpler, then the id). Its cause record
    (:class:`Cause`) lists the hypothesis, the scopes, the evidence (how many members of its family
    fit; the workbooks' own sheets and charts where they bear on it), the claims it explains and the
    reproduced claims it would break outside its scope (evidence about when each figure was made).
    A cause resting on one scope and no workbook evidence is marked ``weak``: with many hypotheses
    tried, one may fit by chance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterable

from mlmismatch.core.errors import InputError
from mlmismatch.replication.claims import (CODING_COMPUTATIONS, MEASURE_LABELS, MEASURE_OPTIONS, PERCENT_DECIMALS,
                                           ROUNDING_RULES, Claim, Labels, NotReproducible, Number, Outcome, Tables,
                                           compute, labels_match, number_matches)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Computations too costly to repeat for every data hypothesis (a permutation test); their claims are
#: tested only under reading hypotheses, and their "tried" says so.
HEAVY = frozenset({"roles_prioritise_differently"})
#: Demographic columns of the survey whose answer groups may be dropped from a denominator.
ANSWER_GROUP_COLUMNS = ("role", "primary_role", "affiliation_group", "years_total", "years_ml")
CAUSE_COLUMNS = ["cause_id", "family", "hypothesis", "strength", "scopes", "evidence", "n_claims", "claims_explained",
                 "n_would_break", "claims_it_would_break", "alternatives"]
SEARCH_COLUMNS = ["hypothesis", "family", "scope", "accepted", "n_explained", "explained", "n_broken", "broken",
                  "why_not"]


# --------------------------------------------------------------------------------------------
# Hypotheses
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hypothesis:
    """One way the printed values could have come from the data.

    ``data`` is ``coding``, ``survey`` or ``""`` (no change of the data); ``change`` maps the loaded
    data to the changed data; ``rule`` is the figure tool's rounding; ``reading`` replaces claim
    args (``measure`` or ``unit``) for the claims that take them.
    """

    id: str
    family: str
    text: str
    data: str = ""
    change: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)
    rule: str = "half_up"
    reading: tuple[tuple[str, str], ...] = ()

    @property
    def parts(self) -> int:
        """How many parts the hypothesis has (a simpler one is preferred on ties)."""
        return bool(self.data) + (self.rule != "half_up") + bool(self.reading)

    def with_rule(self, rule: str) -> "Hypothesis":
        return replace(self, id=f"{self.id}+{rule}", text=f"{self.text}; {ROUNDING_RULES[rule]}",
                       family=f"{self.family} + figure tool", rule=rule)

    def acts_on(self, claim: Claim) -> bool:
        """Whether the hypothesis can change the claim's value or verdict."""
        if claim.computation == "not_in_package":
            return False
        if self.reading:
            key = self.reading[0][0]
            if key == "measure":
                return dict(self.reading)["measure"] in MEASURE_OPTIONS.get(claim.computation, ())
            return key in claim.args
        acts = False
        if self.data and claim.computation not in HEAVY:
            acts = (claim.computation in CODING_COMPUTATIONS) == (self.data == "coding")
        if self.rule != "half_up" and claim.precision in PERCENT_DECIMALS:
            acts = True
        return acts

    def claim_under(self, claim: Claim) -> Claim:
        if self.reading and self.acts_on(claim):
            return claim.with_args(**dict(self.reading))
        return claim


def _with(obj, **changes):
    """``obj`` with some attributes replaced (a dataclass, or any object with those attributes)."""
    from dataclasses import is_dataclass

    if is_dataclass(obj):
        return replace(obj, **changes)
    import copy

    new = copy.copy(obj)
    for k, v in changes.items():
        setattr(new, k, v)
    return new


def _drop_mismatches(coding, keep: Callable[["pd.DataFrame"], "pd.Series"]):
    inst = coding.instances[keep(coding.instances)]
    mism = coding.mismatches[coding.mismatches["mismatch_id"].isin(set(inst["mismatch_id"]))
                             & keep(coding.mismatches)]
    return _with(coding, instances=inst.reset_index(drop=True), mismatches=mism.reset_index(drop=True))


def _keep_respondents(survey, ids: Iterable[str]):
    ids = set(ids)
    resp = survey.respondents[survey.respondents["respondent"].isin(ids)].reset_index(drop=True)
    return _with(survey, respondents=resp,
                 responses=survey.responses[survey.responses["respondent"].isin(ids)].reset_index(drop=True))


def hypothesis_space(tables: Tables, *, claims: list[Claim] = (), extra: list[Hypothesis] = ()) -> list[Hypothesis]:
    """The declared space (see the module docstring) for the loaded data."""
    rules = [r for r in ROUNDING_RULES if r != "half_up"]
    out: list[Hypothesis] = [Hypothesis(f"rule:{r}", "figure tool: rounding", ROUNDING_RULES[r], rule=r) for r in rules]
    data: list[Hypothesis] = []
    if tables.coding is not None:
        coding = tables.coding
        for iv in sorted(coding.mismatches["interview"].unique()):
            ids = sorted(coding.mismatches.loc[coding.mismatches["interview"] == iv, "mismatch_id"])
            data.append(Hypothesis(
                f"coding:without-interview-{iv:02d}", "data: leave out one interview",
                f"interview {iv} left out (its {len(ids)} mismatch(es) {', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''} "
                "not yet coded when the figure was made)", "coding",
                lambda c, iv=iv: _drop_mismatches(c, lambda d: d["interview"] != iv)))
        for mid in coding.mismatches["mismatch_id"]:
            data.append(Hypothesis(f"coding:without-{mid}", "data: leave out one mismatch", f"mismatch {mid} left out",
                                   "coding", lambda c, mid=mid: _drop_mismatches(c, lambda d: d["mismatch_id"] != mid)))
    if tables.survey is not None:
        survey = tables.survey
        order = list(survey.respondents["respondent"])
        for rid in order:
            data.append(Hypothesis(f"survey:without-{rid}", "data: leave out one respondent",
                                   f"respondent {rid} left out", "survey",
                                   lambda s, rid=rid: _keep_respondents(s, [r for r in order if r != rid])))
        for k in range(2, len(order)):
            data.append(Hypothesis(f"survey:first-{k}", "data: responses in completion order",
                                   f"only the first {k} of {len(order)} responses (sheet order, taken as completion order)",
                                   "survey", lambda s, k=k: _keep_respondents(s, order[:k])))
        resp = survey.respondents
        for col in ANSWER_GROUP_COLUMNS:
            if col not in resp:
                continue
            for value in [v for v in dict.fromkeys(resp[col].dropna().astype(str))]:
                ids = list(resp.loc[resp[col].astype(str) != value, "respondent"])
                if 0 < len(ids) < len(order):
                    data.append(Hypothesis(
                        f"survey:without-{col}={value}", "data: an answer group dropped from the denominator",
                        f"the {len(order) - len(ids)} respondent(s) answering {col} = '{value}' left out of the denominators",
                        "survey", lambda s, ids=tuple(ids): _keep_respondents(s, ids)))
    out += data + [h.with_rule(r) for h in data for r in rules]
    measures = sorted({m for c in claims for m in MEASURE_OPTIONS.get(c.computation, ()) if m != c.args.get("measure")})
    out += [Hypothesis(f"reading:measure={m}", "reading: another measure", f"the statement read by: {MEASURE_LABELS[m]}",
                       reading=(("measure", m),)) for m in measures]
    units = sorted({u for c in claims if "unit" in c.args for u in ("instances", "mismatches") if u != c.args["unit"]})
    out += [Hypothesis(f"reading:unit={u}", "reading: another unit",
                       f"the printed count is of {'coded instances' if u == 'instances' else 'mismatches'}",
                       reading=(("unit", u),)) for u in units]
    return out + list(extra)


# --------------------------------------------------------------------------------------------
# Evaluating a hypothesis
# --------------------------------------------------------------------------------------------
class _Fast:
    """The loaded data as arrays, so that the tables the claims read can be recomputed for a subset of
    mismatches or respondents in a fraction of the time the pandas functions take (the search
    recomputes them a few hundred times). The frames keep the baseline's rows and columns; only the
    counts change, so the claims read them exactly as they read the originals (a test checks that
    the full subset gives the baseline frames back)."""

    def __init__(self, tables: Tables):
        import numpy as np

        from mlmismatch.study.survey import LEVELS

        self.tables = tables
        if tables.coding is not None:
            subs = tables.subcategories()
            self.subs = subs
            pos = {k: i for i, k in enumerate(zip(subs["category"].astype(str), subs["subcategory"].astype(str)))}
            inst = tables.coding.instances
            self.inst_sub = np.array([pos[k] for k in zip(inst["category"].astype(str), inst["subcategory"].astype(str))])
            self.sub_cat = subs["category"].astype(str).to_numpy()
            from mlmismatch.replication.claims import _indexed_sub_row

            if len(subs):  # build the baseline's (category, subcategory) -> row index once, to share it
                _indexed_sub_row(tables, "subs", tables.subcategories, str(subs["category"].iloc[0]),
                                 str(subs["subcategory"].iloc[0]))
        if tables.survey is not None:
            s = tables.survey
            self.levels = list(LEVELS)
            self.resp_ids = list(s.respondents["respondent"])
            items = list(s.items["item"])
            r_pos = {r: i for i, r in enumerate(self.resp_ids)}
            i_pos = {it: j for j, it in enumerate(items)}
            onehot = np.zeros((len(self.resp_ids), len(items), len(LEVELS)))
            answered = s.responses[s.responses["answer"].notna()]
            lv = {l: k for k, l in enumerate(LEVELS)}
            for r, it, a in zip(answered["respondent"], answered["item"], answered["answer"].astype(str)):
                onehot[r_pos[r], i_pos[it], lv[a]] = 1
            self.onehot = onehot
            self.i_pos = i_pos
            self.role_of = s.respondents["role"].astype(str).to_numpy()
            self.dist = {False: tables.distribution(False), True: tables.distribution(True)}
            self.table2 = tables.table2()

    def coding_tables(self, coding) -> Tables:
        import numpy as np

        t = Tables(coding=coding, survey=self.tables.survey)
        keep = self.tables.coding.instances["mismatch_id"].isin(set(coding.mismatches["mismatch_id"])).to_numpy()
        counts = np.bincount(self.inst_sub[keep], minlength=len(self.subs))
        subs = self.subs.copy()
        subs["n_instances"] = counts
        per_cat = subs.groupby("category")["n_instances"].transform("sum")
        subs["share_in_category_pct"] = (100.0 * subs["n_instances"] / per_cat.where(per_cat > 0)).fillna(0.0)
        subs["share_pct"] = 100.0 * subs["n_instances"] / max(int(counts.sum()), 1)
        t._cache["subs"] = subs
        base_index = self.tables._cache.get("index:subs")
        if base_index:
            t._cache["index:subs"] = (subs, base_index[1])
        return t

    def _counts_frame(self, frame: "pd.DataFrame", counts_of) -> "pd.DataFrame":
        import numpy as np

        from mlmismatch.analyses.survey_stats import small_n_caveat

        df = frame.copy()
        c = np.array([counts_of(row) for row in zip(df["item"], df["role"] if "role" in df else [None] * len(df))])
        n = c.sum(axis=1)
        df[self.levels] = c.astype(int)
        df["n"] = n.astype(int)
        df["n_important"] = (c[:, 2] + c[:, 3]).astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            df["pct_important"] = np.round(100 * df["n_important"] / np.where(n > 0, n, np.nan), 2)
            df["mean_score"] = np.round((c @ np.arange(1, 5)) / np.where(n > 0, n, np.nan), 3)
        cum = np.cumsum(c, axis=1)

        def value_at(row, k):  # the (k+1)-th smallest answer score, from the cumulative counts
            return int(np.searchsorted(row, k, side="right")) + 1

        med = [(value_at(row, (m - 1) // 2) + value_at(row, m // 2)) / 2 if m else float("nan")
               for row, m in zip(cum, n.astype(int))]
        df["median_score"] = med
        if "caveat" in df:
            df["caveat"] = [small_n_caveat(int(k)) for k in n]
        return df

    def survey_tables(self, survey) -> Tables:
        import numpy as np

        t = Tables(coding=self.tables.coding, survey=survey)
        keep = np.isin(np.array(self.resp_ids), list(survey.respondents["respondent"]))
        all_counts = self.onehot[keep].sum(axis=0)
        role_counts = {r: self.onehot[keep & (self.role_of == r)].sum(axis=0) for r in set(self.role_of)}
        t._cache["distFalse"] = self._counts_frame(self.dist[False], lambda k: all_counts[self.i_pos[k[0]]])
        t._cache["distTrue"] = self._counts_frame(self.dist[True], lambda k: role_counts[str(k[1])][self.i_pos[k[0]]])
        t2 = self.table2.copy()
        c = np.array([role_counts[str(r)][self.i_pos[it]] for it, r in zip(t2["item"], t2["role"])])
        t2["n_important"] = (c[:, 2] + c[:, 3]).astype(int)
        t2["n_respondents"] = c.sum(axis=1).astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            t2["pct"] = np.round(100 * t2["n_important"] / t2["n_respondents"].where(t2["n_respondents"] > 0), 2)
        t._cache["table2"] = t2
        return t


def _tables_under(h: Hypothesis, tables: Tables, fast: _Fast | None = None) -> Tables:
    if h.data == "coding":
        changed = h.change(tables.coding)
        return fast.coding_tables(changed) if fast else Tables(coding=changed, survey=tables.survey)
    if h.data == "survey":
        changed = h.change(tables.survey)
        return fast.survey_tables(changed) if fast else Tables(coding=tables.coding, survey=changed)
    return tables


def _value_key(res) -> Any:
    if isinstance(res, Number):
        return (res.value, tuple(sorted(res.parts.items())) if res.parts else None)
    if isinstance(res, Labels):
        return res.labels
    return res


def _compute(h: Hypothesis, claim: Claim, tables: Tables, file: str):
    """The claim's value under the hypothesis's data change and reading (None: not computable)."""
    try:
        return compute(h.claim_under(claim), tables, file)
    except (NotReproducible, InputError):  # e.g. a role group the hypothesis left empty
        return None


def _matches(h: Hypothesis, claim: Claim, res, rule: str | None = None) -> bool | None:
    if res is None:
        return None
    c = h.claim_under(claim)
    if isinstance(res, Labels):
        return labels_match(c, res)
    return number_matches(c, res, rule or h.rule)


@dataclass
class ScopeResult:
    hypothesis: Hypothesis
    scope: str
    accepted: bool
    explained: list[str]
    broken: list[str]
    why_not: str = ""


@dataclass
class Cause:
    cause_id: str
    hypothesis: Hypothesis
    strength: str
    scopes: list[str]
    evidence: str
    claims: list[str]
    would_break: list[str]
    alternatives: list[str]

    def row(self) -> dict:
        return {"cause_id": self.cause_id, "family": self.hypothesis.family, "hypothesis": self.hypothesis.text,
                "strength": self.strength, "scopes": "; ".join(self.scopes), "evidence": self.evidence,
                "n_claims": len(self.claims), "claims_explained": "; ".join(self.claims),
                "n_would_break": len(self.would_break), "claims_it_would_break": "; ".join(self.would_break),
                "alternatives": " | ".join(self.alternatives)}


@dataclass
class Search:
    """The result of :func:`search`: every accepted or near-miss (hypothesis, scope), the causes,
    and for each unexplained claim what was tried."""

    results: list[ScopeResult]
    causes: list[Cause]
    cause_of: dict[str, str]
    tried: dict[str, str]
    n_hypotheses: dict[str, int]

    def assign_causes(self, outcomes: list[Outcome]) -> None:
        """Set each differing outcome's ``cause`` (an id of :attr:`causes`, or ``unexplained``) and add
        the explanation or what was tried to its note. Statuses are not touched."""
        by_id = {c.cause_id: c for c in self.causes}
        for o in outcomes:
            if o.status != "differs":
                continue
            cid = self.cause_of.get(o.claim.claim_id)
            if cid:
                o.cause = cid
                c = by_id[cid]
                o.note += f"; cause {cid} ({c.strength}): {c.hypothesis.text}"
            else:
                o.cause = "unexplained"
                o.note += "; unexplained, tried: " + self.tried.get(o.claim.claim_id, "nothing applies")

    def causes_table(self) -> "pd.DataFrame":
        import pandas as pd

        return pd.DataFrame([c.row() for c in self.causes], columns=CAUSE_COLUMNS)

    def search_table(self) -> "pd.DataFrame":
        import pandas as pd

        rows = [{"hypothesis": r.hypothesis.id, "family": r.hypothesis.family, "scope": r.scope, "accepted": r.accepted,
                 "n_explained": len(r.explained), "explained": "; ".join(r.explained), "n_broken": len(r.broken),
                 "broken": "; ".join(r.broken), "why_not": r.why_not} for r in self.results]
        return pd.DataFrame(rows, columns=SEARCH_COLUMNS)

    def unexplained_table(self, outcomes: list[Outcome]) -> "pd.DataFrame":
        import pandas as pd

        rows = [{"claim_id": o.claim.claim_id, "scope": o.claim.scope, "published": o.claim.published,
                 "reproduced": o.reproduced, "tried": self.tried.get(o.claim.claim_id, "")}
                for o in outcomes if o.status == "differs" and o.claim.claim_id not in self.cause_of]
        return pd.DataFrame(rows, columns=["claim_id", "scope", "published", "reproduced", "tried"])


def search(outcomes: list[Outcome], tables: Tables, *, file: str = "claims.csv",
           evidence: dict[str, list[str]] | None = None, extra: list[Hypothesis] = ()) -> Search:
    """Search the hypothesis space for the differing claims of ``outcomes`` (see the module docstring).

    ``evidence`` maps a hypothesis id (or an id prefix ending in ``*``) to sentences from the
    workbooks' own sheets and charts that bear on it (:mod:`mlmismatch.replication.crosscheck`).
    """
    evidence = evidence or {}
    claims = [o.claim for o in outcomes]
    base = {o.claim.claim_id: o for o in outcomes}
    differs = {cid for cid, o in base.items() if o.status == "differs"}
    scopes: dict[str, list[Claim]] = {}
    for c in claims:
        scopes.setdefault(c.scope, []).append(c)
    targets = sorted({base[cid].claim.scope for cid in differs})
    figures_of_targets = {c.figure for s in targets for c in scopes[s] if c.figure}
    relevant = [c for c in claims if c.scope in targets or (c.figure and c.figure in figures_of_targets)]
    space = hypothesis_space(tables, claims=[base[cid].claim for cid in differs], extra=extra)
    n_hyp: dict[str, int] = {}
    for h in space:
        n_hyp[h.family] = n_hyp.get(h.family, 0) + 1
    # "add one unit": only units found in another sheet of the workbook count; there are none when the
    # workbook's own summaries hold exactly the loaded units
    if tables.coding is not None:
        q = tables.coding.quality
        extra = q[q["check"].str.startswith("mismatch sheet vs interview sheets") & (q["status"] == "disagrees")]
        n_hyp["data: add one interview or mismatch found in another sheet (none: the Mismatch Sheet agrees)"
              if extra.empty else "data: add one interview or mismatch found in another sheet"] = 0
    if tables.survey is not None:
        n_hyp[f"data: add one respondent found in another sheet (none: the summary sheets count "
              f"{len(tables.survey.respondents)})"] = 0

    none = Hypothesis("none", "none", "the data as loaded")
    baseline = {c.claim_id: _compute(none, c, tables, file) for c in relevant}
    base_value = {cid: _value_key(r) for cid, r in baseline.items()}
    differing_relevant = [c for c in relevant if c.claim_id in differs]

    # values under each data change / reading, computed once and compared under every rounding rule;
    # the differing claims first, the rest only when the change explains one of them
    values: dict[tuple, dict[str, Any]] = {}

    fast = _Fast(tables)
    under: dict[tuple, Tables] = {}

    def values_for(h: Hypothesis, full: bool) -> dict[str, Any]:
        key = (h.data and h.id.split("+")[0], h.reading)
        have = values.setdefault(key, {})
        if h.data or h.reading:
            if key not in under:
                under[key] = _tables_under(h, tables, fast) if h.data else tables
            t = under[key]
            need = relevant if full else differing_relevant
            for c in need:
                if c.claim_id not in have:
                    have[c.claim_id] = _compute(h, c, t, file) if h.acts_on(c) else baseline[c.claim_id]
        return have

    results: list[ScopeResult] = []
    for h in space:
        if h.data or h.reading:
            first = values_for(h, False)
            if not any(_matches(h, c, first.get(c.claim_id), rule)
                       for c in differing_relevant if h.acts_on(c) for rule in ROUNDING_RULES):
                continue
            vals = values_for(h, True)
        else:
            vals = baseline
        changed_figures = {c.figure for c in relevant if c.figure and _value_key(vals[c.claim_id]) != base_value[c.claim_id]}
        for s in targets:
            members = scopes[s]
            acting = [c for c in members if h.acts_on(c)]
            if not acting:
                continue
            verdict = {c.claim_id: _matches(h, c, vals[c.claim_id]) for c in members}
            explained = [c.claim_id for c in acting if c.claim_id in differs and verdict[c.claim_id]]
            if not explained:
                continue
            left = [c.claim_id for c in acting if c.claim_id in differs and not verdict[c.claim_id]]
            broken = [c.claim_id for c in members if c.claim_id not in differs
                      and base[c.claim_id].status == "reproduced" and verdict[c.claim_id] is False]
            why = []
            if h.data:
                figs = {c.figure for c in members if c.figure}
                if not (any(_value_key(vals[c.claim_id]) != base_value[c.claim_id] for c in members)
                        or figs & changed_figures):
                    why.append("its data change alters nothing the scope prints or quotes")
            if h.rule != "half_up":
                figs = {c.figure for c in members if c.figure}
                near = [c for c in relevant if (c.scope == s or (c.figure and c.figure in figs))
                        and c.precision in PERCENT_DECIMALS]
                if near and not any(_matches(h, c, vals[c.claim_id]) != _matches(h, c, vals[c.claim_id], "half_up")
                                    for c in near):
                    why.append("its rounding rule changes no verdict of the scope or its figure")
            if left:
                why.append("leaves differing: " + ", ".join(left))
            if broken:
                why.append("breaks reproduced: " + ", ".join(broken))
            results.append(ScopeResult(h, s, not why, explained, broken, "; ".join(why)))

    accepted = [r for r in results if r.accepted]
    total: dict[str, int] = {}
    for r in accepted:
        total[r.hypothesis.id] = total.get(r.hypothesis.id, 0) + len(r.explained)
    by_id = {h.id: h for h in space}
    cause_hyp: dict[str, str] = {}
    for cid in sorted(differs):
        cands = [r for r in accepted if cid in r.explained]
        if not cands:
            continue
        best = min(cands, key=lambda r: (-total[r.hypothesis.id], r.hypothesis.parts, r.hypothesis.id))
        cause_hyp[cid] = best.hypothesis.id

    # cause records, most claims first
    grouped: dict[str, list[str]] = {}
    for cid, hid in cause_hyp.items():
        grouped.setdefault(hid, []).append(cid)
    order = sorted(grouped, key=lambda hid: (-len(grouped[hid]), hid))
    causes, cause_of = [], {}
    for i, hid in enumerate(order, start=1):
        h = by_id[hid]
        cids = sorted(grouped[hid], key=lambda x: claims.index(base[x].claim))
        scope_list = sorted({r.scope for r in accepted if r.hypothesis.id == hid}, key=targets.index)
        family_members = [g for g in space if g.family == h.family]
        as_many = [g for g in family_members if total.get(g.id, 0) >= total[hid]]
        sentences = [f"{len(as_many)} of {len(family_members)} hypotheses of its family ({h.family}) explain as many "
                     f"claims ({total[hid]})" if h.data else f"accepted in {len(scope_list)} scope(s)"]
        wb = _evidence_for(hid, evidence)
        sentences += wb
        share: dict[str, set] = {}
        for r in accepted:
            if r.hypothesis.id != hid:
                share.setdefault(r.hypothesis.id, set()).update(set(r.explained) & set(cids))
        alternatives = [f"{by_id[g].text} (explains {len(k)} of them)" for g, k in
                        sorted(share.items(), key=lambda kv: (-len(kv[1]), by_id[kv[0]].parts, kv[0])) if k]
        if h.reading:
            strength = "reading"
        elif len(scope_list) >= 2 or wb:
            strength = "strong"
        else:
            strength = "weak"
        breaks = _breaks_outside(h, claims, base, set(scope_list), tables, file, fast)
        cause = Cause(f"C{i}", h, strength, scope_list, "; ".join(sentences), cids, breaks, alternatives[:4])
        causes.append(cause)
        for cid in cids:
            cause_of[cid] = cause.cause_id

    tried = {}
    for cid in sorted(differs - set(cause_of)):
        tried[cid] = _tried(base[cid], results, n_hyp, space)
    return Search(results, causes, cause_of, tried, n_hyp)


def _evidence_for(hid: str, evidence: dict[str, list[str]]) -> list[str]:
    out = []
    for key, lines in evidence.items():
        if key == hid or (key.endswith("*") and hid.startswith(key[:-1])):
            out += lines
    return out


def _breaks_outside(h: Hypothesis, claims: list[Claim], base: dict[str, Outcome], inside: set[str], tables: Tables,
                    file: str, fast: "_Fast | None" = None) -> list[str]:
    """Reproduced claims outside the hypothesis's scopes that would no longer match under it."""
    t = _tables_under(h, tables, fast)
    out = []
    for c in claims:
        if c.scope in inside or base[c.claim_id].status != "reproduced" or not h.acts_on(c):
            continue
        if _matches(h, c, _compute(h, c, t, file)) is False:
            out.append(c.claim_id)
    return out


def _tried(o: Outcome, results: list[ScopeResult], n_hyp: dict[str, int], space: list[Hypothesis]) -> str:
    c = o.claim
    acting = {}
    for h in space:
        if h.acts_on(c):
            acting[h.family] = acting.get(h.family, 0) + 1
    parts = [", ".join(f"{fam} ({n})" for fam, n in acting.items()) or "no hypothesis of the space acts on this claim"]
    near = [r for r in results if c.claim_id in r.explained and not r.accepted]
    if near:
        shown = sorted(near, key=lambda r: (len(r.broken), r.hypothesis.parts, r.hypothesis.id))[:3]
        parts.append("fits only with a side effect: " + " | ".join(f"{r.hypothesis.text} ({r.why_not})" for r in shown))
    elif acting:
        parts.append("none of them gives the printed value")
    if c.computation in HEAVY:
        parts.append("data hypotheses are not applied to this claim's permutation test")
    return "; ".join(parts)
