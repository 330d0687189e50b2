# GD Portal — `make run` starts everything on a bare machine; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# Links in e-mails point at the server you started; honcho hands the worker another PORT, so fix it here.
GDPORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
export GDPORTAL_BASE_URL

.PHONY: run test install messages migrate seed lint format e2e bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

install: $(VENV)/.installed

messages: install
	$(PY) manage.py compile_translations

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Web server + Celery worker with its embedded beat, together; Ctrl-C stops all of them.
run: messages seed
	@echo ""
	@echo "GD Portal at http://127.0.0.1:$(PORT)/ — demo password for every account: Demo@2026gd"
	@echo "  customer cliente@demo.gdportal.dev · debtor devedor@demo.gdportal.dev · RT CPF 111.444.777-35"
	@echo "  admin (/admin/): analista.comercial, analista.tecnico, analista.cadastro, vistoriador, admin"
	@echo ""
	$(VENV)/bin/honcho start -f Procfile -p $(PORT)

test: messages
	GDPORTAL_TESTING=true $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var $(VENV)
