# Two entry points for a fresh machine (each creates .venv and installs what it needs):
#   make demo   simulate traffic -> run the detection pipeline (embedded DuckDB store) -> print top alerts
#   make test   lint + the whole test suite (what CI runs)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-stamp
OUT := out

.PHONY: venv demo test lint clean

$(INSTALLED): setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(INSTALLED)

venv: $(INSTALLED)

demo: $(INSTALLED)
	mkdir -p $(OUT)
	rm -f $(OUT)/detections.duckdb
	$(BIN)/distillwatch simulate --output $(OUT)/events.jsonl.gz
	$(BIN)/distillwatch detect --input $(OUT)/events.jsonl.gz --output $(OUT)/detections.duckdb --labels $(OUT)/events.labels.jsonl

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
