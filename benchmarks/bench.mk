# Benchmarks (owned by the benchmark developer; included by the top Makefile).
# `make bench`        the full suite on this machine: writes benchmarks/RESULTS.md (+ .json)
# `make bench-quick`  one short round (what CI runs through tests/bench/)
# Extra options: make bench BENCH_ARGS="--servers floor,sheetls --sizes 10000"
# Both also run benchmarks/realworld_bench.py (real call sites of the corpus, a 37,500-line
# class body); REALWORLD_BENCH=0 skips it, REALWORLD_BENCH_ARGS passes it options.
# And benchmarks/diagnostics_bench.py (diagnostics after a keystroke at 1,000 and 10,000 lines of
# real asyncio code; its section goes into RESULTS.md); DIAGNOSTICS_BENCH=0 skips it.
# `make bench` then runs benchmarks/lint_vs_ruff.py (sheetls lint beside ruff --select ASYNC on the
# corpus: findings compared, files/s; its section of RESULTS.md); LINT_VS_RUFF=0 skips it.
.PHONY: bench bench-quick

BENCH_ARGS ?=
REALWORLD_BENCH ?= 1
REALWORLD_BENCH_ARGS ?=
DIAGNOSTICS_BENCH ?= 1
DIAGNOSTICS_BENCH_ARGS ?=
LINT_VS_RUFF ?= 1
LINT_VS_RUFF_ARGS ?=

bench: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --out benchmarks/RESULTS.md --json benchmarks/RESULTS.json $(BENCH_ARGS)
	@if [ "$(REALWORLD_BENCH)" != 0 ]; then $(PY) benchmarks/realworld_bench.py \
	    --out benchmarks/RESULTS-realworld.md --json benchmarks/RESULTS-realworld.json $(REALWORLD_BENCH_ARGS); fi
	@if [ "$(DIAGNOSTICS_BENCH)" != 0 ]; then $(PY) benchmarks/diagnostics_bench.py \
	    --out benchmarks/RESULTS.md --json benchmarks/RESULTS-diagnostics.json $(DIAGNOSTICS_BENCH_ARGS); fi
	@if [ "$(LINT_VS_RUFF)" != 0 ]; then $(PY) benchmarks/lint_vs_ruff.py \
	    --out benchmarks/RESULTS.md --json benchmarks/RESULTS-lint-vs-ruff.json $(LINT_VS_RUFF_ARGS); fi

bench-quick: $(VENV)/.stamp-bench
	$(PY) benchmarks/bench.py --quick $(BENCH_ARGS)
	@if [ "$(REALWORLD_BENCH)" != 0 ]; then $(PY) benchmarks/realworld_bench.py --quick $(REALWORLD_BENCH_ARGS); fi
	@if [ "$(DIAGNOSTICS_BENCH)" != 0 ]; then $(PY) benchmarks/diagnostics_bench.py --quick $(DIAGNOSTICS_BENCH_ARGS); fi
