import ArgumentParser
import Foundation
import SwitchpointCore

/// Where packets come from: files, an interface, and how the capture is taken (tcpdump's options).
/// The timeline's `--help` section "Input".
struct InputArguments: ParsableArguments {
    @Option(
        name: .customShort("r", allowingJoined: true),
        help: ArgumentHelp(
            "Read packets from a pcap or pcapng file ('-' for standard input); repeat to read several in sequence.",
            valueName: "file"))
    var readFiles: [String] = []

    @Option(
        name: .customShort("i", allowingJoined: true),
        help: ArgumentHelp("Capture live on this interface ('any' for all).", valueName: "interface"))
    var interface: String?

    @Flag(name: .customShort("D"), help: "List the interfaces available for live capture and exit.")
    var listInterfaces = false

    @Option(
        name: .customShort("s", allowingJoined: true),
        help: ArgumentHelp("Snapshot length for live capture (bytes per packet kept).", valueName: "snaplen"))
    var snaplen: Int32 = 262_144

    @Flag(name: .customShort("p"), help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Flag(
        name: .customLong("immediate-mode"),
        help: "Live: hand each packet over as it arrives (a ring of few, fixed-size frames: drops come sooner).")
    var immediateMode = false

    @Option(
        name: .customShort("B", allowingJoined: true), parsing: .unconditional,
        help: ArgumentHelp("Kernel capture buffer size in KiB.", valueName: "KiB"))
    var bufferSizeKiB: Int32?

    @Option(
        name: .customShort("c", allowingJoined: true), parsing: .unconditional,
        help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(
        name: .customShort("Z", allowingJoined: true),
        help: ArgumentHelp(
            "After opening the interface and the -w file, run as this user (like tcpdump -Z).", valueName: "user"))
    var dropToUser: String?
}
