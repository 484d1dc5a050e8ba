# The two commands: `make run` and `make test`. Everything else is their plumbing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(PY) manage.py

.PHONY: run test install assets messages lint typecheck migrations-check pytest browser-deps bench worker clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@# PyICU (through followthemoney's normality) is built against the system's ICU.
	@if ! pkg-config --exists icu-uc 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
	  else \
	    echo "PyICU needs ICU's headers: apt-get install libicu-dev pkg-config g++"; \
	  fi; \
	fi
	@# WeasyPrint (PDF certificates and reports) lays text out with Pango.
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else \
	    echo "WeasyPrint needs Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0"; \
	  fi; \
	fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

assets: node_modules/.installed

# Compile the translation catalogs (the .mo files are not kept in git). Babel's compiler needs no
# GNU gettext; a checkout without catalogs yet has nothing to compile. Like msgfmt, it leaves out
# fuzzy (unreviewed) entries; a catalog whose header is still marked fuzzy is skipped whole.
messages: $(VENV)/.installed
	@for domain in django djangojs; do \
	  if compgen -G "cicte/locale/*/LC_MESSAGES/$$domain.po" >/dev/null; then \
	    $(VENV)/bin/pybabel compile --statistics --domain $$domain --directory cicte/locale || exit 1; \
	  fi; \
	done

install: $(VENV)/.installed assets messages

run: install
	@mkdir -p var
	DEBUG=true $(MANAGE) migrate --no-input
	DEBUG=true $(MANAGE) seed_demo
	@DEBUG=true $(MANAGE) demo_logins --url http://$(HOST):$(PORT)/
	@# The huey worker runs in the background and is stopped whenever the web server ends
	@# (Ctrl-C included), so that no worker outlives `make run`.
	@DEBUG=true $(MANAGE) run_huey --workers 2 --flush-locks & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM; \
	  DEBUG=true $(MANAGE) runserver --noreload $(HOST):$(PORT)

worker: install
	DEBUG=true $(MANAGE) run_huey --workers 2

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy cicte

migrations-check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=cicte.settings_test $(MANAGE) makemigrations --check --dry-run

# Browser tests need Debian's chromium; message extraction needs GNU gettext.
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v xgettext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium gettext >/dev/null; \
	  else \
	    echo "Install Debian's chromium and gettext (apt-get install chromium gettext) to run every test."; \
	  fi; \
	fi

pytest: install browser-deps
	env -u DATABASE_URL $(VENV)/bin/pytest -n 2 --dist loadgroup -q
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "--- again on PostgreSQL (DATABASE_URL)"; \
	  $(VENV)/bin/pytest -n 2 --dist loadgroup -q; \
	fi

test: install lint typecheck migrations-check pytest

bench: install
	$(PY) -m pip install --quiet -c constraints.txt -e ".[bench]"
	$(PY) -m bench $(BENCH)

clean:
	rm -rf $(VENV) node_modules staticfiles
