import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 27, item 6: `--redact` as a matrix. Each cell is a capture with a unique marker in
/// one place a secret travels (HTTP/1 and HTTP/2 headers, URLs, subprotocols, findings,
/// bodies, messages); every output is produced with `--redact` and must not hold the
/// marker in any spelling, and without it the marker must show somewhere (the cell is live).
@Suite("--redact matrix")
struct RedactionMatrixTests {
    /// Every output switchpoint writes, by name, for one capture.
    static func outputs(_ path: String, redact: Bool) throws -> [(name: String, text: String)] {
        var outputs: [(name: String, text: String)] = []
        let variants: [(String, (inout TimelineCommand.Options) -> Void)] = [
            ("text", { _ in }),
            ("text -v", { $0.verbose = true }),
            (
                "text -v -x --payload full",
                {
                    $0.verbose = true
                    $0.hexdump = .all
                    $0.fullPayload = true
                }
            ),
            (
                "text -v --frames",
                {
                    $0.verbose = true
                    $0.frames = true
                }
            ),
            ("json", { $0.json = true }),
            (
                "json --payload full --frames",
                {
                    $0.json = true
                    $0.fullPayload = true
                    $0.frames = true
                }
            ),
            (
                "connections -v",
                {
                    $0.connections = true
                    $0.verbose = true
                }
            ),
        ]
        for (name, configure) in variants {
            let run = try InProcessCommand.timeline([path]) {
                configure(&$0)
                $0.analysis.redact = redact
            }
            outputs.append((name, run.text + run.errorText))
        }
        outputs += try exports(path, redact: redact)
        outputs += try audit(path, redact: redact)
        return outputs
    }

    /// `--html`, `--har` and the rows `--pg` would store, from one run.
    static func exports(_ path: String, redact: Bool) throws -> [(name: String, text: String)] {
        var options = TimelineCommand.Options()
        options.analysis.redact = redact
        let recorder = ReportRecorder()
        let rows = ExportRowCollector()
        let source = try TestEnvironment.fixtureSource(paths: [path])
        _ = try InProcessCommand.capture { output, errors in
            var command = TimelineCommand(options: options, recorder: recorder)
            command.exports = [TimelineExport(option: "--pg", sink: rows)]
            return command.run(.source(source), output: output, errors: errors).exitStatus
        }
        recorder.finish(packets: 0, files: [path])
        let html = HTMLReportWriter(capture: recorder.capture, connections: recorder.connections).render()
        let har = HARWriter(connections: recorder.connections).render()
        return [
            ("html", String(decoding: html.bytes, as: UTF8.self)), ("har", String(decoding: har.bytes, as: UTF8.self)),
            ("postgres rows", rows.text),
        ]
    }

    /// `switchpoint audit` text and JSON, and its HTML and HAR exports.
    static func audit(_ path: String, redact: Bool) throws -> [(name: String, text: String)] {
        var outputs: [(name: String, text: String)] = []
        for json in [false, true] {
            let directory = try TestEnvironment.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            var command = AuditCommand(paths: [path])
            command.redact = redact
            command.json = json
            command.recorders = [ReportRecorder(file: 1)]
            var report: ProxyAuditor.Report?
            let run = try InProcessCommand.capture { output, errors in
                let outcome = try command.run(output: output, errors: errors)
                report = outcome.report
                return outcome.exitStatus
            }
            outputs.append((json ? "audit --json" : "audit", run.text + run.errorText))
            guard !json else { continue }
            let html = directory.appendingPathComponent("audit.html").path
            let har = directory.appendingPathComponent("audit.har").path
            for recorder in command.recorders { recorder.finish(packets: 0, files: [path]) }
            try ReportExports(html: html, har: har)?.write(recorders: command.recorders, audit: report)
            outputs.append(("audit --html", try String(contentsOfFile: html, encoding: .utf8)))
            outputs.append(("audit --har", try String(contentsOfFile: har, encoding: .utf8)))
        }
        return outputs
    }

    @Test("no output holds the secret with --redact, and it shows without", arguments: RedactionCell.matrix)
    func cell(_ cell: RedactionCell) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try cell.writeCapture(in: directory)
        let plain = try Self.outputs(path, redact: false)
        #expect(
            plain.contains { output in cell.spellings.contains { output.text.contains($0) } },
            "the marker of \(cell.name) shows in no output without --redact: the cell tests nothing")
        for output in try Self.outputs(path, redact: true) {
            for spelling in cell.spellings {
                #expect(!output.text.contains(spelling), "\(cell.name): \(output.name) holds \(spelling)")
            }
        }
    }

    @Test("the redacted outputs say what was there: ‹redacted len=N›")
    func replacementShown() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cell = try #require(RedactionCell.matrix.first { $0.name == "h1-x-api-key" })
        let path = try cell.writeCapture(in: directory)
        let verbose = try InProcessCommand.timeline([path]) {
            $0.verbose = true
            $0.analysis.redact = true
        }
        #expect(verbose.text.contains("X-Api-Key: ‹redacted len=\(cell.marker.utf8.count)›"))
    }
}

/// The values `--pg` would store, as text, from the same row mapping it uses.
final class ExportRowCollector: TimelineEventSink {
    private var mapper = ExportRowMapper()
    private(set) var text = ""
    var wantsFrameEvents: Bool { false }

    func receive(_ event: TimelineEvent) {
        mapper.rows(for: event) { row in
            for value in row.values {
                switch value {
                case .text(let string): text += string + "\n"
                case .integer, .real, .boolean, .time, .null: break
                }
            }
        }
    }
}
