# Hỏi đáp & Đối thoại: the two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; CI machines have 2 cores.
PYTEST_WORKERS ?= 2

.PHONY: run test test-postgres test-sqlite lint format messages makemessages migrate demo worker beat serve-prod bench bench-quick test-cluster clean

$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-run
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# Compiled translations (.mo) are built, not committed; gettext's msgfmt does it.
messages: $(VENV)/.installed-run
	@command -v msgfmt >/dev/null || { echo "gettext is missing: apt-get install gettext (needed to compile translations)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# Only a vi catalogue: msgids are English. Scripts get their texts from the templates
# (data-* attributes, json_script), so there is no djangojs catalogue.
makemessages: $(VENV)/.installed-run
	$(PY) manage.py makemessages -l vi --ignore=.venv --ignore=staticfiles --ignore=media --ignore=bench --ignore=tests --ignore=node_modules --no-obsolete

migrate: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The embedded run: SQLite, in-memory channel layer, eager Celery, console e-mail.
# Links in e-mails, SMS and the demo's notifications use SITE_URL: by default the host and port served
# here, so `make run PORT=8101` works end to end (set SITE_URL to override).
SITE_URL ?= http://$(HOST):$(PORT)
run demo: export SITE_URL := $(SITE_URL)
run: messages demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on PostgreSQL and Redis (the local services by default), in three runs:
# the fast tests in parallel; the tests that start real servers and workers; the browser
# tests (Playwright's sync API keeps an event loop running in its thread, so they get a
# process of their own). Then the tests marked `sqlite` again on SQLite, the embedded default.
PYTEST := $(PY) -m pytest -p no:cacheprovider
test: messages $(VENV)/.installed-dev
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser and not slow"
	$(PYTEST) -m "slow and not browser and not cluster"
	$(PYTEST) -m "browser"
	DATABASE_URL=sqlite:///test-sqlite.db $(PYTEST) -n $(PYTEST_WORKERS) -m "sqlite and not browser and not slow"

# Three web nodes behind HAProxy, 2 workers + beat, PostgreSQL primary + replica, Redis + Sentinel (tests/cluster).
test-cluster: messages $(VENV)/.installed-dev
	$(PYTEST) -m cluster -s tests/cluster

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# Types on services, selectors and core (the file list and plugins: [tool.mypy] in pyproject.toml).
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Celery needs REDIS_URL (or CELERY_BROKER_URL); without it tasks run eagerly in the web process.
# One worker serves both queues here; on several hosts, give e-mail its own: `-Q email`.
worker: $(VENV)/.installed-run
	$(VENV)/bin/celery -A config worker -l info -Q default,email

# Exactly one beat per deployment (schedule in config/settings/base.py); its state file stays out of the tree.
beat: $(VENV)/.installed-run
	$(VENV)/bin/celery -A config beat -l info --schedule $(VENV)/celerybeat-schedule

# Production-style ASGI server (see docs/performance.md for why uvicorn).
serve-prod: $(VENV)/.installed-run
	DJANGO_SETTINGS_MODULE=config.settings.production $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --ws websockets-sansio --ws-per-message-deflate false

# Benchmarks against the real stack on this machine (PostgreSQL, Redis DB 9, uvicorn, Celery, Node
# watchers on loopback); results in bench/results/. See docs/performance.md.
bench/node/node_modules/.package-lock.json: bench/node/package.json bench/node/package-lock.json
	cd bench/node && npm ci --no-audit --no-fund --silent

bench: messages $(VENV)/.installed-dev bench/node/node_modules/.package-lock.json
	$(PY) -m bench

# The same suite at tiny sizes, as a smoke test (CI): it checks that every benchmark still runs, not speed.
bench-quick: messages $(VENV)/.installed-dev bench/node/node_modules/.package-lock.json
	BENCH_SMOKE=1 $(PY) -m pytest tests/bench/test_bench_quick.py -p no:cacheprovider -q

clean:
	rm -rf $(VENV) db.sqlite3 test.sqlite3 test-sqlite.db staticfiles
