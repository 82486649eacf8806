# FreshCircle. `make run` serves the demo platform; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := freshcircle.platform:create_app
# The browser test drives Debian's /usr/bin/chromium; Playwright never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
TRANSLATIONS := freshcircle/platform/translations
SYSTEM_PACKAGES := chromium fonts-wqy-microhei poppler-utils
# Load generator for bench/scan.py only; CI does not need it.
BENCH_PACKAGES := wrk

.PHONY: help install system-deps bench-deps run test lint translations compile-translations clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed compile-translations ## create .venv and install the project with its test tools

system-deps: ## Debian packages for the browser and PDF tests (installs them when run as root)
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then \
	  echo "system packages present: $(SYSTEM_PACKAGES)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
	  echo "missing system packages:$$missing"; \
	  echo "install them as root: apt-get update && apt-get install -y$$missing"; \
	fi

bench-deps: ## Debian packages the benchmarks use (wrk for bench/scan.py; installs them when run as root)
	@missing=""; \
	for pkg in $(BENCH_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then \
	  echo "bench packages present: $(BENCH_PACKAGES)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
	  echo "missing bench packages:$$missing"; \
	  echo "install them as root: apt-get update && apt-get install -y$$missing"; \
	fi

compile-translations: $(VENV)/.installed ## compile the .po catalogs the app reads
	$(VENV)/bin/pybabel compile --statistics -d $(TRANSLATIONS) 2>&1 | grep -v '^compiling' || true

translations: $(VENV)/.installed ## extract strings and update the zh and en catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot . --no-location --sort-output --omit-header
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

run: install ## migrate, seed the demo data and serve on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL)
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask seed-demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	$(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

test: install ## run the whole suite (PostgreSQL too when FRESHCIRCLE_TEST_DATABASE_URL is set)
	$(PY) -m pytest

lint: install ## ruff, the import-linter layer contract and mypy --strict on the pure libraries
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy --strict freshcircle/traceability freshcircle/logistics

clean: ## remove the virtualenv and the local database
	rm -rf $(VENV) instance *.egg-info
