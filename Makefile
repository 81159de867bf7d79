# Two commands: `make run` and `make test`. Both create the virtualenv and
# install on first use; nothing else needs to be installed but Python 3.11+.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format schema migrate seed-demo bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Trellis needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Migrate the (embedded) database, load the demo organization, serve with GraphiQL.
run: $(STAMP)
	$(BIN)/trellis seed-demo
	$(BIN)/trellis serve --host 127.0.0.1 --port 8000

## Lint, then the unit tests (no database, one process: the domain's classes
## stay plain Python there, as the ORM never maps them), then every layer that
## talks to PostgreSQL, in parallel (work stealing: a few long tests do not
## leave one worker alone at the end).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests/unit -q
	$(BIN)/pytest tests/integration tests/api tests/e2e -n auto --dist worksteal -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate schema.graphql after changing the API.
schema: $(STAMP)
	$(BIN)/trellis export-schema > schema.graphql

migrate: $(STAMP)
	$(BIN)/trellis migrate

seed-demo: $(STAMP)
	$(BIN)/trellis seed-demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
