import ArgumentParser
import Foundation
import SwitchpointCore

/// The timeline's selection and display options (issue 14): which connections, streams
/// and protocols are shown, packet numbers, time formats and hexdumps. Kept apart from
/// the command so it stays small.
struct DisplayArguments: ParsableArguments {
    @Option(
        name: .customLong("conn"),
        help: ArgumentHelp(
            "Show only these connections (numbers as the timeline prints them; comma-separated or repeated).",
            valueName: "N[,M…]"))
    var connectionLists: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --conn: show only this HTTP/2 stream's events (and the connection's own).", valueName: "N"))
    var stream: UInt32?

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp(
            "Text timeline: show only connections that carried this protocol: \(DissectorRegistry.standard.selectionNames.joined(separator: ", ")), or a protocol inside WebSocket (jsonrpc, graphql-transport-ws, graphql-ws, …; --decode-ws-as lists them).",
            valueName: "protocol"))
    var protocolName: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Text timeline: show only connections with a finding of this severity or worse: warn or error.",
            valueName: "warn|error"))
    var severity: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "One connection's complete story: every header and frame, payloads in full, binary ones as a hexdump (implies -v and --payload full).",
            valueName: "N"))
    var follow: Int?

    @Flag(
        name: .long,
        help:
            "Show the packet number (as Wireshark counts, from 1) on every line: #N, or #FIRST-LAST for an event reassembled from several packets (-v shows them too)."
    )
    var frames = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Times on each line: rel (from the connection's start; the default), abs (UTC date and time, as tcpdump -tttt), delta (since the connection's previous line), epoch (seconds), none, or capture (since the capture's first packet).",
            valueName: "rel|abs|delta|epoch|none|capture"))
    var time: TextTimelinePrinter.TimeFormat?

    @Flag(
        name: .customShort("t"),
        help:
            "tcpdump's time habits: -t no time (--time none), -tt epoch seconds (epoch), -ttt since the previous line (delta), -tttt UTC date and time (abs), -ttttt since the first packet (capture)."
    )
    var tcpdumpTime: Int

    @Flag(
        name: .customShort("x"),
        help: "Hexdump every payload shown (message, control frame, body, raw bytes) under its line.")
    var hexdump = false

    @Flag(name: .customShort("X"), help: "Same as -x: the hexdump always has the ASCII column.")
    var hexdumpASCII = false

    @Flag(
        name: .customShort("A"),
        help:
            "Print every payload shown under its line as ASCII, as tcpdump -A does (line breaks kept, other unprintable bytes as dots)."
    )
    var asciiDump = false

    /// `-t` … `-ttttt`, in tcpdump's order.
    static let tcpdumpTimeFormats: [TextTimelinePrinter.TimeFormat] = [.omitted, .epoch, .delta, .absolute, .capture]

    /// The time format `-t`…`-ttttt` asks for (nil: none given).
    func tcpdumpTimeFormat() throws -> TextTimelinePrinter.TimeFormat? {
        guard tcpdumpTime > 0 else { return nil }
        guard tcpdumpTime <= Self.tcpdumpTimeFormats.count else {
            throw ValidationError("-t is given 1 to 5 times (-t … -ttttt), as in tcpdump (got \(tcpdumpTime))")
        }
        return Self.tcpdumpTimeFormats[tcpdumpTime - 1]
    }

    /// The selection as given (`--conn 7 --severity error`), for the note that it matched
    /// nothing; user text escaped.
    var selectionWords: String {
        var words: [String] = connectionLists.map { "--conn " + $0 }
        if let stream { words.append("--stream \(stream)") }
        if let protocolName { words.append("--protocol " + protocolName) }
        if let severity { words.append("--severity " + severity) }
        if let follow { words.append("--follow \(follow)") }
        return TerminalText.escape(words.joined(separator: " "))
    }

    /// `--conn` lists, parsed.
    func connections() throws -> Set<ConnectionID> {
        var numbers: Set<ConnectionID> = []
        for list in connectionLists {
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(item.trimmingCharacters(in: .whitespaces)), number > 0 else {
                    throw ValidationError(
                        "--conn takes connection numbers (N or N,M,…), got '\(TerminalText.escape(list))'")
                }
                numbers.insert(number)
            }
        }
        return numbers
    }

    /// What to show, from the options.
    func selection() throws -> TimelineSelection {
        var selection = TimelineSelection()
        selection.connections = try connections()
        if let follow { selection.connections.insert(follow) }
        selection.stream = stream
        if let protocolName {
            let registry = DissectorRegistry.standard
            guard selection.selectProtocol(named: protocolName, registry: registry) else {
                let names = TimelineSelection.protocolNames(in: registry)
                throw ValidationError(
                    "--protocol takes \(names.joined(separator: ", ")) (got '\(TerminalText.escape(protocolName))')"
                )
            }
        }
        if let severity {
            switch severity.lowercased() {
            case "warn": selection.severity = .warn
            case "error": selection.severity = .error
            default: throw ValidationError("--severity takes warn or error (got '\(TerminalText.escape(severity))')")
            }
        }
        return selection
    }

    func check(json: Bool, interleaved: Bool) throws {
        let selection = try selection()
        if stream != nil && selection.connections.isEmpty {
            throw ValidationError("--stream numbers a stream within one connection: give --conn N too")
        }
        if let follow, follow <= 0 { throw ValidationError("--follow takes a connection number") }
        if follow != nil && !connectionLists.isEmpty {
            throw ValidationError("--follow shows one connection: not with --conn")
        }
        if selection.judgesBlocks && (json || interleaved) {
            throw ValidationError(
                "--protocol and --severity judge each connection's block of the text timeline: not with --json or --interleave (or live capture)"
            )
        }
        if let format = try tcpdumpTimeFormat(), time != nil {
            throw ValidationError(
                "-\(String(repeating: "t", count: tcpdumpTime)) is --time \(format.rawValue): give one of them")
        }
        if asciiDump && (hexdump || hexdumpASCII) {
            throw ValidationError("-A prints payloads as ASCII, -x/-X as a hexdump: give one")
        }
    }

    /// The text printer's options from these.
    /// The same choices for a run of `TimelineCommand`.
    func apply(to options: inout TimelineCommand.Options) throws {
        var text = TextTimelinePrinter.Options()
        try apply(to: &text)
        options.selection = text.selection
        options.frames = text.frames
        options.time = text.time
        options.hexdump = text.hexdump
    }

    func apply(to options: inout TextTimelinePrinter.Options) throws {
        options.selection = try selection()
        options.frames = frames
        if let time { options.time = time }
        if let format = try tcpdumpTimeFormat() { options.time = format }
        if asciiDump {
            options.hexdump = .ascii
        } else if hexdump || hexdumpASCII {
            options.hexdump = .all
        } else if follow != nil {
            options.hexdump = .binary
        }
    }
}

extension TextTimelinePrinter.TimeFormat: ExpressibleByArgument {}
