# Two commands do all the set-up: `make demo` and `make test`. Both create .venv if missing and
# install the project with the tested pins from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DLND_DATA_DIR ?= $(abspath ../shared/data)
export DLND_DATA_DIR

.PHONY: install demo test test-fast lint bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres,rl,compare]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	if [ -d "$(DLND_DATA_DIR)" ]; then $(BIN)/dlnd data use "$(DLND_DATA_DIR)"; fi
	$(BIN)/dlnd course --quick
	@echo
	@echo "next, in any shell:  source .venv/bin/activate  then  dlnd list  /  dlnd run bike-sharing"

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

# Under 2 minutes: everything but the tests marked slow (long real-data runs, resumes, sweeps).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
