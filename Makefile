# The README's commands. Each target sets up .venv itself if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SOURCES := pipeline bridge worker tests bench

.PHONY: run test lint format bench clean docker-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: one cycle on the shipped sample data and the local workbook (collect, estimate,
## refresh, sync the sheets, report), then how to review
run: $(STAMP)
	$(BIN)/tracker run
	@echo
	@echo "To review: open data/sheets/tracker.xlsx (LibreOffice Calc or Excel). In Candidates,"
	@echo "set decision (above / below) and reason for a model, or correct a value; save and close"
	@echo "the workbook, then run 'make run' again: the decisions are applied and the rows move."
	@echo "Report: data/reports/index.html"

## test: lint, type checks (mypy) and the whole test suite, on one worker process per core
test: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

## bench: speed and memory of each stage at 1k, 10k, 100k models (bench/results.json), then
## API calls of each sync on the stateful Airtable and Google Sheets fakes
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/api.py

## docker-check: build the image and run one cycle in it, offline (needs a Docker engine,
## e.g. the one ../shared/tools/docker-standin starts; not part of `make test`)
# The container writes ./data as the user running make, so files stay theirs.
DOCKER_RUN := docker run --rm --network none --user "$$(id -u):$$(id -g)" -v "$(CURDIR)/data:/app/data"

docker-check:
	docker build --network host -t tracker .
	$(DOCKER_RUN) tracker run
	$(DOCKER_RUN) tracker health
