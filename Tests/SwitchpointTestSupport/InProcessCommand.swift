import Foundation
import Testing

@testable import SwitchpointCore

#if canImport(Glibc)
    import Glibc
#endif

/// The commands' library entry points (`TimelineCommand`, `AuditCommand`) run in-process,
/// their standard output and error written through real `LineWriter`s into files, as the
/// command line writes them: the same code path and the same bytes, no built binary.
enum InProcessCommand {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var errorOutput: [UInt8]
        var text: String { String(decoding: output, as: UTF8.self) }
        var errorText: String { String(decoding: errorOutput, as: UTF8.self) }
    }

    /// `switchpoint -r PATH… [filter]` with `configure` applied to the options, as the
    /// command line would set them (`--json` is `options.json = true`, …).
    static func timeline(
        _ paths: [String], filter: String = "",
        _ configure: (inout TimelineCommand.Options) -> Void = { _ in }
    ) throws -> Result {
        var options = TimelineCommand.Options()
        configure(&options)
        let source = try TestEnvironment.fixtureSource(paths: paths, filter: filter)
        return try capture { output, errors in
            TimelineCommand(options: options).run(.source(source), output: output, errors: errors).exitStatus
        }
    }

    /// `switchpoint audit PATH…` with `configure` applied (`--json`, `--front`, …).
    static func audit(_ paths: [String], _ configure: (inout AuditCommand) -> Void = { _ in }) throws -> Result {
        for path in paths {
            try #require(FileManager.default.fileExists(atPath: path), "fixture missing: \(path)")
        }
        var command = AuditCommand(paths: paths)
        configure(&command)
        return try capture { output, errors in
            try command.run(output: output, errors: errors).exitStatus
        }
    }

    /// Runs `body` with writers on two temporary files and returns what they hold.
    static func capture(_ body: (LineWriter, LineWriter) throws -> Int32) throws -> Result {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputPath = directory.appendingPathComponent("stdout").path
        let errorPath = directory.appendingPathComponent("stderr").path
        let outputDescriptor = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let errorDescriptor = open(errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer {
            if outputDescriptor >= 0 { close(outputDescriptor) }
            if errorDescriptor >= 0 { close(errorDescriptor) }
        }
        try #require(outputDescriptor >= 0 && errorDescriptor >= 0, "cannot create output files in \(directory.path)")
        let output = LineWriter(descriptor: outputDescriptor, flushEachLine: false)
        let errors = LineWriter(descriptor: errorDescriptor, flushEachLine: true)
        let status = try body(output, errors)
        output.flush()
        errors.flush()
        return Result(
            status: status,
            output: Array(try Data(contentsOf: URL(fileURLWithPath: outputPath))),
            errorOutput: Array(try Data(contentsOf: URL(fileURLWithPath: errorPath))))
    }
}
