"""The ``mlmismatch`` command line (typer). Thin: every command calls the library.

Exit codes: 0 success, 1 findings (e.g. ``check`` found mismatches), 2 bad input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .commands._common import settings

app = typer.Typer(
    name="mlmismatch",
    help="Replicate and extend the ML-mismatch study (Lewis, Bellomo, Ozkaya; WAIN 2021).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text is plain (no rich markup or Markdown): rendering markup imports rich.markdown and
    # markdown-it, which doubles the time of `mlmismatch --help`.
    rich_markup_mode=None,
)
data_app = typer.Typer(help="Inspect the study's data: quality report.", no_args_is_help=True)
descriptors_app = typer.Typer(help="Descriptor schemas: derive, compare, migrate, new.", no_args_is_help=True)
code_app = typer.Typer(
    help="Code a new round of mismatches: template, agreement, merge, REFI-QDA exchange (export-qdc, import-qdpx).",
    no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(descriptors_app, name="descriptors")
app.add_typer(code_app, name="code")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlmismatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", envvar="MLMISMATCH_DATA_DIR",
        help="Local copy of the data: a folder with replication-package/ and sei-descriptors/ (see the README)."),
    data_home: Optional[Path] = typer.Option(
        None, "--data-home", envvar="MLMISMATCH_CACHE", help="Cache folder for downloaded data."),
    strict: bool = typer.Option(False, "--strict", help="Refuse local files whose SHA-256 differs from the pinned one."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print notices."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    settings.data_dir = data_dir
    settings.data_home = data_home
    settings.strict = strict
    settings.quiet = quiet


# Command modules register themselves on the apps above.
from .commands import core  # noqa: E402,F401
from .commands import survey as _survey  # noqa: E402,F401
from .commands import detect as _detect  # noqa: E402,F401
from .commands import extend as _extend  # noqa: E402,F401
from .commands import report as _report  # noqa: E402,F401
from .commands import mapping as _mapping_cmds  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; bad input -> one line on stderr, exit 2, no traceback.

    Usage errors are typer's own (exit 2); commands signal findings with ``typer.Exit(1)``.
    """
    from .errors import MlmismatchError

    try:
        app(args=argv, prog_name="mlmismatch")
    except MlmismatchError as exc:
        from .commands._common import err_console

        err_console.print(f"[red]error:[/red] {exc}", soft_wrap=True, markup=True, highlight=False)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        sys.exit(130)


