# The two commands: `make run` serves the app, `make test` runs the tests (a few minutes); `make test-slow` runs
# the slow ones it leaves out (fuzzing, processes, servers, builds, browser sweeps). CI runs both.
PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-slow lint browser catalogs translations bench soak screenshot clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The words of the pages in each language: the catalogs (bodymap/translations/<lang>/LC_MESSAGES/messages.po, kept
# in git) compiled to the .mo files the app reads (not kept: made here, by `make run` and `make test`).
TRANSLATIONS := bodymap/translations

catalogs: $(VENV)/.installed
	$(BIN)/pybabel --quiet compile --directory $(TRANSLATIONS)

# After changing a string in the code or a template: collect every string again and add the new ones to each
# catalog (empty, for a translator to fill in; `make test` fails until every one is translated).
translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract --mapping-file babel.cfg --keyword lazy_gettext --keyword _l \
		--project bodymap --no-location --sort-output --output-file $(TRANSLATIONS)/messages.pot bodymap templates
	$(BIN)/pybabel --quiet update --input-file $(TRANSLATIONS)/messages.pot --output-dir $(TRANSLATIONS) --no-fuzzy-matching

# Local development speaks plain HTTP, so the session cookie may not be Secure here.
run: $(VENV)/.installed catalogs
	$(BIN)/flask --app bodymap content check
	$(BIN)/flask --app bodymap db upgrade
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-false} $(BIN)/flask --app bodymap run --host 127.0.0.1 --port $(PORT)

browser:
	@scripts/ensure-chromium

test: $(VENV)/.installed-test browser catalogs
	$(BIN)/ruff check bodymap tests scripts migrations gunicorn.conf.py
	$(BIN)/pytest -m "not slow"

test-slow: $(VENV)/.installed-test browser catalogs
	$(BIN)/pytest -m slow

lint: $(VENV)/.installed-test
	$(BIN)/ruff check bodymap tests scripts migrations gunicorn.conf.py
	$(BIN)/ruff format --check bodymap tests scripts migrations gunicorn.conf.py

# Throughput on loopback with wrk (Debian's package, installed when missing), against a bare Flask hello
# under the same gunicorn; fails when a target is missed. BENCH_ARGS="--seconds 10 --rounds 5" for longer runs.
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Reliability (not part of `make test`): gunicorn with 4 workers on PostgreSQL and Redis at 127.0.0.1, 10,000
# callback requests while a worker is killed and the Redis and database connections are cut; a few minutes.
soak: $(VENV)/.installed-test
	$(BIN)/python scripts/soak.py

screenshot: $(VENV)/.installed-test browser
	$(BIN)/python scripts/screenshot.py
	$(BIN)/python scripts/screenshot_times.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
