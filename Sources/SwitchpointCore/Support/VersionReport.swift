import CBuildInfo
import CPcap
import CZlib

/// What `switchpoint --version` prints: switchpoint's own version and those of the C
/// libraries it runs on, asked of the libraries loaded (not the headers built against).
package enum VersionReport {
    /// `git describe --always --dirty` of the checkout built (by the Makefile), or "unknown"
    /// for a build without make or outside git.
    package static let switchpoint = String(cString: switchpoint_git_version())

    /// libpcap's own words, e.g. "libpcap version 1.10.5 (with TPACKET_V3)".
    package static var libpcap: String {
        guard let text = pcap_lib_version() else { return "libpcap version unknown" }
        return String(cString: text)
    }

    /// e.g. "1.3.1".
    package static var zlib: String {
        guard let text = zlibVersion() else { return "unknown" }
        return String(cString: text)
    }

    package static var lines: [String] {
        ["switchpoint \(switchpoint)", libpcap, "zlib version \(zlib)"]
    }
}
