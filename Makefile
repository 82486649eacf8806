# FreshCircle. `make run` serves the demo platform; `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := freshcircle.platform:create_app
TRANSLATIONS := freshcircle/platform/translations

.PHONY: help install run test lint translations compile-translations clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed compile-translations ## create .venv and install the project with its test tools

compile-translations: $(VENV)/.installed ## compile the .po catalogs the app reads
	$(VENV)/bin/pybabel compile --statistics -d $(TRANSLATIONS) 2>&1 | grep -v '^compiling' || true

translations: $(VENV)/.installed ## extract strings and update the zh and en catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot . --no-location --sort-output --omit-header
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

run: install ## serve the demo platform on SQLite at http://127.0.0.1:$(PORT)
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask seed-demo
	$(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

test: install ## run the whole suite (PostgreSQL too when FRESHCIRCLE_TEST_DATABASE_URL is set)
	$(PY) -m pytest

lint: install ## ruff and the import-linter layer contract
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean: ## remove the virtualenv and the local database
	rm -rf $(VENV) instance *.egg-info
