import ArgumentParser
import Foundation
import SwitchpointCore

/// How bytes are decoded: TLS keys, protocols on other ports, connection idle time.
/// The timeline's `--help` section "Decoding".
struct DecodingArguments: ParsableArguments {

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Dissect connections on PORT as PROTOCOL from their first captured byte, overriding detection (like tshark's Decode As); PROTOCOL is \(DissectorRegistry.standard.decodeAsHelpList); repeatable.",
            valueName: "protocol=port"))
    var decodeAs: [String] = []

    @Option(
        name: .customLong("decode-ws-as"),
        help: ArgumentHelp(
            "Read the messages of WebSockets (on PORT, or all) as PROTOCOL, overriding the choice by subprotocol, target or content: \(DissectorRegistry.standard.interpreters.names.joined(separator: ", ")), or none (plain messages); repeatable.",
            valueName: "protocol[=port]"))
    var decodeWebSocketAs: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Decrypt TLS with the secrets of this NSS key log file (as SSLKEYLOGFILE writes it); repeatable. SSLKEYLOGFILE is read too when set, and pcapng files' embedded secrets.",
            valueName: "file"))
    var keylog: [String] = []

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Close connections idle this long (capture time).", valueName: "seconds"))
    var idleTimeout: Int = 300
}
