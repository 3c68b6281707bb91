import ArgumentParser
import Foundation
import SwitchpointCore

/// What the timeline prints and how.
/// The timeline's `--help` section "Output".
struct OutputArguments: ParsableArguments {

    @Flag(name: .long, help: "Print JSON lines instead of text (schema: docs/json.md).")
    var json = false

    @Flag(
        name: .customLong("json-ascii"),
        help: "JSON lines (implies --json) in pure ASCII: every character past U+007F escaped as \\uXXXX.")
    var jsonASCII = false

    @Flag(
        name: .long,
        help: "List TCP connections with what reassembly saw (like tshark -z conv,tcp) instead of the timeline.")
    var connections = false

    @Flag(name: .long, help: "One global time order instead of one block per connection (the default live).")
    var interleave = false

    @Flag(name: .customShort("v"), help: "Show every header of every message and every WebSocket frame.")
    var verbose = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How much of each message payload to show, and of each HTTP body to keep for --har: preview or full (JSON adds data_b64 for binary).",
            valueName: "preview|full"))
    var payload: Switchpoint.PayloadMode = .preview

    @Flag(
        name: .customShort("l"),
        help: "Line-buffered standard output (as tcpdump -l): each line is written when printed, as live capture does.")
    var lineBuffered = false
}
