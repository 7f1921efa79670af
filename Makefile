# The README's commands. Each target sets up .venv itself if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the main job on the shipped sample data (collect, estimate, refresh)
run: $(STAMP)
	$(BIN)/tracker collect-all
	$(BIN)/tracker estimate-flops
	$(BIN)/tracker refresh-dataset

## test: lint and the whole test suite
test: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench

format: $(STAMP)
	$(BIN)/ruff format pipeline tests bench
	$(BIN)/ruff check --fix pipeline tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## bench: speed and memory of each stage at 1k, 10k, 100k models (bench/results.json)
bench: $(STAMP)
	$(BIN)/python bench/run.py
