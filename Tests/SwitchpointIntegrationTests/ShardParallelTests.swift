import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (issue 17, many machines): the built command line's `--shard I/N` runs under
/// GNU parallel, joined by `switchpoint merge`, give one run's events and summary
/// (ShardMergeTests has the partition and the merge in-process).
@Suite("Offline shards and merge through parallel")
struct ShardParallelTests {
    /// The sample set: every capture under samples/, in name order, read as one input.
    static var sampleSet: [String] {
        let root = TestEnvironment.samplesDirectory
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".pcap") || path.hasSuffix(".pcapng") {
                found.append(root.appendingPathComponent(path).path)
            }
        }
        return found.sorted()
    }

    /// `parallel switchpoint -r FILES… --json --shard {}/N ::: 0 … N-1 | switchpoint merge`.
    static func parallelShards(_ files: [String], count: Int) throws -> TestEnvironment.ToolResult {
        let parallel = try TestEnvironment.requiredTool("parallel")
        let binary = CommandLineTests.binary.path
        let reads = files.flatMap { ["-r", $0] }.map(shellQuoted).joined(separator: " ")
        let script =
            "\(shellQuoted(parallel.path)) --will-cite \(shellQuoted(binary)) \(reads) --json --shard {}/\(count) ::: "
            + (0..<count).map(String.init).joined(separator: " ") + " | \(shellQuoted(binary)) merge"
        return try TestEnvironment.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], timeoutSeconds: 300)
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @Test(
        "parallel --shard {}/4 | merge equals one run over the sample set",
        .timeLimit(.minutes(5)))
    func shardsEqualOneRun() throws {
        let files = Self.sampleSet
        try #require(files.count >= 20, "the samples are missing")
        let single = try TestEnvironment.run(
            CommandLineTests.binary, files.flatMap { ["-r", $0] } + ["--json"], timeoutSeconds: 120)
        #expect(single.status == 0, "\(single.errorText.prefix(500))")
        let merged = try Self.parallelShards(files, count: 4)
        #expect(merged.status == 0, "\(merged.errorText.prefix(500))")
        let one = CanonicalTimeline(lines: single.text.split(separator: "\n").map(String.init))
        let shards = CanonicalTimeline(lines: merged.text.split(separator: "\n").map(String.init))
        #expect(one.sortedLines.count > 500)
        #expect(shards.sortedLines.count == one.sortedLines.count)
        #expect(shards.sortedLines == one.sortedLines)
        #expect(shards.connections == one.connections)
        #expect(shards.summary == one.summary)
        // Each shard got a part of the connections, not all of them.
        let shard0 = try TestEnvironment.run(
            CommandLineTests.binary, files.flatMap { ["-r", $0] } + ["--json", "--shard", "0/4"])
        let part = CanonicalTimeline(lines: shard0.text.split(separator: "\n").map(String.init))
        #expect(part.openings.count > 0 && part.openings.count < one.openings.count)
        #expect(part.summary?.hasSuffix(#","shard":"0/4"}"#) == true)
    }

    // The limit catches a hang, not slowness: alone the test takes a second, but in the
    // whole suite on two cores it waits its turn as long as its sibling (about 230 s).
    @Test(
        "rotated files: a connection spanning them stays whole in its shard",
        .timeLimit(.minutes(5)))
    func rotatedFiles() throws {
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
        // Rotated as tcpdump -C would leave it: consecutive files of 40 packets.
        let split = try TestEnvironment.run(
            editcap, ["-F", "pcap", "-c", "40", sample, directory.appendingPathComponent("part.pcap").path])
        #expect(split.status == 0)
        let parts = TestEnvironment.captures(in: directory).map(\.path)
        #expect(parts.count > 3)
        let whole = try TestEnvironment.run(CommandLineTests.binary, ["-r", sample, "--json"])
        let merged = try Self.parallelShards(parts, count: 2)
        #expect(merged.status == 0, "\(merged.errorText.prefix(500))")
        // Time-ordered and numbered as the single run over the original file.
        #expect(
            CanonicalTimeline(lines: merged.text.split(separator: "\n").map(String.init))
                == CanonicalTimeline(lines: whole.text.split(separator: "\n").map(String.init)))
    }
}
