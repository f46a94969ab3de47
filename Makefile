# Parley: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint typecheck contracts migrations-check pytest bench bench-classifier bench-pipeline bench-load clean

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Parley needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(INSTALLED)

run: install
	@scripts/run.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

# The layers and seams of docs/architecture.md, as import-linter contracts
# ([tool.importlinter] in pyproject.toml).
contracts: install
	$(BIN)/lint-imports --no-cache

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest

test: lint typecheck contracts migrations-check pytest

bench: bench-classifier bench-pipeline

# The classifier benchmark compares with alt-profanity-check, installed only here.
bench-classifier:
	@test -x .bench-venv/bin/python || $(PYTHON) -m venv .bench-venv
	.bench-venv/bin/python -m pip install --quiet -r bench/requirements.txt
	.bench-venv/bin/python bench/classifier.py

bench-pipeline: install
	$(BIN)/python bench/pipeline.py

# Five minutes through nginx + gunicorn + Celery with a worker killed half-way.
bench-load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .bench-venv .mypy_cache .ruff_cache .pytest_cache
