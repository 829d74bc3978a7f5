# The two newcomer commands are `make brief` and `make test`; both set up first.
VENV := .venv/bin
EXAMPLE ?= scenarios/prefecture-binzhou.yaml

.PHONY: setup brief test test-all lint bench docs clean

setup:
	@bash scripts/setup.sh

brief: setup
	@mkdir -p out
	$(VENV)/procure brief $(EXAMPLE) -o out/brief.pdf
	@echo "brief written to out/brief.pdf"

# test: every test but those marked slow (minutes of solving to time limits, thousands of
# generated cases), on every core up to four (pytest-xdist; each worker shares its own briefs);
# test-all: all of them, as CI runs it (.ci/run), the slow ones in one process (their time
# limits assume a core each)
test: setup
	$(VENV)/pytest -q -m "not slow" -n auto --maxprocesses 4 --durations=10

test-all: setup
	$(VENV)/pytest -q --durations=10

lint: setup
	$(VENV)/ruff check src tests benchmarks
	$(VENV)/mypy src

bench: setup
	$(VENV)/python benchmarks/run.py

docs: setup
	$(VENV)/python scripts/render_docs.py

clean:
	rm -rf .venv out .pytest_cache .mypy_cache .ruff_cache
