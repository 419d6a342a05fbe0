# Two commands on a fresh machine (Python 3.11+ and Node present): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := web/static/app.css

.PHONY: demo test install assets clean

demo: install assets
	$(BIN)/s11 demo

test: install assets
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

assets: $(ASSETS)

$(ASSETS): $(wildcard web/frontend/*.scss web/frontend/package*.json web/frontend/build.sh)
	@if [ -f web/frontend/build.sh ]; then bash web/frontend/build.sh; fi

clean:
	rm -rf $(VENV) web/static/govuk $(ASSETS) web/frontend/node_modules
