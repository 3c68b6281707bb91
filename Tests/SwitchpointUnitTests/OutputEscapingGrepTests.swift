import Foundation
import Testing

@testable import SwitchpointTestSupport

/// Issue 27, item 5: every write to standard output or standard error takes wire- or
/// file-derived text only through an escaper. A scan of Sources/ finds each call that
/// writes a string out (`write(line:)`, `append(trusted:)`, `print`, `fputs`,
/// `FileHandle.standardError.write`) and splits its argument into the parts it is built
/// from (`+` operands, ternary branches, string interpolations). A part is accepted when
/// it is a literal, an escaper's result (`TerminalText.escape`, `JSONLine.quoted`), a
/// number formatter's or an enum's raw value; any other part makes the call a finding,
/// unless the call is in the reviewed list below, each entry with why its text is
/// program-made.
@Suite struct OutputEscapingGrepTests {
    static let sources = TestEnvironment.projectRoot.appendingPathComponent("Sources")

    /// The calls that put a string on an output line.
    static let sinks = [
        #"\.write\(\s*line:"#, #"(?<![\w])append\(\s*trusted:"#, #"(?<![\w.])print\("#,
        #"FileHandle\.standardError\.write\("#, #"(?<![\w])fputs\("#,
    ]

    /// `append(trusted:)` into an HTML or HAR report writes a file through that format's
    /// own escaper (HTMLEscapingTests, the HAR tests check it), not to a terminal.
    static let reportDirectories = ["Output/HTML/", "Output/HAR/"]

    /// Parts that are escaped or program-made by construction.
    static let acceptedCalls = [
        "TerminalText.escape(", "JSONLine.quoted(", "JSONLine.fixed(", "CountedNoun.text(",
        "TimestampText.duration(",
    ]
    static let acceptedPatterns = [
        // An enum's raw value: a constant of the program.
        #"^[A-Za-z_][\w.]*\.rawValue$"#,
        // A wire constant's name: the program's table, or its number in hex.
        #"^(HTTP2FrameType|HTTP2ErrorCode|HTTP2SettingID|WebSocketCloseCode)\(rawValue: [\w.]+\)\.name$"#,
        #"^[0-9]+$"#,
    ]

