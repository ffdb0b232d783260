# Benchmarks (owned by the benchmark developer; included by the top Makefile).
# `make bench`        the full suite on this machine: writes benchmarks/RESULTS.md (+ .json)
# `make bench-quick`  one short round (what CI runs through tests/bench/)
# Extra options: make bench BENCH_ARGS="--servers floor,sheetls --sizes 10000"
.PHONY: bench bench-quick

BENCH_ARGS ?=

bench: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --out benchmarks/RESULTS.md --json benchmarks/RESULTS.json $(BENCH_ARGS)

bench-quick: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --quick $(BENCH_ARGS)
