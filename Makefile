# switchpoint: `make run` and `make test` set up everything on a fresh Debian machine
# (Swift and apt are the only prerequisites).

SWIFT ?= swift
SAMPLE ?= samples/ws-echo-veth.pcap
# What the build needs, and what the tests drive as real peers.
BUILD_PACKAGES := libpcap-dev zlib1g-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) tshark wireshark-common tcpdump tmux less python3 python3-pip iproute2 ethtool curl nghttp2-proxy nghttp2-server parallel postgresql prometheus \
	chromium chromium-driver man-db groff-base debootstrap

# Installation (make install PREFIX=… DESTDIR=…), as autotools lays it out.
PREFIX ?= /usr/local
DESTDIR ?=
# The version --version prints and the release tarball is named by.
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
ARCH := $(shell uname -m)
# The release build links Swift's runtime and Foundation in (-static-swift-stdlib): where it
# runs it needs only libc and libpcap. Its own scratch directory, so it neither rebuilds
# over `swift build -c release` (the benchmarks') nor waits for the debug build's lock.
RELEASE_SCRATCH := .build/static
RELEASE_BIN := $(RELEASE_SCRATCH)/release/switchpoint
# What make install installs; the tests point it at the debug build to check the layout.
INSTALL_BIN ?= $(RELEASE_BIN)
RELEASE_NAME := switchpoint-$(VERSION)-linux-$(ARCH)
RELEASE_TARBALL := .build/dist/$(RELEASE_NAME).tar.gz
VERSION_HEADER := Sources/CBuildInfo/git-version.h

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-unit test-release lint build release release-build install uninstall version-header print-version \
	deps-build deps-test clean fuzz fuzz-build test-asan test-tsan bench-adversarial

run: deps-build build
	.build/debug/switchpoint -r $(SAMPLE)

# Unit tests first (in-process, under a minute), then the integration tests (the built
# binary, tshark, tmux, PostgreSQL, Chromium, live capture as root).
test: deps-test lint version-header
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointUnitTests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointIntegrationTests

# The fast loop: no root, network, database or external tool needed, nothing installed.
test-unit: deps-build version-header
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter SwitchpointUnitTests

build: version-header
	$(SWIFT) build

# `git describe` into Sources/CBuildInfo/git-version.h (ignored by git), rewritten only
# when it changes; version.c is touched then, so one C file recompiles. A plain
# `swift build` without it says "unknown".
version-header:
	@line='#define SWITCHPOINT_GIT_VERSION "$(VERSION)"'; \
	if [ "$$(cat $(VERSION_HEADER) 2>/dev/null)" != "$$line" ]; then \
		echo "$$line" > $(VERSION_HEADER); touch Sources/CBuildInfo/version.c; fi

print-version:
	@echo $(VERSION)

# The team's formatting (.swift-format: 4 spaces, 120 columns); `swift format -i -r Sources
# Tests Package.swift Fuzz/Harnesses` applies it.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift Fuzz/Harnesses

# The statically linked release binary (a full release build: minutes).
release-build: deps-build version-header
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(RELEASE_SCRATCH)

# switchpoint-VERSION-linux-ARCH.tar.gz: the PREFIX layout (bin/, share/man, completions)
# with README and LICENSE, unpackable with tar -C /usr/local --strip-components=1.
release: release-build
	rm -rf .build/dist/$(RELEASE_NAME) $(RELEASE_TARBALL)
	scripts/install-files $(RELEASE_BIN) .build/dist/$(RELEASE_NAME)
	strip --strip-debug .build/dist/$(RELEASE_NAME)/bin/switchpoint
	cp README.md .build/dist/$(RELEASE_NAME)/
	[ ! -f LICENSE ] || cp LICENSE .build/dist/$(RELEASE_NAME)/
	tar -C .build/dist -czf $(RELEASE_TARBALL) $(RELEASE_NAME)
	@echo $(RELEASE_TARBALL)

# The packaging tests with a fresh release tarball, its binary run in a fresh Debian root
# (scripts/debian-test-root). make test runs the tarball test against the tarball present,
# if any, and skips it otherwise: a release build costs minutes, more than make test has.
test-release: deps-test release
	scripts/debian-test-root >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter PackagingTests

install: $(if $(filter $(RELEASE_BIN),$(INSTALL_BIN)),release-build)
	scripts/install-files $(INSTALL_BIN) $(DESTDIR)$(PREFIX)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/switchpoint $(DESTDIR)$(PREFIX)/share/man/man1/switchpoint.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/switchpoint \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_switchpoint \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/switchpoint.fish

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
