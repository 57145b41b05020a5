.PHONY: demo test lint

demo:  ## set up and run RetailIQ on embedded defaults, with demo data and a worker
	scripts/demo.sh

test:  ## run the whole test suite (PostgreSQL + Redis when reachable, then SQLite)
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
