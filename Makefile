# 党小组管理 — the two commands a new machine needs: `make run` (serve the demo) and `make test` (run every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Settings for checks that run outside pytest (pytest sets the same through pytest-env).
TEST_ENV := DEBUG=False SECRET_KEY=tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=dGVzdHMtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZmc= FIELD_HASH_KEY=tests-only-hash-key

.PHONY: run serve worker test lint audit lock messages backup restore bench clean-venv newcomer-time

# Make the venv and reinstall whenever pyproject.toml or the lock changes: exactly the locked versions
# (requirements.lock), checked against pyproject.toml's bounds in the same resolution (a conflict stops the install).
# scripts/make_venv.py does it with uv (parallel, seconds) from the indexes pip is configured with, or with pip when
# uv cannot be had (NO_UV=1 forces pip).
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) scripts/make_venv.py $(VENV)
	touch $@

.env:
	$(PYTHON) scripts/make_env.py > .env
	@echo "Wrote .env with fresh development secrets and a demo password."

# A fresh SQLite database is built from the models in one pass (migrate_or_build; otherwise plain migrate); the demo
# township and accounts come first, and the months of activity are made beside the running server at a lower CPU
# priority (seed_demo's docstring), so the first page answers within seconds of the install; a request that writes
# (a login) waits up to 60 s for a part of it being written rather than failing. `make newcomer-time` measures it.
PORT ?= 8000
run: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate_or_build
	$(BIN)/python manage.py seed_demo --if-empty --without-activity
	nice -n 10 $(BIN)/python manage.py seed_demo --if-empty --activity-only & seeder=$$!; \
	trap 'kill $$seeder 2>/dev/null' EXIT INT TERM; \
	SQLITE_BUSY_SECONDS=60 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Seconds from `make run` on a fresh clone (of this checkout's HEAD) to its first page, with an empty package cache
# and again with the cache that run filled; prints both (scripts/newcomer_time.py).
newcomer-time:
	$(PYTHON) scripts/newcomer_time.py

# Production-style serving on this machine: gunicorn, DEBUG off, compressed static files served by the app.
# Secrets come from the environment or .env; cookies and no HTTPS redirect here only because this is loopback.
# On PostgreSQL with two roles: DATABASE_URL is the app's role (gunicorn), MIGRATE_DATABASE_URL the tables' owner
# (`migrate` runs as it and grants the app role its rights), e.g.
#   MIGRATE_DATABASE_URL=postgres://dangxiaozu_owner:…@db/dangxiaozu DATABASE_URL=postgres://dangxiaozu_app:…@db/dangxiaozu make serve
WEB_CONCURRENCY ?= 3
serve: $(VENV)/.installed .env
	DEBUG=False STATIC_MANIFEST=True $(BIN)/python manage.py collectstatic --no-input -v0
	@echo "migrate as $${MIGRATE_DATABASE_URL:+the owner (MIGRATE_DATABASE_URL)}$${MIGRATE_DATABASE_URL:-DATABASE_URL}; serve as DATABASE_URL"
	DEBUG=False DB_STATEMENT_TIMEOUT_MS=0 $(BIN)/python manage.py migrate --no-input
	DEBUG=False $(BIN)/python manage.py cleanup_personal_data --at-start
	@echo "exports asked for as jobs (county rosters, the county's award reports) need 'make worker' running beside this"
	DEBUG=False STATIC_MANIFEST=True ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-False} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-False} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False} \
	$(BIN)/gunicorn config.wsgi --workers $(WEB_CONCURRENCY) --timeout $${GUNICORN_TIMEOUT:-120} --bind $${BIND:-127.0.0.1:8000} --access-logfile -

# The job worker beside `make serve` (exports made off the request, audit/jobs.py): same environment, same database.
# Run one or more (on any machine that reaches the database); each job is claimed by exactly one. It re-queues jobs a
# killed worker left and removes day-old job files at its start and every hour.
worker: $(VENV)/.installed .env
	DEBUG=False JOBS_BACKEND=database DB_STATEMENT_TIMEOUT_MS=0 $(BIN)/python manage.py run_jobs

# ruff, then the import contract (pyproject's [tool.importlinter]): a room imports only the rooms below it.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: $(VENV)/.installed lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python scripts/check_messages.py
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: no chromium on PATH, so the browser tests (tests/browser) are skipped: apt-get install -y chromium fonts-noto-cjk"
	@command -v soffice >/dev/null 2>&1 || echo "NOTE: no soffice on PATH, so the print test (tests/print) is skipped: apt-get install -y libreoffice-calc poppler-utils"
	$(BIN)/pytest

# Known vulnerabilities in the locked versions. Needs the network: pip-audit asks PyPI's per-release JSON API, which
# carries the advisories (.ci/run runs this when that API answers). --strict: a package it cannot check fails too.
audit: $(VENV)/.installed
	$(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip --strict --progress-spinner off

# Pin the newest versions pyproject.toml allows, resolved in a scratch venv (nothing installed by hand slips in).
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet ".[dev]"
	{ sed -n '1,/^[^#]/{/^#/p}' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude-editable --exclude dangxiaozu; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf $(VENV)-lock

# Back up the database (DATABASE_URL, or db.sqlite3) into BACKUP_DIR (default backups/): pg_dump -Fc on PostgreSQL,
# SQLite's backup API on SQLite. `make restore FILE=backups/…` puts one back (it asks first, and backs up the
# database it replaces). Stop the app servers before a restore.
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "Name the backup to restore: make restore FILE=backups/<name>"; exit 2; }
	$(BIN)/python manage.py restore --replace "$(FILE)"

# Performance benchmark (README.md, "Performance"): gunicorn with the production settings on a loopback port,
# measured over real HTTP against a seeded PostgreSQL; prints the table and keeps bench/results.json.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME BENCH_PRESET=county BENCH_PASSWORD=… make bench
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# Regenerate the zh_Hans catalogue's sources (needs GNU gettext) and compile it (pure Python, no gettext needed).
messages: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests
	$(BIN)/python scripts/check_messages.py --compile

clean-venv:
	rm -rf $(VENV)
