# The two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test install lint catalog

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Options pass through: make demo ARGS="--port 8090 --data-dir /tmp/fitzap"
demo: $(VENV)/.installed
	$(VENV)/bin/fitzap demo $(ARGS)

test: $(VENV)/.installed
	scripts/test-prereqs
	$(VENV)/bin/pytest -q -n auto --maxprocesses 4 --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# The panel's messages: collect them from the code, then add new ones to each language's .po to translate.
catalog: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --no-location --sort-output -w 120 -F babel.cfg -o admin/locale/messages.pot admin
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -w 120 -i admin/locale/messages.pot -d admin/locale -l pt_BR
