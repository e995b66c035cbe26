# The two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Serve on the embedded SQLite database with a demo reseller (development mode).
# A new database also gets sample VPN users, so the dashboard's tables and
# charts have something to show on the first visit.
run: $(STAMP)
	@if [ -f db.sqlite3 ]; then sample=""; else sample="--users 60"; fi; \
	DEBUG=true $(BIN)/python manage.py migrate --no-input && \
	DEBUG=true $(BIN)/python manage.py demo $$sample
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole test suite: SQLite by default, or the database in DATABASE_URL.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
