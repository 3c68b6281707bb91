import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Command-line values out of range are usage errors (exit 2), never traps (issue 16).
@Suite("Command-line values validated")
struct CommandLineValidationTests {
    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(CommandLineTests.binary, arguments, timeoutSeconds: 60)
    }

    @Test(
        "numeric options out of range exit 2 with a message naming the option",
        arguments: [
            ["--idle-timeout", "9223372037"], ["--idle-timeout", "0"], ["--idle-timeout", "-5"],
            ["--idle-timeout", "99999999999999999999"], ["-s", "0"], ["-s", "262145"], ["-B", "0"],
            ["-B", "2097152"], ["-c", "0"], ["--decode-as", "websocket=0"], ["--decode-as", "websocket=65536"],
            // Negative numbers are values to range-check, not options ("Missing value").
            ["--workers", "-1"], ["--threads", "-3"], ["-c", "-5"], ["-B", "-1"],
        ])
    func outOfRange(_ option: [String]) throws {
        let result = try run(["-r", CommandLineTests.sample] + option)
        #expect(result.status == 2, "\(option): \(result.errorText)")
        #expect(result.errorText.contains(option[0]), "\(option): \(result.errorText)")
    }

    @Test("the largest idle timeout is accepted and does not trap")
    func largestIdleTimeout() throws {
        let result = try run(["-r", CommandLineTests.sample, "--connections", "--idle-timeout", "9223372036"])
        #expect(result.status == 0, "\(result.errorText)")
    }

    @Test("unknown options are usage errors with status 2, help is 0")
    func usageStatus() throws {
        #expect(try run(["--no-such-option"]).status == 2)
        #expect(try run(["--help"]).status == 0)
        #expect(try run(["audit", "--help"]).status == 0)
        for subcommand in ["audit", "merge"] {
            let help = try run(["help", subcommand])
            #expect(help.status == 0 && help.text.contains("switchpoint \(subcommand)"), "help \(subcommand)")
        }
        #expect(try run(["audit"]).status == 2)
    }

    @Test("a missing input exits 2 with one line that says why, in the timeline, audit and merge alike")
    func missingInput() throws {
        for arguments in [
            ["-r", "/nonexistent.pcap"], ["audit", "/nonexistent.pcap"], ["merge", "/nonexistent.json"],
        ] {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.text.isEmpty, "\(arguments): \(result.text)")
            let lines = result.errorText.split(separator: "\n")
            #expect(
                lines.count == 1 && lines.first?.contains("No such file or directory") == true, "\(result.errorText)")
        }
    }

    @Test("--help goes from what people use most to scale-out: input, decoding, output, display, files, scale-out")
    func helpOrder() throws {
        let help = try run(["--help"]).text
        let sections = ["INPUT:", "DECODING:", "OUTPUT:", "SELECTION AND DISPLAY:", "OUTPUT FILES:", "SCALE-OUT"]
        let positions = sections.compactMap { help.range(of: "\n" + $0)?.lowerBound }
        #expect(positions.count == sections.count, "\(help)")
        #expect(positions == positions.sorted())
        let input = try #require(help.range(of: "\nINPUT:")?.upperBound)
        let decoding = try #require(help.range(of: "\nDECODING:")?.lowerBound)
        #expect(help[input..<decoding].contains("-r <file>") && help[input..<decoding].contains("-i <interface>"))
    }

    @Test("help audit lists the audit's own options, not the live-only --metrics; the timeline's help has it")
    func auditHelpOwnOptions() throws {
        let audit = try run(["help", "audit"]).text
        #expect(!audit.contains("--metrics"))
        for option in ["--front-file", "--back-file", "--keylog", "--proxy", "--pg"] {
            #expect(audit.contains(option), "\(option)")
        }
        #expect(try run(["--help"]).text.contains("--metrics"))
    }

    @Test("an --html or --har path that cannot be written is refused before anything is read (exit 2)")
    func unwritableExportPath() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("no/such/dir/report.html").path
        for arguments in [["--html", missing], ["--har", directory.path]] {
            let result = try run(["-r", CommandLineTests.sample] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.errorText)")
            #expect(result.text.isEmpty, "\(arguments): a timeline was printed before the refusal")
            #expect(result.errorText.contains(arguments[0]), "\(result.errorText)")
        }
    }

    @Test(
        "-w on a full disk: said once with the path, the timeline goes on, exit 1; an unwritable path is exit 2 first")
    func writeErrors() throws {
        let full = try run(["-r", CommandLineTests.sample, "-w", "/dev/full"])
        #expect(full.status == 1, "\(full.errorText)")
        let said = full.errorText.components(separatedBy: "writing /dev/full failed: No space left on device")
        #expect(said.count == 2, "\(full.errorText)")
        #expect(full.text.contains("== summary") && full.text.contains("input problem: writing /dev/full failed"))
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try run(["-r", CommandLineTests.sample, "-w", directory.appendingPathComponent("a/b.pcap").path])
        #expect(missing.status == 2 && missing.text.isEmpty, "\(missing.errorText)")
    }

    @Test("every subcommand reads its inputs with -r too (attached or not), as it does by position")
    func readOptionEverywhere() throws {
        let capture = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-no-upgrade-headers.pcap")
            .path
        let positional = try run(["audit", capture])
        for arguments in [["audit", "-r", capture], ["audit", "-r" + capture]] {
            let result = try run(arguments)
            #expect(result.status == positional.status && result.text == positional.text, "\(arguments)")
        }
        let front = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-http10-front.pcap").path
        let back = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-http10-back.pcap").path
        let twoByPosition = try run(["audit", front, back])
        let twoByOption = try run(["audit", "-r", front, "-r", back])
        #expect(twoByOption.status == twoByPosition.status && twoByOption.text == twoByPosition.text)
        let shard = try run(["-r", CommandLineTests.sample, "--json", "--shard", "0/1"])
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let shardFile = directory.appendingPathComponent("shard0.jsonl")
        try shard.output.write(to: shardFile)
        let mergedByPosition = try run(["merge", shardFile.path])
        let mergedByOption = try run(["merge", "-r", shardFile.path])
        #expect(
            mergedByOption.status == 0 && mergedByOption.text == mergedByPosition.text, "\(mergedByOption.errorText)")
        #expect(try run(["audit", "-r", directory.appendingPathComponent("missing.pcap").path]).status == 2)
    }

    @Test(
        "merge exits 2 naming file and line for shards of another capture, a run without --shard, a shard twice, a set incomplete"
    )
    func mergeRefusesStrangers() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
        func output(_ name: String, _ arguments: [String]) throws -> String {
            let result = try run(arguments + ["--json"])
            #expect(result.status == 0, "\(result.errorText)")
            let file = directory.appendingPathComponent(name)
            try result.output.write(to: file)
            return file.path
        }
        let shard0 = try output("s0", ["-r", CommandLineTests.sample, "--shard", "0/2"])
        let shard1 = try output("s1", ["-r", CommandLineTests.sample, "--shard", "1/2"])
        let otherShard1 = try output("o1", ["-r", other, "--shard", "1/2"])
        let unsharded = try output("u", ["-r", CommandLineTests.sample])
        // Each shard's summary names the capture: the same for both shards, another for another file.
        let identity = { (path: String) throws -> String? in
            let summary = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last ?? ""
            return summary.firstMatch(of: /"capture":"([0-9a-f]{16})","shard":"/).map { String($0.1) }
        }
        #expect(try identity(shard0) != nil)
        #expect(try identity(shard0) == identity(shard1))
        #expect(try identity(otherShard1) != identity(shard1))
        let whole = try run(["merge", shard0, shard1])
        #expect(whole.status == 0, "\(whole.errorText)")
        for (inputs, words) in [
            ([shard0, otherShard1], [otherShard1 + " line", "different captures"]),
            ([shard0, unsharded], [unsharded + " line", "not a --shard run"]),
            ([shard0, shard0, shard1], [shard0 + " line", "given more than once"]),
            ([shard1], ["0/2 missing", shard1 + " line"]),
        ] {
            let result = try run(["merge"] + inputs)
            #expect(result.status == 2 && result.text.isEmpty, "\(inputs): \(result.errorText)")
            for word in words { #expect(result.errorText.contains(word), "\(word): \(result.errorText)") }
        }
    }

    @Test("-w refuses to overwrite a file given with -r: same path or same inode")
    func writeOverInput() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.pcap")
        try FileManager.default.copyItem(atPath: CommandLineTests.sample, toPath: input.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int)
        let link = directory.appendingPathComponent("link.pcap")
        try FileManager.default.linkItem(at: input, to: link)
        let symlink = directory.appendingPathComponent("sym.pcap")
        try FileManager.default.createSymbolicLink(at: symlink, withDestinationURL: input)
        for target in [input.path, link.path, symlink.path, directory.path + "/./in.pcap"] {
            let result = try run(["-r", input.path, "-w", target])
            #expect(result.status == 2, "\(target)")
            #expect(result.errorText.contains("overwrite"))
        }
        #expect(try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int == size)
        let out = directory.appendingPathComponent("out.pcap")
        #expect(try run(["-r", input.path, "-w", out.path, "--connections"]).status == 0)
    }

    @Test(
        "audit --front/--back: host:port parsed strictly",
        arguments: [
            (":99999", false), ("a:b:c:80", false), (":0", false), ("host:", false), ("[::1", false),
            ("[zz]:80", false),
            ("1.2.3.4:80x", false), (":80", true), ("[::1]:80", true), ("1.2.3.4:80", true),
            ("proxy.example:8080", true), ("*:443", true),
        ])
    func hostPort(_ text: String, _ valid: Bool) throws {
        #expect((HostPort(text) != nil) == valid, "\(text)")
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-nginx-default.pcap").path
        #expect(FileManager.default.fileExists(atPath: sample), "fixture missing: \(sample)")
        let result = try run(["audit", sample, "--front", text])
        if valid {
            // The status the audit gives in-process with the same --front.
            let expected = try InProcessCommand.audit([sample]) { $0.options.front = text }
            #expect(result.status == expected.status, "\(text): \(result.errorText)")
            #expect(result.text == expected.text, "\(text)")
        } else {
            #expect(result.status == 2, "\(text)")
            #expect(result.errorText.contains("--front"))
        }
    }

    @Test("audit exits 1 on a truncated input file, like the timeline")
    func auditTruncated() throws {
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-ok.pcap").path
        let data = try Data(contentsOf: URL(fileURLWithPath: sample))
        #expect(data.count > 200)
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cut = directory.appendingPathComponent("cut.pcap")
        try data.prefix(data.count - 7).write(to: cut)
        let full = try run(["audit", sample])
        #expect(full.status == 0)
        let result = try run(["audit", cut.path])
        #expect(result.status == 1, "\(result.errorText)")
        #expect(result.errorText.contains("packet"))
    }
}
