// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "switchpoint",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "switchpoint", targets: ["switchpoint"]),
        .library(name: "SwitchpointCore", targets: ["SwitchpointCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        // Scale-out sinks (issue 17): events into PostgreSQL, live metrics for Prometheus.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // `switchpoint --version`: the git version the Makefile writes into git-version.h.
        .target(name: "CBuildInfo"),
        .target(
            name: "SwitchpointCore",
            dependencies: [
                "CPcap",
                "CZlib",
                "CBuildInfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: [
                // Zero warnings from the project's own sources: a warning fails the build.
                .unsafeFlags(["-warnings-as-errors"]),
                // The per-packet and per-event paths touch class properties (output buffers,
                // connection state) millions of times; the runtime's dynamic exclusivity
                // checks were a tenth of the release profile. Debug builds (the tests) keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "switchpoint",
            dependencies: [
                "SwitchpointCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]
        ),
        // Helpers both test targets use (TestEnvironment, InProcessCommand, Conversation, …).
        // A test target, not a regular one: it reaches SwitchpointCore's internals with
        // `@testable import`, which a release build (no testability) could not compile, and
        // `swift build` builds every regular target.
        .testTarget(
            name: "SwitchpointTestSupport",
            dependencies: ["SwitchpointCore", "CZlib"]
        ),
        // The fast loop (`make test-unit`): in-process only, reading samples/ and the shared
        // corpus; no root, network, database, external tool, subprocess or built binary.
        .testTarget(
            name: "SwitchpointUnitTests",
            dependencies: [
                "SwitchpointCore",
                "SwitchpointTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Read from the source tree by path (the golden files are rewritten in place).
            exclude: ["Golden"]
        ),
        // The built `switchpoint` as a subprocess, tshark, tmux, PostgreSQL, Chromium, live
        // capture in network namespaces (root), the scripts/test-live-* peers; and the long
        // property runs over random cuts (ResyncPropertyTests, JoiningMidStreamTests), which
        // alone would take the unit target past a minute.
        .testTarget(
            name: "SwitchpointIntegrationTests",
            dependencies: ["SwitchpointCore", "SwitchpointTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
