# Vigil — the two commands a user needs are `make run` and `make test`; both install
# the Debian packages they need first (scripts/install-deps.sh, idempotent).
BUILD_DIR ?= build
PYTHON ?= /usr/bin/python3
ARGS ?=

.PHONY: all deps configure build run test unit-test integration-test sanitize-configure fuzz test-asan format-check coverage-check coverage-table bench bench-soak format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	cmake --build $(BUILD_DIR)

# Starts `vigil serve` on 127.0.0.1:8484 with its SQLite store in ./vigil-data.
run: build
	$(BUILD_DIR)/vigil serve $(ARGS)

test: build format-check coverage-check unit-test integration-test fuzz test-asan

unit-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

integration-test: build
	VIGIL_BIN=$(abspath $(BUILD_DIR))/vigil $(PYTHON) -m pytest tests/integration -q

# The sanitizer build, shared by `make fuzz` and `make test-asan` so CI compiles it once:
# clang, AddressSanitizer + UndefinedBehaviorSanitizer on everything (-O1, assertions on),
# libFuzzer coverage everywhere, and the fuzz targets.
SANITIZE_DIR ?= build-sanitize
sanitize-configure: deps
	@[ -f $(SANITIZE_DIR)/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_DIR) \
	  -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON -DVIGIL_FUZZ=ON

# libFuzzer targets (tests/fuzz/NAME_fuzz.cpp, seeds in tests/fuzz/corpus/NAME), each run
# for a fixed number of inputs: FUZZ_RUNS, or FUZZ_RUNS_NAME where a target is much slower
# or faster (the whole HTTP path runs ~700 inputs/s here, the parsers 8,000-20,000,
# criteria far more), about 10-30 s each on this machine. FUZZ_MAX_SECONDS only guards CI against a target gone slow. New inputs go to a
# temporary directory, so the seed corpus in the repository stays as committed; the
# fuzzer's chatter goes to a log, shown in full only when it finds something.
FUZZ_RUNS ?= 200000
FUZZ_RUNS_http_request ?= 20000
FUZZ_RUNS_criteria ?= 2000000
FUZZ_MAX_SECONDS ?= 300
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))
FUZZ_PLAN := $(foreach t,$(FUZZ_TARGETS),$(t):$(or $(FUZZ_RUNS_$(t)),$(FUZZ_RUNS)))
fuzz: sanitize-configure
	cmake --build $(SANITIZE_DIR) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	@for entry in $(FUZZ_PLAN); do \
	  target=$${entry%%:*}; runs=$${entry##*:}; \
	  scratch=$$(mktemp -d) || exit 1; \
	  log=$(SANITIZE_DIR)/$$target.log; \
	  echo "fuzz: $$target, $$runs inputs (log: $$log)"; \
	  $(SANITIZE_DIR)/$${target}_fuzz -runs=$$runs -max_total_time=$(FUZZ_MAX_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(SANITIZE_DIR)/$$target- \
	    $$scratch tests/fuzz/corpus/$$target >$$log 2>&1; \
	  status=$$?; rm -rf $$scratch; \
	  if [ $$status -ne 0 ]; then tail -n 60 $$log; exit $$status; fi; \
	  grep -E '^(Done|stat::average_exec_per_sec|stat::new_units_added)' $$log; \
	done

# The unit and integration tests again, in the sanitizer build. Every report is fatal: a UB
# report aborts, leaks are checked when a process exits (vigil serve exits normally on
# SIGTERM). The unit tests run as one process (ctest would start an instrumented process
# per test); the integration tests' sanitizer reports go to files under
# SANITIZE_DIR/reports, which conftest.py checks after every test.
ASAN_REPORTS = $(abspath $(SANITIZE_DIR))/reports
SANITIZE_ASAN = detect_leaks=1:check_initialization_order=1
SANITIZE_UBSAN = print_stacktrace=1:halt_on_error=1
test-asan: sanitize-configure
	cmake --build $(SANITIZE_DIR) --target vigil vigil_unit_tests
	ASAN_OPTIONS=$(SANITIZE_ASAN) UBSAN_OPTIONS=$(SANITIZE_UBSAN) $(SANITIZE_DIR)/vigil_unit_tests
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	ASAN_OPTIONS=$(SANITIZE_ASAN):log_path=$(ASAN_REPORTS)/report \
	  UBSAN_OPTIONS=$(SANITIZE_UBSAN):log_path=$(ASAN_REPORTS)/report \
	  VIGIL_BIN=$(abspath $(SANITIZE_DIR))/vigil $(PYTHON) -m pytest tests/integration -q

# Micro benchmarks (Google Benchmark), the HTTP load benchmark (wrk on loopback), `vigil
# ingest` of 1 GiB of gzip CloudTrail (generated once into /tmp, ~10 minutes the first time)
# and the findings benchmark (FINDINGS generated findings, about 4 minutes to load a million).
FINDINGS ?= 1000000
bench: build
	$(BUILD_DIR)/vigil_bench --benchmark_min_time=0.2
	$(BUILD_DIR)/vigil_intel_bench --benchmark_min_time=0.2
	$(BUILD_DIR)/vigil_ingest_bench --benchmark_min_time=0.2
	bench/load.sh $(BUILD_DIR)/vigil
	bench/ingest_cli.sh $(BUILD_DIR)/vigil
	$(BUILD_DIR)/vigil_findings_bench $(FINDINGS)

# Soak benchmark (bench/soak.py): its own vigil serve on loopback under a mix of API reads,
# API writes and log ingest from several connections for SOAK_SECONDS (default 180); reports
# throughput, p50/p99 and RSS, and fails on any error or if memory does not stay flat.
bench-soak: build
	$(PYTHON) bench/soak.py $(BUILD_DIR)/vigil

format-check:
	clang-format --dry-run -Werror $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

# README's table of the GuardDuty operations served, generated from botocore's model and
# the route tables in src/api; coverage-check fails when it is stale.
coverage-check:
	$(PYTHON) scripts/coverage_table.py --check

coverage-table:
	$(PYTHON) scripts/coverage_table.py

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
