"""The entry point: ``mlmismatch = "mlmismatch.cli.main:main"``.

Exit codes: 0 success, 1 findings (``check`` found mismatches) or an unexpected error, 2 bad input
or usage, 130 interrupted (Ctrl-C), 143 stopped by SIGTERM. Bad input is one line naming file, sheet, row
and column. An unexpected error is one line
too, naming what failed and how to see the traceback (``--debug`` or ``MLMISMATCH_DEBUG=1``).
"""

from __future__ import annotations

import logging
import os
import sys

from mlmismatch.cli.app import app
from mlmismatch.cli.commands import core, describe, detect, extend, mapping, report, survey  # noqa: F401 (register)

DEBUG_ENV = "MLMISMATCH_DEBUG"


def _debug(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0", "false")


def _terminated(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM (a CI job cancelled, ``kill``) ends the command as Ctrl-C does: ``finally`` blocks run, so a
    ``reproduce`` removes its staging folder and stops its workers and the previous output stays as it
    was (exit 143, no traceback)."""
    import signal

    try:
        signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread (an embedding application): leave its handlers alone
        pass


def main(argv: list[str] | None = None) -> None:
    """Run the command line; never a traceback unless asked for."""
    from mlmismatch.cli.common import err_console
    from mlmismatch.core.errors import MlmismatchError
    from mlmismatch.core.text import terminal_escape

    args = sys.argv[1:] if argv is None else list(argv)
    log = logging.getLogger("mlmismatch")
    if not log.handlers:  # the CLI prints the store's notices itself (see common.print_notices)
        log.addHandler(logging.NullHandler())
    _exit_cleanly_on_sigterm()
    try:
        app(args=args, prog_name="mlmismatch")
    except MlmismatchError as exc:
        err_console().print(f"[red]error:[/red] {terminal_escape(exc)}", soft_wrap=True, highlight=False)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 1
        if _debug(args):
            raise
        command = next((a for a in args if not a.startswith("-")), "mlmismatch")
        text = " ".join(str(exc).split())[:300]
        err_console().print(
            f"[red]error:[/red] unexpected {type(exc).__name__} in '{terminal_escape(command)}'"
            + (f": {terminal_escape(text)}" if text else "")
            + f" (a bug; run with --debug or {DEBUG_ENV}=1 for the traceback)", soft_wrap=True, highlight=False)
        sys.exit(1)
