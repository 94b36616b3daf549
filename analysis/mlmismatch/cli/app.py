"""The typer apps and the global options (``mlmismatch --data-dir D --strict COMMAND``).

The global options go into the invocation's :class:`~mlmismatch.cli.common.CliState` (see
:func:`mlmismatch.cli.common.state`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mlmismatch.cli.common import CliState, begin
from mlmismatch.core.version import version

#: ``-h`` as well as ``--help`` everywhere.
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="mlmismatch",
    help="Replicate and extend the ML-mismatch study (Lewis, Bellomo, Ozkaya; WAIN 2021).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT,
    # Help text is plain (no rich markup or Markdown): rendering markup imports rich.markdown and
    # markdown-it, which doubles the time of `mlmismatch --help`.
    rich_markup_mode=None,
)
data_app = typer.Typer(help="Inspect the study's data: quality report, packaged aggregates.", no_args_is_help=True,
                       context_settings=CONTEXT, rich_markup_mode=None)
descriptors_app = typer.Typer(help="Descriptor schemas: derive, compare, migrate, new.", no_args_is_help=True,
                              context_settings=CONTEXT, rich_markup_mode=None)
code_app = typer.Typer(
    help="Code a new round of mismatches: template, agreement, merge, REFI-QDA exchange (export-qdc, import-qdpx).",
    no_args_is_help=True, context_settings=CONTEXT, rich_markup_mode=None)
app.add_typer(data_app, name="data")
app.add_typer(descriptors_app, name="descriptors")
app.add_typer(code_app, name="code")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlmismatch {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", envvar="MLMISMATCH_DATA_DIR",
        help="Local copy of the data: a folder with replication-package/ and sei-descriptors/ (see the README)."),
    data_home: Optional[Path] = typer.Option(
        None, "--data-home", envvar="MLMISMATCH_CACHE", help="Cache folder for downloaded data."),
    strict: bool = typer.Option(False, "--strict", help="Refuse local files whose SHA-256 differs from the pinned one."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print notices."),
    debug: bool = typer.Option(False, "--debug", envvar="MLMISMATCH_DEBUG",
                               help="Show the traceback of an unexpected error."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    from mlmismatch.sources import Store

    ctx.obj = begin(CliState(store=Store(data_dir=data_dir, data_home=data_home, strict=strict), quiet=quiet,
                             debug=debug))
