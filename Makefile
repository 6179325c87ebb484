# Relais developer entry points. `make test` is the command CI runs (.ci/run).
#
# make install  create .venv, install the project with its test extras, build the e5 engine
# make run      install, then start the service (relais serve)
# make lint     ruff check
# make eval     per-language accuracy of free-text understanding (relais understand --eval)
# make test     lint, then pytest; starts the throwaway PostgreSQL from .ci/start-postgres
#               unless RELAIS_TEST_PG_URL is already set

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run lint test catalogs eval

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	$(BIN)/python -m conversations.understanding.engine.build

run: install
	$(BIN)/relais serve

lint:
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	@if [ -z "$${RELAIS_TEST_PG_URL:-}" ]; then \
		RELAIS_TEST_PG_URL="$$(.ci/start-postgres)" || exit 1; \
		export RELAIS_TEST_PG_URL; \
	fi; \
	echo "PostgreSQL for tests: $$RELAIS_TEST_PG_URL"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-extract the messages (Python, flows, directory) and merge them into every catalog.
catalogs:
	$(BIN)/pybabel extract -F babel.cfg -k t -k N_ -k gettext:2 --no-location --sort-output --omit-header -o locales/relais.pot .
	$(BIN)/pybabel update -D relais -i locales/relais.pot -d locales --no-fuzzy-matching --width 100
	$(BIN)/python locales/sync_source.py

# Per-language accuracy and emergency recall of free-text understanding (issue 5).
eval:
	$(BIN)/relais understand --eval

# Issue 8: turn throughput and latency, memory per conversation, the raw commit rate of the
# same database and a python-telegram-bot baseline, side by side, on SQLite and on a
# PostgreSQL cluster that bench.run starts for the run with production durability (fsync,
# full_page_writes, synchronous_commit on; issue 14), stopped after. Issue 14: then `wrk`
# against `relais serve` on both databases at 2/4/16/64 connections (bench/http_load.py).
# Writes bench/results.json and the tables of docs/benchmarks.md; about 5 minutes.
# BENCH_ARGS="--people 100" to shorten.
BENCH_ARGS ?=
HTTP_BENCH_ARGS ?=
.PHONY: bench bench-scale
bench:
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.http_load $(HTTP_BENCH_ARGS)
	$(BIN)/python -m bench.understanding

# Issue 15: what a shared rate limit costs per request, and throughput through nginx with
# 1, 2 and 3 instances on one PostgreSQL. Merges "limits" and "balancer" into
# bench/results.json and fills their tables in docs/benchmarks.md; about 6 minutes.
bench-scale:
	@if [ -z "$${RELAIS_TEST_PG_URL:-}" ]; then \
		RELAIS_TEST_PG_URL="$$(.ci/start-postgres)" || exit 1; \
		export RELAIS_TEST_PG_URL; \
	fi; \
	$(BIN)/python -m bench.limits && $(BIN)/python -m bench.balancer

# Issue 19: time to read a typical reply aloud (espeak-ng + opusenc), per language, from
# scratch and cached. Merges "speech" into bench/results.json (docs/voice.md); about 1 minute.
.PHONY: bench-speech
bench-speech:
	$(BIN)/python -m bench.speech
