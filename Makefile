# CRP Portal. `make run` and `make test` work on a fresh machine with Python 3.11, make and git.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.DEFAULT_GOAL := help
.PHONY: help system-deps install install-dev messages messages-extract run migrate demo worker beat test lint typecheck fmt check migrations-check deploy-check bench-rollups bench-api bench-admin clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Debian packages, one list for this target and .ci/run. Optional: without them `make run` and
# `make test` still work; the browser tests skip and the plan PDF link says what to install.
SYSTEM_DEPS := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
system-deps:  ## Debian packages for the browser tests and the PDF: chromium, fonts, WeasyPrint's libraries (as root)
	@missing=$$(for p in $(SYSTEM_DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	echo "Debian packages present: $(SYSTEM_DEPS)"

install: $(VENV)/.installed  ## create the virtualenv and install the runtime requirements

# Translations (issue #15, item 5): locale/<lang>/LC_MESSAGES/django.po is in the repo, the .mo
# Django reads is compiled from it by Babel (no GNU gettext needed).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

messages: $(MO_FILES)  ## compile the translations (locale/*/LC_MESSAGES/django.po → .mo)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) tools/compile_messages.py $<

messages-extract: install  ## refresh the .po files from the code and templates (needs GNU gettext: apt-get install gettext)
	$(MANAGE) makemessages -l fr -l es -l ar --no-obsolete --ignore=.venv --ignore="*/tests/*" --ignore="*/migrations/*" --ignore=bench --ignore=tools --ignore=var

install-dev: $(VENV)/.installed-dev  ## install runtime + test and lint tools

migrate: install messages  ## apply migrations (catalogs load with them)
	$(MANAGE) migrate --no-input

demo: migrate  ## load the demo plans, funding and users (idempotent)
	$(MANAGE) load_demo

run: demo  ## install, migrate, load the demo and serve on http://127.0.0.1:8000
	@echo ""
	@echo "  Public site:  http://127.0.0.1:8000/"
	@echo "  Plans:        http://127.0.0.1:8000/plans/"
	@echo "  Funding:      http://127.0.0.1:8000/funding/"
	@echo "  Admin:        http://127.0.0.1:8000/admin/"
	@echo "  API:          http://127.0.0.1:8000/api/v1/   docs: http://127.0.0.1:8000/api/docs/"
	@echo ""
	DEBUG=$${DEBUG:-true} $(MANAGE) runserver 127.0.0.1:8000

worker: install  ## a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A crp_portal worker --loglevel=INFO --concurrency=2

beat: install  ## Celery beat: the dirty-plan sweep and the nightly audit (needs REDIS_URL)
	$(BIN)/celery -A crp_portal beat --loglevel=INFO

# Parallel: one pytest-xdist worker per core, at most 4 (each has its own test database and Redis
# database; see conftest.py). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto
test: install-dev messages  ## the whole test suite (SQLite, or PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist load $(PYTEST_ARGS)

lint: install-dev  ## ruff lint and format check, import contracts (.importlinter), no import cycles, no module over 600 lines, typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) tools/import_cycles.py
	$(PY) tools/module_sizes.py
	$(MAKE) typecheck

typecheck: install-dev  ## mypy (with django-stubs) on the services and selectors listed in pyproject.toml
	$(BIN)/mypy

fmt: install-dev  ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install  ## fail when a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

deploy-check: install  ## `check --deploy` with production-like settings (uses DATABASE_URL and REDIS_URL)
	DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  ALLOWED_HOSTS=crp.example.org SECURE_PROXY_SSL_HEADER=true TRUSTED_PROXY_COUNT=1 \
	  $(MANAGE) check --deploy --fail-level WARNING

check: lint migrations-check test  ## everything CI runs

bench-rollups: install-dev  ## rollup benchmark (PostgreSQL; see bench/README.md)
	$(PY) bench/rollups.py $(BENCH_ARGS)

bench-api: install-dev  ## API benchmark (PostgreSQL; see bench/README.md)
	$(PY) bench/api.py $(BENCH_ARGS)

bench-admin: install-dev  ## plan admin page of 150 interventions, open and save (PostgreSQL; bench/README.md)
	$(PY) bench/admin_plan.py $(BENCH_ARGS)

clean:  ## remove the virtualenv and local data
	rm -rf $(VENV) var
