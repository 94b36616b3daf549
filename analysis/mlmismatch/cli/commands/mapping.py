"""``mlmismatch mapping`` and ``mlmismatch descriptors derive|compare`` (issue 5).

Heavy imports (pandas, sklearn, jsonschema) happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlmismatch.cli.app import app, descriptors_app
from mlmismatch.cli.common import console, load_coding, load_survey, print_table, say

SECTIONS = ("coverage", "split", "gaps", "practices", "text", "rules", "all")


def _table2():
    """Table II from the survey."""
    from mlmismatch.analyses import survey_stats

    data = load_survey()
    return survey_stats.important_by_role(data.responses, data.items)


def _mapping(directory: Optional[Path]):
    from mlmismatch.mapping import matrix as mapping
    from mlmismatch.descriptors import schemas
    from mlmismatch.cli.common import store

    coding = load_coding()
    attrs = schemas.attributes(store=store())
    md = mapping.load_mapping(directory, codebook=coding.codebook, mismatch_ids=coding.mismatches["mismatch_id"],
                              attributes=attrs)
    return coding, attrs, md


@app.command("mapping")
def mapping_cmd(
    section: str = typer.Option("all", "--section", help="coverage, split, gaps, practices, text, rules or all."),
    directory: Optional[Path] = typer.Option(None, "--mapping-dir", help="Folder with the mapping CSVs (default data/mapping)."),
    k: int = typer.Option(5, "--k", min=1, help="Cut-off of the text-evidence ranking."),
) -> None:
    """Check the curated mapping (subcategories -> descriptor attributes) and the rated practice matrix
    (data/practices) and print the gap analyses, the information-sharing / predicate split, the
    ratings' agreement and the text-evidence scores (ids only)."""
    from mlmismatch.mapping import matrix as mapping
    from mlmismatch.core.errors import InputError

    if section not in SECTIONS:
        raise InputError(f"unknown section '{section}'", expected="one of " + ", ".join(SECTIONS))
    from mlmismatch.mapping.practices import load_default as load_practices

    coding, attrs, md = _mapping(directory)
    a = md.attributes
    show = (lambda name: section in (name, "all"))
    pc = load_practices(coding)
    console().print(f"mapping: {len(a)} rows, {len(a[['category', 'subcategory']].drop_duplicates())} subcategories, "
                    f"practice matrix: {len(pc.practices)} practices from {len(pc.admitted_sources)} sources, "
                    f"{len(pc.accepted)} accepted links: all checks passed")
    if show("coverage"):
        t2 = _table2()
        cov = mapping.coverage_by_category(a, coding.codebook, coding.instances, t2, attrs, "1.2")
        print_table(cov.drop(columns=["version"]), title="Coverage per category by published 1.2 attributes (%)")
    if show("split"):
        split = mapping.sharing_vs_predicate(a, coding.codebook, coding.instances)
        print_table(split[split["category"] == "All"], title="Coded instances: information sharing vs predicate")
    if show("gaps"):
        print_table(mapping.gap_uncovered_subcategories(a, coding.codebook, coding.instances, attrs),
                    title="Subcategories no published attribute covers")
        un = mapping.gap_unneeded_attributes(a, attrs)
        print_table(un.groupby(["version", "descriptor"]).size().rename("n").reset_index(),
                    title="Published attributes no subcategory needs (count)")
        prop = a[a["status"] == "proposed"][["subcategory", "descriptor", "path", "evidence"]]
        print_table(prop, title="Proposed attributes: information found missing that no published version records")
    if show("practices"):
        from mlmismatch.mapping.practices import agreement as ag
        from mlmismatch.mapping.practices import gaps

        t = ag.agreement_table(pc, n_boot=1000)
        est = t.pivot_table(index=["scope", "source_id"], columns="statistic", values="estimate", sort=False)
        kappa = t[t["statistic"] == "cohen_kappa"].set_index(["scope", "source_id"])
        est = est.join(kappa[["n_links_a", "n_links_b", "n_disagreements", "ci_low", "ci_high"]]).reset_index()
        view = est.assign(scope=est["source_id"].where(est["source_id"] != "", "all"))[
            ["scope", "n_links_a", "n_links_b", "n_disagreements", "cohen_kappa", "ci_low", "ci_high",
             "krippendorff_alpha", "gwet_ac1", "pabak"]]
        print_table(view.rename(columns={"n_links_a": "links a", "n_links_b": "links b", "n_disagreements": "disagree",
                                         "cohen_kappa": "kappa", "ci_low": "kappa lo", "ci_high": "kappa hi",
                                         "krippendorff_alpha": "alpha", "gwet_ac1": "AC1", "pabak": "PABAK"}),
                    title="Agreement of the two ratings (kappa: 95% bootstrap interval over practices)",
                    float_format="{:.2f}")
        inst, imp = gaps.load_weights()
        sub = gaps.subcategory_gaps(pc, inst, imp)
        print_table(gaps.unaddressed_subcategories(sub)[["category_code", "subcategory", "n_instances"]],
                    title="Subcategories no practice addresses")
        none = gaps.practices_without_link(pc)
        per = none.groupby("source_id", sort=False)["practice_id"].agg(["size", lambda ids: " ".join(ids)])
        per.columns = ["n", "practice_ids"]
        print_table(per.reset_index(), title=f"Practices that address no subcategory ({len(none)} of {len(pc.practices)})")
    if show("text"):
        res = mapping.text_evidence(coding.mismatches, coding.instances, coding.codebook, attrs, a, k=k)
        print_table(res["summary"], title="Text evidence (TF-IDF) against the curated mapping", float_format="{:.3f}")
    if show("rules"):
        rc = mapping.rule_consistency(a)
        print_table(rc, title="Mapping rule ids vs data/rules/rules.yaml" + (" (agree)" if rc.empty else ""))


