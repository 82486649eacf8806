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
SYSTEM_PACKAGES := chromium fonts-wqy-microhei poppler-utils nginx
# Load generator for bench/scan.py and bench/marketplace.py (make bench, and their small runs
# in the suite, which CI runs).
BENCH_PACKAGES := wrk

.PHONY: help install system-deps bench-deps bench bench-compare services run serve test lint translations \
	compile-translations clean vendor-leaflet

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# axe-core for the browser tests' accessibility check, pinned in package-lock.json (never served).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Leaflet for the maps: its released files are committed in freshcircle/platform/static/leaflet
# (served by us, never a CDN); this target fetches them again from the npm registry.
LEAFLET_VERSION := 1.9.4
LEAFLET_DIR := freshcircle/platform/static/leaflet
vendor-leaflet: ## fetch leaflet@$(LEAFLET_VERSION) from npm into freshcircle/platform/static/leaflet (commit the result)
	rm -rf build/leaflet && mkdir -p build/leaflet
	cd build/leaflet && npm pack --silent leaflet@$(LEAFLET_VERSION) && tar xzf leaflet-$(LEAFLET_VERSION).tgz
	mkdir -p $(LEAFLET_DIR)/images
	sed '/sourceMappingURL=/d' build/leaflet/package/dist/leaflet.js > $(LEAFLET_DIR)/leaflet.js
	cp build/leaflet/package/dist/leaflet.css build/leaflet/package/LICENSE $(LEAFLET_DIR)/
	cp build/leaflet/package/dist/images/layers*.png $(LEAFLET_DIR)/images/

install: $(VENV)/.installed compile-translations node_modules/.installed ## create .venv and install the project with its test tools (and axe-core from npm)

system-deps: ## Debian packages for the browser and PDF tests (installs them when run as root)
	tools/apt-install $(SYSTEM_PACKAGES)
	@command -v npm >/dev/null || tools/apt-install npm  # npm ci fetches axe-core (make install)

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

bench-deps: $(VENV)/.bench-installed ## what the benchmarks need: the bench extra (peer route solvers) and wrk (as root)
	tools/apt-install $(BENCH_PACKAGES)

services: ## start PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) if they are not running
	tools/start-services

bench: install bench-deps services ## every benchmark at full size (~45 min): bench/results/<date>-<commit>.json
	$(PY) bench/run_all.py

bench-compare: install ## the latest bench results file against the previous one (WORSE: >20% the wrong way)
	$(PY) bench/results.py compare

compile-translations: $(VENV)/.installed ## compile the .po catalogs the app reads
	$(VENV)/bin/pybabel compile --statistics -d $(TRANSLATIONS) 2>&1 | grep -v '^compiling' || true

translations: $(VENV)/.installed ## extract strings and update the zh and en catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot . --no-location --sort-output --omit-header
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

run: install ## migrate, seed the demo data (a demo database only) and serve on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL)
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask seed-demo --only-demo-database
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	$(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

serve: install ## production: migrate, then gunicorn on FRESHCIRCLE_BIND (needs SECRET_KEY and DATABASE_URL; see README)
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY in the environment" >&2; exit 2; }
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL in the environment" >&2; exit 2; }
	$(VENV)/bin/flask db upgrade
	exec $(VENV)/bin/gunicorn --config python:freshcircle.platform.gunicorn_conf \
		'freshcircle.platform.wsgi:production_app()'

test: install ## run the whole suite (PostgreSQL too when FRESHCIRCLE_TEST_DATABASE_URL is set)
	$(PY) -m pytest

lint: install ## ruff, the import-linter layer contract and mypy --strict on the pure libraries
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy --strict freshcircle/traceability freshcircle/logistics freshcircle/forecasting

clean: ## remove the virtualenv, node_modules and the local database
	rm -rf $(VENV) node_modules instance *.egg-info
