import ArgumentParser
import Foundation
import SwitchpointCore

/// Files written beside the timeline: the packets (-w), the HTML report, the HAR.
/// The timeline's `--help` section "Output files".
struct OutputFileArguments: ParsableArguments {

    @Option(
        name: .customShort("w", allowingJoined: true),
        help: ArgumentHelp(
            "Also write the captured packets (those that pass the filter) to this pcap file.", valueName: "file"))
    var writeFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write a self-contained HTML report (connection table, sequence diagrams) to this file when the run ends.",
            valueName: "file"))
    var html: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write an HTTP Archive (HAR 1.2, WebSocket messages as _webSocketMessages) to this file when the run ends.",
            valueName: "file"))
    var har: String?
}
