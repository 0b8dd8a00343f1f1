# 党小组管理 — the two commands a new machine needs: `make run` (serve the demo) and `make test` (run every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Settings for checks that run outside pytest (pytest sets the same through pytest-env).
TEST_ENV := DEBUG=False SECRET_KEY=tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=dGVzdHMtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZmc= FIELD_HASH_KEY=tests-only-hash-key

.PHONY: run serve test lint messages clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

.env:
	$(PYTHON) scripts/make_env.py > .env
	@echo "Wrote .env with fresh development secrets and a demo password."

run: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Production-style serving on this machine: gunicorn, DEBUG off, compressed static files served by the app.
# Secrets come from the environment or .env; cookies are plain-HTTP here only because this is loopback.
WEB_CONCURRENCY ?= 3
serve: $(VENV)/.installed .env
	DEBUG=False STATIC_MANIFEST=True $(BIN)/python manage.py collectstatic --no-input -v0
	DEBUG=False $(BIN)/python manage.py migrate --no-input
	DEBUG=False STATIC_MANIFEST=True ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-False} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-False} \
	$(BIN)/gunicorn township.wsgi --workers $(WEB_CONCURRENCY) --bind $${BIND:-127.0.0.1:8000} --access-logfile -

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: $(VENV)/.installed lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python scripts/check_messages.py
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: no chromium on PATH, so the browser tests (tests/browser) are skipped: apt-get install -y chromium fonts-noto-cjk"
	$(BIN)/pytest

# Regenerate the zh_Hans catalogue's sources (needs GNU gettext) and compile it (pure Python, no gettext needed).
messages: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests
	$(BIN)/python scripts/check_messages.py --compile

clean-venv:
	rm -rf $(VENV)
