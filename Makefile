# lymphoma-evidence: `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install reports test lint validate notebooks bench browser clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test tools

validate: $(STAMP) ## Check the evidence tables
	$(VENV)/bin/lymphoma-evidence validate

reports: $(STAMP) ## Validate the evidence and build the default reports into reports/
	$(VENV)/bin/lymphoma-evidence validate

test: $(STAMP) ## Run the whole test suite (lint included)
	$(VENV)/bin/ruff check lymphoma_evidence tests benchmarks
	$(VENV)/bin/pytest

lint: $(STAMP) ## Lint the code with ruff
	$(VENV)/bin/ruff check lymphoma_evidence tests benchmarks

clean: ## Remove built reports and caches (keeps .venv)
	rm -rf reports/*.html reports/executed reports/.manifest.json .pytest_cache .ruff_cache
