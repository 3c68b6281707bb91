# switchpoint: `make run` and `make test` set up everything on a fresh Debian machine
# (Swift and apt are the only prerequisites).

SWIFT ?= swift
SAMPLE ?= samples/ws-echo-veth.pcap
# What the build needs, and what the tests drive as real peers.
BUILD_PACKAGES := libpcap-dev zlib1g-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) tshark wireshark-common tcpdump tmux less python3 python3-pip iproute2 ethtool curl nghttp2-proxy nghttp2-server parallel postgresql prometheus \
	chromium chromium-driver

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-unit lint build release deps-build deps-test clean fuzz fuzz-build test-asan test-tsan bench-adversarial

run: deps-build build
	.build/debug/switchpoint -r $(SAMPLE)

# Unit tests first (in-process, under a minute), then the integration tests (the built
# binary, tshark, tmux, PostgreSQL, Chromium, live capture as root).
test: deps-test lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointUnitTests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointIntegrationTests

# The fast loop: no root, network, database or external tool needed, nothing installed.
test-unit: deps-build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointUnitTests

build:
	$(SWIFT) build

# The team's formatting (.swift-format: 4 spaces, 120 columns); `swift format -i -r Sources
# Tests Package.swift Fuzz/Harnesses` applies it.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift Fuzz/Harnesses

release:
	$(SWIFT) build -c release

deps-build:
	@scripts/ensure-packages $(BUILD_PACKAGES)

deps-test:
	@scripts/ensure-packages $(TEST_PACKAGES)
	@# The live end-to-end test drives a real python websockets client and server (PyPI).
	@python3 -c 'import websockets.asyncio.client' 2>/dev/null \
		|| python3 -m pip install -q websockets 2>/dev/null \
		|| python3 -m pip install -q --break-system-packages websockets
	@# The report checks (Tests/ReportChecks): HAR schema, haralyzer, headless Chromium via selenium.
	@python3 -c 'import selenium, haralyzer, jsonschema' 2>/dev/null \
		|| python3 -m pip install -q selenium haralyzer jsonschema 2>/dev/null \
		|| python3 -m pip install -q --break-system-packages selenium haralyzer jsonschema

# libFuzzer harnesses (Fuzz/README.md): FUZZ_SECONDS per harness, corpus kept in FUZZ_DIR.
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= /var/tmp/switchpoint-fuzz
fuzz-build: deps-build build
	Fuzz/build.sh

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_DIR=$(FUZZ_DIR) Fuzz/run.sh

# The test suite under AddressSanitizer / ThreadSanitizer, each in its own build directory.
test-asan: deps-test build
	$(SWIFT) build --build-tests --sanitize=address --build-path .build/asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt \
		$(SWIFT) test --skip-build --disable-xctest --sanitize=address --build-path .build/asan

test-tsan: deps-test build
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build/tsan
	$(SWIFT) test --skip-build --disable-xctest --sanitize=thread --build-path .build/tsan

# Issue 16's cost table: each hostile input at n and 10n, time and peak RSS.
bench-adversarial: deps-build
	scripts/bench-adversarial

clean:
	rm -rf .build
