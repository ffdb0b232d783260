# Benchmarks (owned by the benchmark developer; included by the top Makefile).
# `make bench`        the full suite on this machine: writes benchmarks/RESULTS.md (+ .json)
# `make bench-quick`  one short round (what CI runs through tests/bench/)
# Extra options: make bench BENCH_ARGS="--servers floor,sheetls --sizes 10000"
# Both also run benchmarks/realworld_bench.py (real call sites of the corpus, a 37,500-line
# class body); REALWORLD_BENCH=0 skips it, REALWORLD_BENCH_ARGS passes it options.
.PHONY: bench bench-quick

BENCH_ARGS ?=
REALWORLD_BENCH ?= 1
REALWORLD_BENCH_ARGS ?=

bench: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --out benchmarks/RESULTS.md --json benchmarks/RESULTS.json $(BENCH_ARGS)
	@if [ "$(REALWORLD_BENCH)" != 0 ]; then $(PY) benchmarks/realworld_bench.py \
	    --out benchmarks/RESULTS-realworld.md --json benchmarks/RESULTS-realworld.json $(REALWORLD_BENCH_ARGS); fi

bench-quick: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --quick $(BENCH_ARGS)
	@if [ "$(REALWORLD_BENCH)" != 0 ]; then $(PY) benchmarks/realworld_bench.py --quick $(REALWORLD_BENCH_ARGS); fi
