# lymphoma-evidence: `make help` lists the targets.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
NBVAL  := --nbval notebooks/ --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install reports test quick lint validate notebooks bench browser figures slides clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "Installing lymphoma-evidence and its test tools into $(VENV) (first time: 2-4 minutes on a fresh machine; pip lists each package as it goes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	set -o pipefail; $(PY) -m pip install -e '.[test]' 2>&1 | tee $(VENV)/install.log \
		| grep -E --line-buffered '^(Collecting|Successfully)' || { tail -40 $(VENV)/install.log; exit 1; }
	@echo "Installed into $(VENV) (full pip output: $(VENV)/install.log)."
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test tools

validate: $(STAMP) ## Check the evidence tables
	$(VENV)/bin/lymphoma-evidence validate

reports: $(STAMP) ## Validate the evidence and build the default reports into reports/
	$(VENV)/bin/lymphoma-evidence build

test: lint $(STAMP) ## Run the whole test suite: lint, layers, types, unit, build and browser tests, notebooks under nbval
	$(VENV)/bin/pytest
	$(VENV)/bin/pytest $(NBVAL)

quick: lint $(STAMP) ## The quick loop: lint, layers, types and the tests not marked slow (no kernels, no browser)
	$(VENV)/bin/pytest -m "not slow"

notebooks: $(STAMP) ## Re-run the notebooks and re-save their stored outputs (after an evidence change)
	$(PY) -m lymphoma_evidence.publish.refresh

browser: ## Install the browser-test tools: Debian's Chromium (apt) and axe-core (npm ci)
	test -x /usr/bin/chromium || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund

bench: $(STAMP) ## Time the naive loop, a process pool and the build engine (prints a table)
	$(PY) benchmarks/bench.py

figures: $(STAMP) ## Write slide-ready figures (PNG + SVG + figures.md) into figures/
	$(VENV)/bin/lymphoma-evidence figures --out figures

slides: $(STAMP) ## Build the 16:9 slide deck deck.pptx
	$(VENV)/bin/lymphoma-evidence slides --out deck.pptx

lint: $(STAMP) ## Lint with ruff, check the layers with import-linter and the types with mypy
	$(VENV)/bin/ruff check lymphoma_evidence tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

clean: ## Remove built reports and caches (keeps .venv)
	rm -rf reports/*.html reports/executed reports/screenshots reports/.manifest.json reports/.build.lock \
		.pytest_cache .ruff_cache .mypy_cache .import_linter_cache
