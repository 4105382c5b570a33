# lymphoma-evidence: `make help` lists the targets.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# .installed: the project and what it needs to build (make reports); .installed-test: also the test tools
STAMP  := $(VENV)/.installed
TESTED := $(VENV)/.installed-test
PIP    := set -o pipefail; $(PY) -m pip install

.DEFAULT_GOAL := help
NBVAL  := --nbval notebooks/ --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# pytest workers: 2 by default (the loop is measured on 2 cores); PYTEST_WORKERS=0 runs in one process
PYTEST_WORKERS ?= 2
XDIST  := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS))
# `make quick`: the tests an evidence edit can break (the tables and their rules, the analysis, the report
# sections and figures, the command line and the audit), without those marked slow (kernels, builds, a
# browser, LibreOffice). The build engine, the workbook and trial-record importers and the release are
# code: `make test` runs them (and `pytest -m "not slow"` every fast test).
QUICK_TESTS := tests/data tests/analysis tests/reports tests/figures tests/system \
	tests/analyst/test_audit.py $(wildcard tests/test_*.py)
# `make tools` installs the Debian packages the tests run: Chromium (browser tests), LibreOffice Calc
# (spreadsheet round trip) and Impress (deck to PDF), npm (axe-core).

.PHONY: help install install-test reports test quick lint validate notebooks bench bench-tests browser tools figures slides clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "Installing lymphoma-evidence into $(VENV) (first time: 1-2 minutes on a fresh machine; pip lists each package as it goes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(PIP) -e . 2>&1 | tee $(VENV)/install.log \
		| grep -E --line-buffered '^(Collecting|Successfully)' || { tail -40 $(VENV)/install.log; exit 1; }
	@echo "Installed into $(VENV) (full pip output: $(VENV)/install.log)."
	touch $(STAMP)

$(TESTED): $(STAMP) pyproject.toml
	@echo "Installing the test tools into $(VENV) (pytest, ruff, mypy, playwright, ...)"
	$(PIP) -e '.[test]' 2>&1 | tee $(VENV)/install-test.log \
		| grep -E --line-buffered '^(Collecting|Successfully)' || { tail -40 $(VENV)/install-test.log; exit 1; }
	touch $(TESTED)

install: $(STAMP) ## Create .venv and install the project (what building the reports needs)

install-test: $(TESTED) ## Also install the Python test tools into .venv

validate: $(STAMP) ## Check the evidence tables
	$(VENV)/bin/lymphoma-evidence validate

reports: $(STAMP) ## Validate the evidence and build the default reports into reports/
	$(VENV)/bin/lymphoma-evidence build

test: tools lint ## Run the whole test suite (installs what it needs first: see `make tools`); nothing is skipped
	REQUIRE_TOOLS=1 $(VENV)/bin/pytest $(XDIST)
	REQUIRE_TOOLS=1 $(VENV)/bin/pytest $(NBVAL)

quick: lint ## The loop after editing evidence: validate, lint, then the fast tests of the evidence and of what readers see
	$(VENV)/bin/lymphoma-evidence validate
	HYPOTHESIS_PROFILE=quick $(VENV)/bin/pytest -m "not slow" $(XDIST) $(QUICK_TESTS)

notebooks: $(STAMP) ## Re-run the notebooks and re-save their stored outputs (after an evidence change)
	$(PY) -m lymphoma_evidence.publish.refresh

tools: $(TESTED) ## Install what the tests run besides Python: Chromium, LibreOffice (apt, as root or with sudo), axe-core (npm)
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v libreoffice >/dev/null && [ -e /usr/lib/libreoffice/program/libsclo.so ] || missing="$$missing libreoffice-calc"; \
	[ -e /usr/lib/libreoffice/program/libsdlo.so ] || missing="$$missing libreoffice-impress"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; \
		else echo "make test needs Debian packages that are not installed:$$missing." >&2; \
			echo "Install them as root (apt-get install$$missing), or run make as root or with sudo rights; make test stops here." >&2; \
			exit 1; fi; \
		echo "Installing Debian packages:$$missing"; \
		$$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi
	test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund

browser: tools ## The same as `make tools` (the browser tests' Chromium and axe-core come with it)

bench: $(TESTED) ## Time the naive loop, a process pool and the build engine (prints a table)
	$(PY) benchmarks/bench.py

bench-tests: $(TESTED) ## Time `make quick`'s tests and the whole suite (benchmarks/test_loop.py)
	$(PY) benchmarks/test_loop.py

figures: $(STAMP) ## Write slide-ready figures (PNG + SVG + figures.md) into figures/
	$(VENV)/bin/lymphoma-evidence figures --out figures

slides: $(STAMP) ## Build the 16:9 slide deck deck.pptx
	$(VENV)/bin/lymphoma-evidence slides --out deck.pptx

lint: $(TESTED) ## Lint with ruff, check the layers with import-linter and the types with mypy
	$(VENV)/bin/ruff check lymphoma_evidence tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

clean: ## Remove built reports and caches (keeps .venv)
	rm -rf reports/*.html reports/executed reports/screenshots reports/.manifest.json reports/.build.lock \
		.pytest_cache .ruff_cache .mypy_cache .import_linter_cache
