import ArgumentParser
import Foundation
import SwitchpointCore

/// How the output looks and what the exit status says (issue 14): colour, ASCII, redaction,
/// summary only, `--fail-on`, and the tcpdump habits `-n`/`-nn` and `--version`. Kept apart
/// from the command so it stays small.
struct TerminalArguments: ParsableArguments {
    enum ColorMode: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case warn, error

        var severity: Severity {
            switch self {
            case .warn: .warn
            case .error: .error
            }
        }
    }

    @Option(
        name: .customLong("color"),
        help: ArgumentHelp(
            "Colour: auto (stdout a terminal and NO_COLOR unset), always (e.g. into less -R) or never.",
            valueName: "auto|always|never"))
    var color: ColorMode = .auto

    @Flag(
        name: .customLong("ascii"),
        help:
            "Plain ASCII text: no arrows or box drawing (-> == ... x us), other characters as \\u{XXXX}. Automatic on a terminal whose locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8."
    )
    var ascii = false

    @Flag(
        name: .customLong("redact"),
        help:
            "Replace credentials, cookies, WebSocket keys, token-like URL parameters and userinfo, bearer-like subprotocols and every payload (bodies, messages) with ‹redacted len=N› in every output (the README says exactly what)."
    )
    var redact = false

    @Flag(name: .customShort("q"), help: "Quiet: print only the summary (like tshark -q).")
    var quiet = false

    @Flag(name: .customShort("n"), help: "Accepted for tcpdump habits (-n, -nn): names are never resolved anyway.")
    var noNameResolution: Int

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
            "Exit 1 when a finding of this severity or above was reported (like the audit's error rule).",
            valueName: "warn|error"))
    var failOn: FailOn?

    @Flag(name: .customLong("version"), help: "Print switchpoint's version and those of libpcap and zlib, and exit.")
    var version = false

    /// Whether colour escapes go to standard output.
    func colour(stdoutIsTerminal: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch color {
        case .always: true
        case .never: false
        case .auto: stdoutIsTerminal && environment["NO_COLOR"] == nil
        }
    }

    /// Whether the text output is transliterated to ASCII: asked, or a terminal whose locale
    /// is not UTF-8 (a file or pipe keeps UTF-8, the documented format, whatever the locale).
    func asciiOnly(stdoutIsTerminal: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool
    {
        ascii || (stdoutIsTerminal && !ASCIITransliteration.localeIsUTF8(environment: environment))
    }

    static func printVersion() {
        let output = LineWriter.standardOutput(flushEachLine: false)
        for line in VersionReport.lines { output.write(line: line) }
        output.flush()
    }
}
