import Foundation

/// `switchpoint audit FILE [FILE] [filter words…]`: which words are captures and which the
/// BPF filter, as the timeline takes trailing words. The first word is always a capture;
/// the second is one when it names a file (it exists, or ends like a capture file, so a
/// mistyped name is reported as missing rather than passed to libpcap as a filter), or is
/// `-`. Everything after is the filter.
struct AuditWords {
    static let captureSuffixes = [".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz"]

    var files: [String] = []
    var filter = ""

    init(_ words: [String]) {
        guard let first = words.first else { return }
        files = [first]
        var rest = words.dropFirst()
        if let second = rest.first, Self.namesCapture(second) {
            files.append(second)
            rest = rest.dropFirst()
        }
        filter = rest.joined(separator: " ")
    }

    static func namesCapture(_ word: String) -> Bool {
        word == "-" || FileManager.default.fileExists(atPath: word) || captureSuffixes.contains { word.hasSuffix($0) }
    }
}
