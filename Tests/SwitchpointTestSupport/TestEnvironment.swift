import Foundation
import Testing

@testable import SwitchpointCore

/// Paths and external tools the tests use.
enum TestEnvironment {
    /// The package root, found from this file's location.
    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let corpusDirectory = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    static let samplesDirectory = projectRoot.appendingPathComponent("samples")

    static var corpusAvailable: Bool {
        FileManager.default.fileExists(atPath: corpusDirectory.path)
    }

    /// Why the corpus tests are skipped. Only an absent folder skips them (a machine without
    /// the peers' captures); a capture missing from a folder that is there fails its test.
    static let corpusMissingMessage = Comment(
        rawValue: "\(corpusDirectory.path) (../shared/corpus next to the checkout) is absent: corpus tests skipped")

    /// The build directory this test bundle was built into (`.build/debug`,
    /// `.build/asan/debug`, …): the command-line tests run the `switchpoint` built with it.
    static let buildDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()

    /// The `switchpoint` binary of this build. Missing, the tests that run it fail
    /// (`run` says so); `swift build --build-tests` builds it with the tests.
    static let switchpointBinary = buildDirectory.appendingPathComponent("switchpoint")

    /// What the scripts that start switchpoint themselves (scripts/test-live-*) are told.
    static var scriptEnvironment: [String: String] { ["SWITCHPOINT_BIN": switchpointBinary.path] }

    /// A tool `make test` installs: missing, the test fails with the reason.
    static func requiredTool(_ name: String, package: String? = nil) throws -> URL {
        try #require(tool(name), "\(name) is not installed: make test installs it (apt package \(package ?? name))")
    }

    struct MissingExecutable: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "\(path) does not exist or is not executable (build it with swift build --build-tests, which the test run expects)"
        }
    }

    /// Capture files in a folder (pcap and pcapng), sorted by name.
    static func captures(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static var corpusCaptures: [URL] { captures(in: corpusDirectory) }
    static var sampleCaptures: [URL] { captures(in: samplesDirectory) }

    /// Every capture in samples/ and in its folders one level down.
    static var allSampleCaptures: [URL] {
        captures(in: samplesDirectory)
            + ((try? FileManager.default.contentsOfDirectory(atPath: samplesDirectory.path)) ?? [])
            .sorted()
            .map { samplesDirectory.appendingPathComponent($0) }
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .flatMap { captures(in: $0) }
    }

    /// Finds an executable on PATH.
    static func tool(_ name: String) -> URL? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    struct ToolResult {
        var status: Int32
        var output: Data
        var errorOutput: Data
        var text: String { String(decoding: output, as: UTF8.self) }
        var errorText: String { String(decoding: errorOutput, as: UTF8.self) }
    }

    /// Runs a program to completion with a time bound, collecting its output.
    static func run(
        _ executable: URL, _ arguments: [String], input: Data? = nil, timeoutSeconds: Double = 120,
        environment: [String: String] = [:]
    ) throws -> ToolResult {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw MissingExecutable(path: executable.path)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("sp-out-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("sp-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let outputHandle = try FileHandle(forWritingTo: outputFile)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try? inputPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process.waitUntilExit()
        try outputHandle.close()
        try errorHandle.close()
        return ToolResult(
            status: process.terminationStatus,
            output: (try? Data(contentsOf: outputFile)) ?? Data(),
            errorOutput: (try? Data(contentsOf: errorFile)) ?? Data())
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A capture source over fixture files that must be there: reading a missing file is
    /// an input problem, not an error, so a test would otherwise see an empty capture.
    static func fixtureSource(paths: [String], filter: String = "") throws -> OfflineCaptureSource {
        for path in paths {
            try #require(FileManager.default.fileExists(atPath: path), "fixture missing: \(path)")
        }
        return try OfflineCaptureSource(paths: paths, filter: filter)
    }

    /// Reads a capture through the whole pipeline into a recording sink.
    static func reassemble(
        _ paths: [String], filter: String = "", recordData: Bool = false
    ) throws -> (sink: RecordingSink, runner: CaptureRunner) {
        let source = try fixtureSource(paths: paths, filter: filter)
        var sink = RecordingSink()
        sink.recordData = recordData
        var runner = CaptureRunner()
        runner.drive(source, into: &sink)
        return (sink, runner)
    }
}