    /// Reviewed calls whose argument is program-made: (file, argument as written, with
    /// runs of white space as one space, why).
    static let reviewed: [(file: String, argument: String, reason: String)] = [
        ("Switchpoint.swift", "device.listingLine(number: index + 1)", "listingLine escapes the name and description"),
        ("KeyLogSources.swift", #"commandName + ": " + conflicts"#, "conflictSummary: counts and fixed words"),
        (
            "KeyLogSources.swift",
            #"commandName + ": SSLKEYLOGFILE=" + TerminalText.escape(path) + " could not be read; TLS is not decrypted with it""#,
            "commandName: the program's name"
        ),
        (
            "KeyLogSources.swift", #"commandName + ": " + TerminalText.escape(summary)"#,
            "commandName: the program's name"
        ),
        (
            "Switchpoint.swift",
            #""switchpoint: note: nothing matched \(display.selectionWords); only the summary is printed""#,
            "selectionWords escapes the options it repeats"
        ),
        (
            "ExportArguments.swift", #"Data(("switchpoint: " + TerminalText.escape(message) + "\n").utf8)"#,
            "the message is escaped inside the Data"
        ),
        ("TerminalArguments.swift", "line", "VersionReport.lines: the build's version and library versions"),
        (
            "AuditCommand.swift", #"commandName + ": " + TerminalText.escape(problem.description)"#,
            "commandName: the program's name"
        ),
        (
            "TimelineCommand.swift", #"commandName + ": " + error.description"#,
            "a RunStrategy.Refusal: fixed sentences about options"
        ),
        (
            "TimelineCommand.swift", #"commandName + ": " + TerminalText.escape(problem.description)"#,
            "commandName: the program's name"
        ),
        ("TextTimelinePrinter.swift", "line", "TimelineSummary.textLines escapes protocol names and input problems"),
        (
            "TextTimelinePrinter.swift", "opening.client.description",
            "an Endpoint: address and port formatted by the program"
        ),
        (
            "TextTimelinePrinter.swift", "opening.server.description",
            "an Endpoint: address and port formatted by the program"
        ),
        ("LineWriter.swift", "line", "write(line:) itself: its callers are what this test checks"),
        ("OutputBuffer.swift", "String(value)", "append(fixed:): a Double's digits"),
        (
            "JSONTimelinePrinter.swift",
            "summary.jsonLine( statistics: statistics, problems: problems, live: live, escaping: writer.out.jsonEscaping, scope: scope)",
            "a JSONLine: every string value JSON-escaped"
        ),
        ("AuditReportPrinter.swift", "header", "counts and a clock offset"),
        (
            "AuditReportPrinter.swift",
            #""exchange \(index + 1) paired by \(pair.evidence.rawValue) (\(pair.confidence.rawValue) confidence" + (Self.requestGap(pair, clockOffset: report.clockOffsetMilliseconds).map { "; sent upstream \(TimestampText.duration(milliseconds: $0)) after the client's request" } ?? "") + ")""#,
            "a number, enum values and a formatted duration"
        ),
        (
            "AuditReportPrinter.swift",
            #"Self.side( "front: \(pair.front.client) → \(pair.front.server) [\(AuditFinding.label(pair.front))]", "back: \(pair.back.client) → \(pair.back.server) [\(AuditFinding.label(pair.back))]")"#,
            "Endpoints and file:connection labels, formatted by the program"
        ),
        (
            "AuditReportPrinter.swift", "Self.side(Self.request(pair.front), Self.request(pair.back))",
            "request() escapes the request line and headers"
        ),
        (
            "AuditReportPrinter.swift", "Self.side(Self.answer(pair.front), Self.answer(pair.back))",
            "answer() escapes the status line and protocol"
        ),
        (
            "AuditReportPrinter.swift", "Self.side(Self.messages(pair.front), Self.messages(pair.back))",
            "counts, close codes and enum values"
        ),
        (
            "AuditReportPrinter.swift",
            #""== summary: " + CountedNoun.text(report.findings.count, "finding") + (counts.isEmpty ? "" : " (" + ["error", "warn", "info"].compactMap { name in counts[name].map { "\($0) \(name)" } }.joined( separator: ", ") + ")")"#,
            "counts per severity name"
        ),
        (
            "AuditReportPrinter.swift",
            #"" !! \(finding.severity.rawValue) \(finding.code.rawValue):\(where_): \(TerminalText.escape(finding.message))""#,
            "where_: file:connection labels (LegID)"
        ),
        ("AuditReportPrinter.swift", "line.line", "a JSONLine: every string value JSON-escaped"),
        ("ConnectionListing.swift", "Self.json(opening)", "a timeline JSON line: JSON-escaped"),
        ("ConnectionListing.swift", "Self.json(gap)", "a timeline JSON line: JSON-escaped"),
        ("ConnectionListing.swift", "Self.json(anomaly)", "a timeline JSON line: JSON-escaped"),
        ("ConnectionListing.swift", "Self.json(summary)", "a timeline JSON line: JSON-escaped"),
        ("ConnectionListing.swift", "row", "text(_:) escapes the protocol and upgrade columns; the rest are numbers"),
        ("ConnectionListing.swift", "ready", "a held row made by text(_:)"),
        ("ConnectionListing.swift", "facts == nil ? Self.header : Self.headerWithFacts", "column headings"),
        ("ConnectionListing.swift", "line", "summaryLines escapes input problems"),
        ("ConnectionListing.swift", "line.line", "a JSONLine: every string value JSON-escaped"),
        (
            "ShardMerge.swift", "summary",
            "the summaries' values, from lines checked to be whole JSON without a raw control character"
        ),
        ("ApplicationEventText.swift", #"number.isFinite ? String(number) : "null""#, "a Double's digits"),
        ("TextTimelinePrinter+HTTP2.swift", "settings.source", #"the dissector's "frame" or "HTTP2-Settings""#),
        ("TextTimelinePrinter+HTTP2.swift", "name", "HTTP2Flags.defined: the flags' names"),
        ("TextTimelinePrinter+WebSocket.swift", "problem", "the dissector's sentences; zlib's own constant messages"),
    ]

    /// Reviewed entries that stand for more than one call (each other entry is one call, so
    /// an escape removed from a twin of a reviewed call is not taken for it).
    static let reviewedCalls = ["ConnectionListing.swift row": 2, "AuditReportPrinter.swift line.line": 4]

    /// Reviewed entries above that trust a builder to escape: the builder (file, the start
    /// of its declaration) must still call `TerminalText.escape`, so a regression inside it
    /// (the `--connections -v` protocol column of issue 27) fails here too.
    static let escapingBuilders: [(file: String, declaration: String)] = [
        ("CaptureInterface+Listing.swift", "func listingLine("),
        ("DisplayArguments.swift", "var selectionWords"),
        ("TimelineSummary.swift", "func textLines("),
        ("AuditReportPrinter.swift", "static func request("),
        ("AuditReportPrinter.swift", "static func answer("),
        ("ConnectionListing.swift", "static func text("),
        ("ConnectionListing.swift", "func summaryLines("),
    ]

    struct Site: CustomStringConvertible {
        var file: String
        var line: Int
        var argument: String
        var unreviewedParts: [String]

        var description: String {
            "\(file):\(line): \(argument)  (not escaped: \(unreviewedParts.joined(separator: "; ")))"
        }
    }

    @Test("every string written to stdout or stderr is escaped or reviewed program-made text")
    func everyWriteEscaped() throws {
        let enumerator = try #require(
            FileManager.default.enumerator(atPath: Self.sources.path), "Sources/ not found at \(Self.sources.path)")
        var files = 0
        var calls = 0
        var findings: [Site] = []
        var used: [Int: Int] = [:]
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            files += 1
            let text = try String(contentsOfFile: Self.sources.appendingPathComponent(relative).path, encoding: .utf8)
            let inReport = Self.reportDirectories.contains { relative.contains($0) }
            let sites = EscapingScan.sites(in: text, file: (relative as NSString).lastPathComponent, sinks: Self.sinks)
            for site in sites {
                if inReport && site.sink.contains("trusted") { continue }
                calls += 1
                let parts = EscapingScan.unreviewedParts(site.argument)
                guard !parts.isEmpty else { continue }
                let normalized = EscapingScan.normalized(site.argument)
                if let index = Self.reviewed.firstIndex(where: { $0.file == site.file && $0.argument == normalized }) {
                    used[index, default: 0] += 1
                    continue
                }
                findings.append(Site(file: relative, line: site.line, argument: normalized, unreviewedParts: parts))
            }
        }
        // Never vacuous: the sources are there and the writes were found.
        try #require(files > 100, "Sources/ not found at \(Self.sources.path)")
        #expect(calls > 60, "only \(calls) output calls found: the scan no longer sees them")
        #expect(findings.isEmpty, "unescaped text written out:\n\(findings.map(\.description).joined(separator: "\n"))")
        for (index, entry) in Self.reviewed.enumerated() {
            let expected = Self.reviewedCalls["\(entry.file) \(entry.argument)"] ?? 1
            #expect(
                used[index, default: 0] == expected,
                "reviewed for \(expected) call(s), found \(used[index, default: 0]): \(entry.file): \(entry.argument)")
        }
    }

