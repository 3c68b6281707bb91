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

    static let corpusMissingMessage: Comment = "../shared/corpus is absent next to the checkout: corpus conformance skipped"

    /// Capture files in a folder (pcap and pcapng), sorted by name.
    static func captures(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static var corpusCaptures: [URL] { captures(in: corpusDirectory) }
    static var sampleCaptures: [URL] { captures(in: samplesDirectory) }

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
    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil, timeoutSeconds: Double = 120) throws -> ToolResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
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
        return ToolResult(status: process.terminationStatus,
                          output: (try? Data(contentsOf: outputFile)) ?? Data(),
                          errorOutput: (try? Data(contentsOf: errorFile)) ?? Data())
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Reads a capture through the whole pipeline into a recording sink.
    static func reassemble(_ paths: [String], filter: String = "", recordData: Bool = false) throws -> (sink: RecordingSink, runner: CaptureRunner) {
        let source = try OfflineCaptureSource(paths: paths, filter: filter)
        var sink = RecordingSink()
        sink.recordData = recordData
        var runner = CaptureRunner()
        runner.drive(source, into: &sink)
        return (sink, runner)
    }
}
