"""Run ``mlmismatch check`` in a fresh interpreter and report which heavy modules it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Modules the lean check path must not need (jsonschema only to list the errors of invalid documents).
HEAVY = ("pandas", "numpy", "openpyxl", "matplotlib", "scipy", "sklearn", "jsonschema", "requests", "pooch")


def run_check(system: Path, out: Path, env: dict | None = None) -> dict:
    """``{"code": exit code, "loaded": [heavy modules imported]}`` of ``mlmismatch check SYSTEM -f json -o OUT``."""
    code = (
        "import json, sys\n"
        "from mlmismatch.cli.main import main\n"
        f"sys.argv = ['mlmismatch', '--quiet', 'check', {str(system)!r}, '-f', 'json', '-o', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"print(json.dumps({{'code': code, 'loaded': sorted(m for m in {HEAVY!r} if m in sys.modules)}}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