    @Test("the builders the reviewed calls trust still escape what they quote")
    func buildersEscape() throws {
        var texts: [String: String] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let name = (relative as NSString).lastPathComponent
            if Self.escapingBuilders.contains(where: { $0.file == name }) {
                texts[name] = try String(
                    contentsOfFile: Self.sources.appendingPathComponent(relative).path, encoding: .utf8)
            }
        }
        for builder in Self.escapingBuilders {
            let text = try #require(texts[builder.file], "\(builder.file) not found under Sources/")
            let body = try #require(EscapingScan.body(of: builder.declaration, in: text), "\(builder)")
            #expect(body.contains("TerminalText.escape("), "\(builder.file) \(builder.declaration) no longer escapes")
        }
    }

    @Test("the scan catches an interpolated, concatenated or bare value and accepts the escapers")
    func scanIsPrecise() {
        let leaks = [
            #"errors.write(line: "cannot read \(path)")"#,
            #"errors.write(line: "switchpoint: " + error.localizedDescription)"#,
            #"out.append(trusted: header.value)"#,
            #"print("key log line: \(line)")"#,
            #"errors.write(line: "x" + (known ? TerminalText.escape(a) : b))"#,
            #"errors.write(line: "\(TerminalText.escape(a)) and \(b)")"#,
            "errors.write(\n    line: \"keylog \" + path)",
            #"writer.write(line: paint(name, .bold))"#,
        ]
        for leak in leaks {
            let sites = EscapingScan.sites(in: leak, file: "x.swift", sinks: Self.sinks)
            #expect(sites.count == 1, "\(leak)")
            #expect(sites.allSatisfy { !EscapingScan.unreviewedParts($0.argument).isEmpty }, "\(leak)")
        }
        let clean = [
            #"errors.write(line: "cannot read " + TerminalText.escape(path) + ": done")"#,
            #"errors.write(line: "\(finding.code.rawValue): \(TerminalText.escape(message)) ×\(3)")"#,
            #"out.append(trusted: HTTP2ErrorCode(rawValue: code).name)"#,
            #"errors.write(line: known ? "a" : TerminalText.escape(b))"#,
            #"errors.write(line: "a \"quoted\" word, a paren ( and \\")"#,
            #"writer.write(line: paint("== summary", .bold))"#,
        ]
        for line in clean {
            let sites = EscapingScan.sites(in: line, file: "x.swift", sinks: Self.sinks)
            #expect(sites.count == 1, "\(line)")
            #expect(sites.allSatisfy { EscapingScan.unreviewedParts($0.argument).isEmpty }, "\(line)")
        }
    }
}
