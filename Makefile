# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint venv clean bench-deps bench pywb

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

## The whole test suite: lint, format check, types, then pytest (the tool venvs first)
test: venv lint pywb
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check govcrawler tests bench
	$(BIN)/ruff format --check govcrawler tests bench
	$(BIN)/mypy

## Competitors for the extraction benchmark, one by one (pip's resolver trips over lxml extras)
bench-deps: venv
	for p in lxml_html_clean trafilatura readability-lxml justext newspaper4k jieba gne; do $(BIN)/pip install --quiet $$p || exit 1; done

## Extraction benchmark over the real-page sets in ../shared (one table per set and split half)
bench: bench-deps
	$(BIN)/python bench/extraction.py ../shared/realpages/corpus ../shared/realpages/generic \
		../shared/realpages/ccdi tests/data/generic

# ---- Tool venv: pywb (issue 15) -------------------------------------------------------------
# pywb 2.10 pins redis==2.10.6, pyOpenSSL<26.2 and werkzeug==3.1.7, which clash with our Scrapy
# stack, so it is a tool in its own venv, never in ours. tests/test_pywb_replay.py replays crawls
# through it (GOVCRAWLER_PYWB_VENV overrides the folder). pip's cache keeps a rebuild quick.
PYWB_VENV ?= .venv-pywb

$(PYWB_VENV)/.installed:
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet --disable-pip-version-check 'pywb>=2.10,<2.11'
	touch $@

## pywb in its own venv, for the real-client replay test
pywb: $(PYWB_VENV)/.installed
# ---- end of the pywb block -------------------------------------------------------------------

clean:
	rm -rf $(VENV) $(PYWB_VENV) data build *.egg-info
