# GD Portal — `make run` starts everything on a bare machine; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# Links in e-mails point at the server you started; honcho hands the worker another PORT, so fix it here.
GDPORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
export GDPORTAL_BASE_URL

.PHONY: run serve test install messages migrate seed lint format e2e bench bench-smoke clean

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

# The production configuration on one machine (deploy/serve.py): nginx on PORT (8080 unless you set PORT) in
# front of WEB_NODES gunicorn nodes, one Celery worker, one beat. Needs Debian's nginx and the production
# variables (DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL).
SERVE_PORT := $(if $(filter environment command line,$(origin PORT)),$(PORT),8080)
serve: install
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "make serve needs nginx: sudo apt-get install -y nginx (Debian's package)"; exit 1; }
	PORT=$(SERVE_PORT) \
	GDPORTAL_BASE_URL=$(if $(filter environment command line,$(origin GDPORTAL_BASE_URL)),$(GDPORTAL_BASE_URL),http://127.0.0.1:$(SERVE_PORT)) \
	$(PY) deploy/serve.py

test: messages
	GDPORTAL_TESTING=true $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark in bench/ at a small size against PostgreSQL (BENCH_DATABASE_URL; default
# gdportal_bench_smoke on 127.0.0.1) and Redis (BENCH_REDIS_URL, db 6): fails when a query count grows with the
# data or a ratio falls far below what bench/README.md records. Needs Debian's wrk. About a minute and a half.
bench-smoke: messages
	$(PY) bench/smoke.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var $(VENV)
