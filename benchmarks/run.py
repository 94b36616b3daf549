"""Run every benchmark script in this folder (bench_*.py) and print their results.

Usage: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Each script prints a Markdown
table; copy the medians into the README's Performance section.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"## {script.stem}\n", flush=True)
        status |= subprocess.call([sys.executable, str(script)])
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
