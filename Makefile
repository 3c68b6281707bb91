# switchpoint: `make run` and `make test` set up everything on a fresh Debian machine
# (Swift and apt are the only prerequisites).

SWIFT ?= swift
SAMPLE ?= samples/ws-echo-veth.pcap
# What the build needs, and what the tests drive as real peers.
BUILD_PACKAGES := libpcap-dev zlib1g-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) tshark wireshark-common tcpdump python3

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release deps-build deps-test clean

run: deps-build build
	.build/debug/switchpoint -r $(SAMPLE)

test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

deps-build:
	@scripts/ensure-packages $(BUILD_PACKAGES)

deps-test:
	@scripts/ensure-packages $(TEST_PACKAGES)

clean:
	rm -rf .build
