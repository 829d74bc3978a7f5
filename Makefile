# The two newcomer commands are `make brief` and `make test`; both set up first.
VENV := .venv/bin
EXAMPLE ?= scenarios/prefecture-binzhou.yaml

.PHONY: setup brief test test-fast lint bench docs clean

setup:
	@bash scripts/setup.sh

brief: setup
	@mkdir -p out
	$(VENV)/procure brief $(EXAMPLE) -o out/brief.pdf
	@echo "brief written to out/brief.pdf"

# the whole suite (CI runs this); test-fast leaves out the tests marked slow, for quick rounds
test: setup
	$(VENV)/pytest -q --durations=15

test-fast: setup
	$(VENV)/pytest -q -m "not slow"

lint: setup
	$(VENV)/ruff check src tests benchmarks
	$(VENV)/mypy src

bench: setup
	$(VENV)/python benchmarks/run.py

docs: setup
	$(VENV)/python scripts/render_docs.py

clean:
	rm -rf .venv out .pytest_cache .mypy_cache .ruff_cache
