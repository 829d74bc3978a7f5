# The two newcomer commands are `make brief` and `make test`; both set up first.
VENV := .venv/bin
EXAMPLE ?= scenarios/prefecture-binzhou.yaml

.PHONY: setup brief test lint bench docs clean

setup:
	@bash scripts/setup.sh

brief: setup
	@mkdir -p out
	$(VENV)/procure brief $(EXAMPLE) -o out/brief.pdf
	@echo "brief written to out/brief.pdf"

test: setup
	$(VENV)/pytest

lint: setup
	$(VENV)/ruff check src tests benchmarks
	$(VENV)/mypy src

bench: setup
	$(VENV)/python benchmarks/run.py

docs: setup
	$(VENV)/python scripts/render_docs.py

clean:
	rm -rf .venv out .pytest_cache .mypy_cache .ruff_cache
