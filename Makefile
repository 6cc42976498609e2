# The two commands of the README: `make run` (install, migrate, load demo content, serve on
# SQLite with the background-job worker beside it) and `make test` (install, run the test
# suite). Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint install axe

# Local use only: DEBUG on, and with it the development SECRET_KEY.
run: export DEBUG = 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

# Tests own what they touch: whatever the suite and the servers it starts put in the temporary
# directory (page-cache folders, import scratch, pytest's own) goes in one folder, removed after
# (others may enter it: the suite's private PostgreSQL clusters run as the postgres user).
test: install axe
	@tmp=$$(mktemp -d -t finews-tests.XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && chmod 755 "$$tmp" && \
	  echo "DEBUG=1 TMPDIR=$$tmp $(BIN)/pytest" && DEBUG=1 TMPDIR="$$tmp" $(BIN)/pytest

# axe-core (npm) for the accessibility checks; they skip, saying why, where it is missing.
AXE = tests/axe/node_modules/axe-core/axe.min.js
axe:
	@if [ -f $(AXE) ]; then :; elif command -v npm >/dev/null; then \
	  npm install --prefix tests/axe --no-package-lock --silent --no-audit --no-fund \
	  || echo "could not install axe-core: accessibility checks will be skipped"; \
	else echo "npm not found: accessibility checks will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@
