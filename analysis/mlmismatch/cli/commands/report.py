"""``mlmismatch claims``: the paper's claims, published beside recomputed, with their status."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlmismatch.cli.app import app
from mlmismatch.cli.common import console, load_coding, print_notices

STATUS_CHOICES = ("reproduced", "differs", "not_reproducible")


@app.command()
def claims(
    status: Optional[str] = typer.Option(None, "--status", "-s",
                                         help="Show only claims with this status: reproduced, differs, not_reproducible."),
    section: Optional[str] = typer.Option(None, "--section", help="Show only claims whose id starts with this (fig3, table2, text.s4...)."),
    claims_file: Optional[Path] = typer.Option(None, "--claims", help="Claims CSV (default paper/published/claims.csv)."),
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV (the columns of paper/generated/claims.csv) instead of a table."),
    no_causes: bool = typer.Option(False, "--no-causes", help="Skip the hypothesis search (faster; the cause column stays empty)."),
) -> None:
    """Recompute every published claim and print published vs reproduced values with their status."""
    from mlmismatch.replication import claims as cl
    from mlmismatch.core.errors import InputError

    if status is not None and status not in STATUS_CHOICES:
        raise InputError(f"unknown status '{status}'", expected=" or ".join(STATUS_CHOICES))

    def _survey():
        from mlmismatch.cli.common import load_survey

        return load_survey()

    tables = cl.load_tables(coding=load_coding(), load_survey=_survey)
    print_notices()
    if no_causes:
        results = cl.evaluate_claims(tables, claims_file)
    else:
        from mlmismatch.replication.replicate import reproduce_claims

        results = reproduce_claims(tables, claims_file)
    shown = results
    if status:
        shown = shown[shown["status"] == status]
    if section:
        shown = shown[shown["claim_id"].str.startswith(section)]
    if csv_out:
        typer.echo(shown[cl.RESULT_COLUMNS].to_csv(index=False, lineterminator="\n"), nl=False)
        return
    counts = cl.status_counts(results)
    caption = (f"{len(shown)} of {len(results)} claims shown; all: {counts['reproduced']} reproduced, "
               f"{counts['differs']} differ, {counts['not_reproducible']} not reproducible")
    if shown.empty:
        console().print(caption)
        return
    from rich.markup import escape
    from rich.table import Table

    colour = {"reproduced": "green", "differs": "bold red", "not_reproducible": "dim"}
    table = Table(title="Published claims", caption=caption)
    table.add_column("claim_id", overflow="fold", min_width=24)
    for col in ("published", "reproduced"):
        table.add_column(col, overflow="fold", max_width=28)
    table.add_column("status")
    table.add_column("cause")
    table.add_column("note", overflow="fold", ratio=1)
    for row in shown.itertuples(index=False):
        table.add_row(escape(row.claim_id), escape(row.published), escape(row.reproduced),
                      f"[{colour[row.status]}]{row.status}[/]", escape(row.cause), escape(row.note))
    console().print(table)
