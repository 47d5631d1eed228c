# Shangmi: two commands on a fresh machine.
#   make run   - install, migrate SQLite, load regions and demo data, serve http://127.0.0.1:8000
#   make test  - the whole test suite (browser tests included), on SQLite and, if reachable, PostgreSQL
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# DEBUG is off unless a developer asks for it (`make run SHANGMI_DEBUG=1`): debug pages show
# tracebacks and settings to whoever reaches the server.
export SHANGMI_DEBUG ?= 0

.PHONY: run install assets migrate demo serve test test-sqlite test-postgres test-clock test-hostile lint bench load messages messages-extract

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Installing also compiles the translations (.po -> .mo, with polib: no gettext needed).
install: $(VENV)/.installed node_modules/.installed
	$(PY) scripts/compile_messages.py

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py evidence_init

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "Starting the background job worker and the web server on http://127.0.0.1:8000"
	$(PY) manage.py db_worker & WORKER=$$!; \
	trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	bash scripts/test.sh

test-sqlite: install
	bash scripts/test.sh sqlite

test-postgres: install
	bash scripts/test.sh postgres

# The suite (browser tests aside) at three hours where Shanghai's date differs from UTC's
# (needs Debian's faketime; .ci/run installs it and runs this).
test-clock: install
	bash scripts/test-clock.sh

# Hostile files (dimension and zip bombs, billion laughs, a 100 MB CSV line, a PNG bomb,
# polyglots) through the pages of a live server; left out of `make test`, run once by .ci/run.
test-hostile: install
	SHANGMI_DEBUG=0 SHANGMI_SECRET_KEY=test-only-key env -u DATABASE_URL $(PY) -m pytest -m hostile tests/hostile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m benchmarks

# 200 simulated staff for 5 minutes against the production topology (nginx, page servers, a
# sign-in pool, job workers, PostgreSQL) on 127.0.0.1; writes p50/p95/p99 per page into
# BENCHMARKS.md. Needs nginx, openssl and PostgreSQL, as the topology test (scripts/load-test.sh).
load: install
	bash scripts/load-test.sh

# Compile shangmi/locale/*/LC_MESSAGES/django.po into the .mo beside it (commit both).
messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

# Collect new msgids from the code into the .po (needs GNU gettext); translate them, then `make messages`.
# tests/test_i18n.py runs the same extraction and fails on any msgid the .po lacks.
messages-extract: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --add-location=file \
		--ignore=.venv --ignore=node_modules --ignore=var --ignore=test-artifacts
