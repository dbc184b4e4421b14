# Lodestone: `make run` builds and starts the server; `make test` runs the suite.
# Both install missing Debian packages first (scripts/setup.sh).

BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 6379
CMAKE_FLAGS ?=

.PHONY: all setup build run test unit integration asan tsan fuzz bench clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/lodestone-server --port $(PORT)

# The whole suite: unit tests, integration tests, sanitizer builds, fuzzing.
test: setup
	@scripts/test.sh

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

integration: build
	LODESTONE_BIN=$(abspath $(BUILD))/lodestone-server /usr/bin/python3 -m pytest -q tests/integration

asan:
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLODESTONE_SANITIZE=address
	cmake --build build-asan -j $(JOBS)

tsan:
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLODESTONE_SANITIZE=thread
	cmake --build build-tsan -j $(JOBS)

fuzz:
	scripts/fuzz.sh 30

# Side-by-side benchmarks against redis-server; regenerates docs/performance.md.
bench: build
	bench/run_all

clean:
	rm -rf build build-asan build-tsan build-fuzz
