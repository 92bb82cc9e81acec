# One command to serve, one to test; each creates the virtual environment when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# aiobotocore pins botocore to a narrow range, so its tests (tests/aio) get a venv of their own.
AIO_VENV  := .venv-aio
AIO_STAMP := $(AIO_VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 4566

.PHONY: serve test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(AIO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(AIO_VENV)
	$(AIO_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIO_VENV)/bin/python -m pip install --quiet -e '.[test]' aiobotocore pytest
	touch $(AIO_STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/hoarfrost serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(AIO_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(AIO_VENV)/bin/python -m pytest tests/aio

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(AIO_VENV) build src/*.egg-info .pytest_cache
