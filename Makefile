# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint venv clean bench-deps bench

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

## Competitors for the extraction benchmark, one by one (pip's resolver trips over lxml extras)
bench-deps: venv
	for p in lxml_html_clean trafilatura readability-lxml gne; do $(BIN)/pip install --quiet $$p || exit 1; done

## Extraction benchmark over the real-page sets in ../shared (prints one table per set)
bench: bench-deps
	$(BIN)/python bench/extraction.py ../shared/realpages/generic ../shared/realpages/ccdi

clean:
	rm -rf $(VENV) data build *.egg-info
