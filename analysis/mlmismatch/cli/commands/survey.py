"""``mlmismatch survey``: the validation survey's summaries (Figs. 4-5, Table II, role differences)."""

from __future__ import annotations

import typer

from mlmismatch.cli.app import app
from mlmismatch.cli.common import console, load_coding, load_survey, print_table

SECTIONS = ("demographics", "table2", "roles", "ranks", "interviews", "all")


def abbreviations(roles) -> dict[str, str]:
    """'Data Science' -> 'DS', 'Operations + Other' -> 'O+O' (narrow table headers); a role whose
    initials collide with another's keeps its name."""
    initials = {r: "".join(w if w == "+" else w[0] for w in str(r).split()) for r in roles}
    taken = list(initials.values())
    return {r: (a if taken.count(a) == 1 else str(r)) for r, a in initials.items()}


@app.command()
def survey(
    roles: str = typer.Option("paper", "--roles",
                              help="Role grouping: 'paper' (Data Science, Software Engineering, Operations + Other) "
                                   "or 'separate' (Operations and Other apart)."),
    section: str = typer.Option("all", "--section", help="demographics, table2, roles, ranks, interviews or all."),
    n_boot: int = typer.Option(2000, "--boot", min=100, help="Bootstrap resamples for the intervals."),
    seed: int = typer.Option(20210517, "--seed", help="Bootstrap seed."),
    top: int = typer.Option(10, "--top", min=1, help="Rows to show in the ranked lists."),
) -> None:
    """Print the survey summaries: demographics (Fig. 4), Table II, role differences, rank agreement
    between roles, and interviews vs survey. Numbers only: free-text answers are never shown."""
    from mlmismatch.study import survey as sv
    from mlmismatch.analyses import survey_stats as ss
    from mlmismatch.core.errors import InputError

    if roles not in sv.ROLE_GROUPINGS:
        raise InputError(f"unknown role grouping '{roles}'", expected="one of " + ", ".join(sv.ROLE_GROUPINGS))
    if section not in SECTIONS:
        raise InputError(f"unknown section '{section}'", expected="one of " + ", ".join(SECTIONS))
    data = load_survey()
    if roles != "paper":
        data = data.with_roles(sv.ROLE_GROUPINGS[roles])
    counts = data.role_counts()
    short = abbreviations(counts)
    abbrev = short.__getitem__
    n_note = ", ".join(f"{abbrev(k)} = {k} n={v}" for k, v in counts.items())
    small = [f"{k} (n={v})" for k, v in counts.items() if v < ss.SMALL_N]
    caveat = f"caveat: small group(s) {', '.join(small)}: low power, wide intervals" if small else None

    def show(name: str) -> bool:
        return section in (name, "all")

    if show("demographics"):
        demo = ss.demographics(data.respondents)
        demo = demo[demo["variable"].isin(["affiliation", "role", "years_total", "years_ml"])]
        print_table(demo.drop(columns="n_total"), title=f"Survey respondents (paper Fig. 4): {len(data.respondents)}",
                    caption=n_note)
    if show("table2"):
        t2 = ss.important_by_role(data.responses, data.items)
        wide = ss.table2_paper_layout(t2)
        wide.columns = [c if c == "subcategory" else f"{abbrev(c.rsplit(' ', 1)[0])} {c.rsplit(' ', 1)[1]}" for c in wide.columns]
        print_table(wide, title="Important or Very Important per role (paper Table II)",
                    caption=n_note + (f"\n{caveat}" if caveat else ""))
    if show("roles"):
        kw = ss.role_differences(data.responses, data.items).sort_values("p", kind="stable")
        means = {f"mean_{ss.slug(r)}": f"mean {abbrev(r)}" for r in counts}
        cols = ["paper_label"] + list(means) + ["H", "p", "p_holm", "epsilon_sq"]
        print_table(kw[cols].rename(columns=means | {"paper_label": "item", "epsilon_sq": "eps2"}).head(top),
                    title=f"Do the roles rate an item differently? Kruskal-Wallis, top {top} by p",
                    caption=f"Holm across {len(kw)} items: {int(kw['significant'].sum())} significant at 0.05; "
                            + n_note + (f"\n{caveat}" if caveat else ""), float_format="{:.3f}")
        pw = ss.pairwise_role_differences(data.responses, data.items)
        pw = pw.reindex(pw["cliffs_delta"].abs().sort_values(ascending=False, kind="stable").index)
        pw = pw.assign(role_a=pw["role_a"].map(abbrev), role_b=pw["role_b"].map(abbrev))
        print_table(pw[["paper_label", "role_a", "role_b", "n_a", "n_b", "mean_a", "mean_b", "cliffs_delta", "magnitude",
                        "p", "p_holm"]].rename(columns={"paper_label": "item", "cliffs_delta": "delta",
                                                        "role_a": "a", "role_b": "b"}).head(top),
                    title=f"Pairwise Mann-Whitney with Cliff's delta, top {top} by |delta|",
                    caption="Holm across items within each pair of roles", float_format="{:.3f}")
    if show("ranks"):
        rc = ss.role_rank_agreement(data.responses, data.items, n_boot=n_boot, seed=seed)
        rc = rc.assign(role_a=rc["role_a"].map(abbrev), role_b=rc["role_b"].map(abbrev))
        print_table(rc.drop(columns=["ci_method", "caveat", "n_items"]).rename(
                        columns={"spearman_rho": "rho", "spearman_p": "p(rho)", "rho_ci_low": "rho lo",
                                 "rho_ci_high": "rho hi", "kendall_tau": "tau", "kendall_p": "p(tau)"}),
                    title="Do the roles rank the 34 items alike? (mean score per item)",
                    caption=rc["ci_method"].iloc[0] if len(rc) else None, float_format="{:.3f}")
    if show("interviews"):
        coding = load_coding()
        per, summary = ss.interviews_vs_survey(coding.instances, data.responses, data.items, n_boot=n_boot, seed=seed)
        s = summary.iloc[0]
        worst = per.sort_values("disagreement_rank").head(top)
        print_table(worst[["paper_label", "n_instances", "instance_rank", "mean_score", "survey_rank", "rank_gap"]].rename(
                        columns={"paper_label": "subcategory", "n_instances": "instances", "instance_rank": "rank (int.)",
                                 "mean_score": "mean score", "survey_rank": "rank (survey)", "rank_gap": "gap"}),
                    title=f"Interviews vs survey: where they disagree most (top {top})",
                    caption=f"Spearman rho {s['spearman_rho']:.2f} [{s['rho_ci_low']:.2f}, {s['rho_ci_high']:.2f}] "
                            f"over {int(s['n_subcategories'])} subcategories (p = {s['spearman_p']:.3f}); "
                            "rank_gap > 0: rated more important than its interview frequency", float_format="{:.2f}")
    console().print("free-text answers are kept out of this output", style="dim")
