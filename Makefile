# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test
COVERAGE_FLOOR ?= 85

.PHONY: run test lint typecheck pytest system-packages integrations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run` needs only the service; `make test` adds the test and bench tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m widget serve --demo

# Debian packages the suite drives: chromium (browser tests), wrk (the bench's smoke test),
# hugo, jekyll and npm (the integration tests build Hugo, Jekyll and Docusaurus sites),
# postgresql (the suite starts throwaway servers from its binaries; tests/pg_support.py) and
# nginx (the README's reverse-proxy example, tested). Only the binaries are used: the
# package's own cluster is not started.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v hugo >/dev/null 2>&1 || missing="$$missing hugo"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v jekyll >/dev/null 2>&1 || missing="$$missing jekyll"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: $(STAMP)
	$(BIN)/ruff format --check widget tests bench
	$(BIN)/ruff check widget tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict widget

# The Docusaurus example site's packages, exactly as locked (MkDocs and Material go into a
# private environment under .cache/, made by tests/integration_sites.py on first use).
DOCUSAURUS_SITE := integrations/docusaurus/example
$(DOCUSAURUS_SITE)/node_modules/.package-lock.json: $(DOCUSAURUS_SITE)/package-lock.json
	cd $(DOCUSAURUS_SITE) && npm ci --no-audit --no-fund

integrations: system-packages $(DOCUSAURUS_SITE)/node_modules/.package-lock.json

pytest: $(STAMP) system-packages integrations
	$(BIN)/python -m pytest -W error --cov=widget --cov-report=term-missing:skip-covered \
		--cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage test-artifacts .cache \
		$(DOCUSAURUS_SITE)/node_modules $(DOCUSAURUS_SITE)/.docusaurus
