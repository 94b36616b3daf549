# mlmismatch — the two commands a newcomer runs:
#   make reproduce   set up, fetch the pinned data, regenerate every table, figure and the report
#   make test        set up, run the unit and integration tests (the built wheel included) and execute the notebooks
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all setup reproduce test test-unit lint-imports fetch docs notebooks bench clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

reproduce: $(STAMP)
	$(BIN)/mlmismatch reproduce --out paper/generated

test: $(STAMP)
	$(BIN)/python -m pytest

# The unit tests alone: no study data needed, about a minute.
test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint-imports: $(STAMP)
	$(BIN)/lint-imports pyproject.toml --no-cache

fetch: $(STAMP)
	$(BIN)/mlmismatch fetch

# The documentation site (MkDocs, strict, offline): lessons executed, report, rules, API; build/site/.
docs: $(STAMP)
	$(BIN)/python docs/build_site.py --out build/site

# The lessons in JupyterLab (the notebooks extra; jupytext.toml pairs notebooks/*.py with .ipynb).
notebooks: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
