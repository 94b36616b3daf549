# mlmismatch — the two commands a newcomer runs:
#   make reproduce   set up, fetch the pinned data, regenerate every table, figure and the report
#   make test        set up, run the unit and integration tests and execute the notebooks
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all setup reproduce test fetch bench clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

reproduce: $(STAMP)
	$(BIN)/mlmismatch reproduce

test: $(STAMP)
	$(BIN)/python -m pytest

fetch: $(STAMP)
	$(BIN)/mlmismatch fetch

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
