import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The built command line's memory over one very long connection (OutputPathTests has the rest).
@Suite("Output memory bound")
struct OutputMemoryTests {
    @Test("a connection with a million messages: the text timeline stays under 100 MB and shows the marker")
    func millionMessages() throws {
        let capture = try CaptureFileBuilder.longConnection(messages: 1_000_000)
        let directory = capture.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("timeline.txt")
        let run = try ChildProcess.run(
            CommandLineTests.binary.path, ["-r", capture.path], standardOutput: output.path,
            timeoutSeconds: 600)
        #expect(run.status == 0)
        #expect(run.peakResidentKilobytes > 1024, "no memory reading of the child")
        #expect(run.peakResidentKilobytes < 100 * 1024, "peak RSS \(run.peakResidentKilobytes) KB")
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("\nconn 1 (continued)\n"))
        #expect(text.contains("s→c  text 7 B  \"m999999\""))
        #expect(text.contains("websocket closed by the client with 1000"))
    }
}

/// The default two-thread run on dense events: bounded in bytes like one thread.
@Suite("Sharded run memory bound")
struct ShardedOutputMemoryTests {
    /// What the two-thread run may hold beyond one thread's peak: its queues (workers ×
    /// depth × `ShardOutput.handOverBytes` each way, plus the reader's batches) and stacks.
    static let fixedBoundKilobytes = 48 * 1024

    @Test(
        "500,000 messages as JSON: --threads 2 prints the same bytes in at most one thread's memory plus a fixed bound")
    func denseEventsBounded() throws {
        let capture = try CaptureFileBuilder.longConnection(messages: 500_000)
        let directory = capture.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        var peaks: [String: Int] = [:]
        var outputs: [String: Data] = [:]
        for threads in ["1", "2"] {
            let output = directory.appendingPathComponent("threads-\(threads).jsonl")
            let run = try ChildProcess.run(
                CommandLineTests.binary.path, ["-r", capture.path, "--json", "--threads", threads],
                standardOutput: output.path, timeoutSeconds: 600)
            #expect(run.status == 0)
            #expect(run.peakResidentKilobytes > 1024, "no memory reading of the child")
            peaks[threads] = run.peakResidentKilobytes
            outputs[threads] = try Data(contentsOf: output)
        }
        let one = try #require(peaks["1"])
        let two = try #require(peaks["2"])
        #expect(two <= one + Self.fixedBoundKilobytes, "threads 2: \(two) KB, threads 1: \(one) KB")
        #expect((outputs["1"]?.count ?? 0) > 50_000_000, "the output is not dense enough to test the bound")
        #expect(outputs["1"] == outputs["2"])
    }
}

/// A child process run with posix_spawn, its peak RSS read from its own memory map.
///
/// Not `wait4`'s `ru_maxrss`: posix_spawn starts the child in the parent's address space
/// (vfork), and Linux carries that space's high-water mark into the child at exec, so a
/// large test process (under a sanitizer, say) would be counted as the child's peak.
/// `VmHWM` in /proc/PID/status belongs to the child's own map; it only rises, and the
/// last reading before the exit is taken.
enum ChildProcess {
    struct Result {
        var status: Int32
        var peakResidentKilobytes: Int
    }

    static func run(_ path: String, _ arguments: [String], standardOutput: String, timeoutSeconds: Int) throws -> Result
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        try #require(spawned == 0, "posix_spawn failed: \(spawned)")
        var status: Int32 = 0
        var usage = rusage()
        var peak = 0
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while true {
            peak = max(peak, highWaterMarkKilobytes(pid))
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                Issue.record("\(path) ran past \(timeoutSeconds) s")
                break
            }
            usleep(20_000)
        }
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : -1, peakResidentKilobytes: peak)
    }

    /// `VmHWM` of a running process, in kB (0 once it is gone).
    static func highWaterMarkKilobytes(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
