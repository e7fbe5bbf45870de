# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
FLASK = $(PYTHON) -m flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench setup

run:  ## the portal with the sample procedures on an SQLite file in instance/
	bash .ci/setup
	$(FLASK) db upgrade
	$(FLASK) forms import forms_schemas
	$(FLASK) run --host $(HOST) --port $(PORT)

test:  ## lint, migrations check and the whole test suite (SQLite, PostgreSQL, Chromium)
	bash .ci/setup test
	$(PYTHON) -m ruff check portal tests benchmarks
	$(PYTHON) -m ruff format --check portal tests benchmarks
	$(PYTHON) -m pytest -p no:cacheprovider

lint:
	$(PYTHON) -m ruff check portal tests benchmarks
	$(PYTHON) -m ruff format --check portal tests benchmarks

bench:  ## page weight, filing throughput under gunicorn, receipt render time
	bash .ci/setup test
	$(PYTHON) benchmarks/run.py
