# Veille: `make serve` runs the sample site with comments; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: serve test lint typecheck pytest system-deps bench build clean golden screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/veille fetch
	$(BIN)/veille serve --port $(PORT)

build: $(STAMP)
	$(BIN)/veille build

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=90

test: lint typecheck pytest

golden: $(STAMP)
	$(BIN)/python -m tests.golden_regen

# Every page type at 1280 and 375 px, light and dark, into docs/screenshots/ (Chromium).
screenshots: $(STAMP) system-deps
	SOURCE_DATE_EPOCH=1796083200 TZ=UTC $(BIN)/python -m tests.screenshots

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) public .veille .pytest_cache .mypy_cache .ruff_cache .coverage