@descriptors_app.command("derive")
def derive_cmd(
    out: Optional[Path] = typer.Option(None, "--out", help="Folder to write into (default descriptors/derived)."),
    check: bool = typer.Option(False, "--check", help="Do not write; exit 1 if the committed files are stale."),
) -> None:
    """Write one JSON Schema per descriptor holding the attributes the mapping requires, each traced
    to its subcategories, coded-instance counts and survey importance by role."""
    from mlmismatch.mapping import derive as descriptors
    from mlmismatch.cli.common import store

    coding = load_coding()
    derived = descriptors.derive_default(coding, _table2(), store=store())
    if check:
        stale = descriptors.stale(derived, out)
        if stale:
            console().print("stale derived schemas: " + ", ".join(stale) + " (run `mlmismatch descriptors derive`)")
            raise typer.Exit(1)
        console().print(f"{len(derived)} derived schemas up to date")
        return
    for path in descriptors.write_derived(derived, out):
        say(f"wrote {path}")


@descriptors_app.command("compare")
def compare_cmd(
    directory: Optional[Path] = typer.Option(None, "--derived-dir", help="Derived schemas (default descriptors/derived)."),
    attributes_: bool = typer.Option(False, "--attributes", help="List every attribute difference, not just counts."),
    version: Optional[str] = typer.Option(None, "--version", help="Only this published version (1.0, 1.1, 1.2)."),
) -> None:
    """Set the derived schemas beside the published 1.0, 1.1 and 1.2: attributes in both, only derived
    (information the study found missing), only published (from elsewhere than the interviews)."""
    from mlmismatch.mapping import derive as descriptors
    from mlmismatch.descriptors import schemas
    from mlmismatch.cli.common import store

    if version is not None:
        schemas.check_version(version)
    d = schemas.derived_dir(directory)
    derived = {k: schemas.read_schema_file(d / f"{k}_schema.json") for k in schemas.KINDS
               if (d / f"{k}_schema.json").is_file()}
    if not derived:
        from mlmismatch.core.errors import InputError, Location

        raise InputError("no derived schemas", Location(file=d), expected="<kind>_schema.json files "
                         "(run `mlmismatch descriptors derive`)")
    attrs = schemas.attributes(store=store())
    detail = descriptors.compare(derived, attrs)
    summary = descriptors.comparison_summary(detail, derived)
    if version:
        detail, summary = detail[detail["version"] == version], summary[summary["version"] == version]
    print_table(summary.drop(columns=["pct_derived_published", "pct_published_needed"]),
                title="Derived vs published descriptor attributes")
    if attributes_:
        short = {descriptors.MEANING_PROPOSED: "proposed (no published version)",
                 descriptors.MEANING_LATER: "missing in this version", descriptors.MEANING_BOOKKEEPING: "bookkeeping",
                 descriptors.MEANING_ELSEWHERE: "not from the interviews"}
        diff = detail[detail["side"] != "both"].assign(meaning=lambda x: x["meaning"].map(short))
        print_table(diff, title="Differences (meanings: see descriptors.MEANING_*)")
