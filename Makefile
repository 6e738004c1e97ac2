# Vigil — the two commands a user needs are `make run` and `make test`; both install
# the Debian packages they need first (scripts/install-deps.sh, idempotent).
BUILD_DIR ?= build
PYTHON ?= /usr/bin/python3
ARGS ?=

.PHONY: all deps configure build run test unit-test integration-test format-check bench format clean

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

test: build format-check unit-test integration-test

unit-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

integration-test: build
	VIGIL_BIN=$(abspath $(BUILD_DIR))/vigil $(PYTHON) -m pytest tests/integration -q

# Micro benchmarks (Google Benchmark), the HTTP load benchmark (wrk on loopback) and the
# findings benchmark (FINDINGS generated findings, about 4 minutes to load a million).
FINDINGS ?= 1000000
bench: build
	$(BUILD_DIR)/vigil_bench --benchmark_min_time=0.2
	bench/load.sh $(BUILD_DIR)/vigil
	$(BUILD_DIR)/vigil_findings_bench $(FINDINGS)

format-check:
	clang-format --dry-run -Werror $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'bench/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
