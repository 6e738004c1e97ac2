# Vigil — the two commands a user needs are `make run` and `make test`; both install
# the Debian packages they need first (scripts/install-deps.sh, idempotent).
BUILD_DIR ?= build
PYTHON ?= /usr/bin/python3
ARGS ?=

.PHONY: all deps configure build run test unit-test integration-test fuzz test-asan format-check coverage-check coverage-table bench bench-soak format clean

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

# libFuzzer targets (tests/fuzz/NAME_fuzz.cpp, seeds in tests/fuzz/corpus/NAME), built with
# clang in their own directory and run FUZZ_SECONDS each. New inputs go to a temporary
# directory, so the seed corpus in the repository stays as committed; the fuzzer's chatter
# goes to a log, shown in full only when it finds something.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))
fuzz: deps
	@[ -f $(FUZZ_DIR)/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DVIGIL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	@for target in $(FUZZ_TARGETS); do \
	  scratch=$$(mktemp -d) || exit 1; \
	  log=$(FUZZ_DIR)/$$target.log; \
	  echo "fuzz: $$target for $(FUZZ_SECONDS)s (log: $$log)"; \
	  $(FUZZ_DIR)/$${target}_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/$$target- $$scratch tests/fuzz/corpus/$$target >$$log 2>&1; \
	  status=$$?; rm -rf $$scratch; \
	  if [ $$status -ne 0 ]; then tail -n 60 $$log; exit $$status; fi; \
	  grep -E '^(Done|stat::average_exec_per_sec|stat::new_units_added)' $$log; \
	done

# The unit and integration tests again, under AddressSanitizer + UndefinedBehaviorSanitizer
# (gcc, -O1), built in their own directory. Every report is fatal: a UB report aborts, leaks
# are checked when a process exits (vigil serve exits normally on SIGTERM). The integration
# tests' sanitizer reports go to files under ASAN_DIR/reports, which conftest.py checks after
# every test.
ASAN_DIR ?= build-asan
ASAN_REPORTS = $(abspath $(ASAN_DIR))/reports
SANITIZE_ASAN = detect_leaks=1:check_initialization_order=1
SANITIZE_UBSAN = print_stacktrace=1:halt_on_error=1
test-asan: deps
	@[ -f $(ASAN_DIR)/build.ninja ] || cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON
	cmake --build $(ASAN_DIR) --target vigil vigil_unit_tests
	ASAN_OPTIONS=$(SANITIZE_ASAN) UBSAN_OPTIONS=$(SANITIZE_UBSAN) \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j2
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	ASAN_OPTIONS=$(SANITIZE_ASAN):log_path=$(ASAN_REPORTS)/report \
	  UBSAN_OPTIONS=$(SANITIZE_UBSAN):log_path=$(ASAN_REPORTS)/report \
	  VIGIL_BIN=$(abspath $(ASAN_DIR))/vigil $(PYTHON) -m pytest tests/integration -q

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
