# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run test bench lint migrate demo messages clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py setup_schedules

# Web on http://127.0.0.1:8000 + Celery worker + beat, one Ctrl-C stops all three (honcho).
run: demo
	@echo "Portal on http://127.0.0.1:8000  (log in as am1 / $${DEMO_PASSWORD:-demo12345}); Ctrl-C stops web, worker and beat."
	DEBUG=$${DEBUG:-1} $(VENV)/bin/honcho -f Procfile.dev start

# The system packages the browser and Kannel tests need: installed with apt-get when it can
# (Debian/Ubuntu, as root), else one line says how, and those tests skip (tests/system_packages.py).
test: install
	@$(PY) tests/system_packages.py
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Regenerate the translation catalogue after changing strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/broker var/static
