# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

## Offline demo crawl of every bundled site's captures into data/
demo: venv
	$(BIN)/govcrawler demo

## The whole test suite: lint, format check, types, then pytest
test: venv lint
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check govcrawler tests bench
	$(BIN)/ruff format --check govcrawler tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data build *.egg-info
