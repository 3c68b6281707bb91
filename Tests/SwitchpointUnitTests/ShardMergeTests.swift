import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (issue 17, many machines): `--shard I/N` runs joined by `switchpoint merge`
/// give one run's events and summary.
@Suite("Offline shards and merge")
struct ShardMergeTests {
    @Test("--shard takes I/N with 0 <= I < N")
    func shardParsing() {
        #expect(ShardSelector("0/4") == ShardSelector(index: 0, count: 4))
        #expect(ShardSelector("3/4")?.index == 3)
        for bad in ["4/4", "-1/4", "0/0", "1", "a/b", "1/2/3", "", "0/5000"] {
            #expect(ShardSelector(bad) == nil, "\(bad)")
        }
    }

    @Test("each flow belongs to exactly one shard, the same in both directions")
    func symmetricPartition() throws {
        let shards = (0..<4).compactMap { ShardSelector(index: $0, count: 4) }
        var perShard = [Int](repeating: 0, count: 4)
        for port in UInt16(40_000)..<UInt16(40_400) {
            let client = Endpoint(address: try #require(IPAddress("10.0.0.1")), port: port)
            let server = Endpoint(address: try #require(IPAddress("fd00::2")), port: 443)
            let owners = shards.filter { $0.owns(client, server) }
            #expect(owners.count == 1)
            #expect(owners == shards.filter { $0.owns(server, client) })
            if let owner = owners.first { perShard[owner.index] += 1 }
        }
        // 400 flows: every shard gets a fair part (FNV-1a spreads ports well).
        #expect(perShard.allSatisfy { $0 > 50 }, "\(perShard)")
        // Stable across processes and machines: FNV-1a as any implementation computes it (checked
        // against an independent one), not Swift's per-process seeded Hasher.
        let a = Endpoint(address: try #require(IPAddress("10.0.0.1")), port: 1234)
        let b = Endpoint(address: try #require(IPAddress("10.0.0.2")), port: 80)
        #expect(ShardSelector.flowHash(a, b) == ShardSelector.flowHash(b, a))
        #expect(ShardSelector.flowHash(a, b) == 0x27d7_9553_a20d_2da0)
    }

    static func merged(_ texts: [String]) throws -> (status: Bool, text: String, error: String) {
        let writerFile = FileManager.default.temporaryDirectory.appendingPathComponent("sp-merge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: writerFile) }
        _ = FileManager.default.createFile(atPath: writerFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: writerFile)
        let writer = LineWriter(descriptor: handle.fileDescriptor, flushEachLine: false)
        var merge = ShardMerge()
        var failure = ""
        let datas = texts.map { Data($0.utf8) }
        func pinned(_ index: Int, _ inputs: [ShardMerge.Input]) {
            guard index < datas.count else {
                do { try merge.merge(inputs, into: writer) } catch { failure = error.description }
                return
            }
            datas[index].withUnsafeBytes {
                pinned(index + 1, inputs + [ShardMerge.Input(name: "input \(index)", bytes: $0)])
            }
        }
        pinned(0, [])
        writer.flush()
        try handle.close()
        return (failure.isEmpty, try String(contentsOf: writerFile, encoding: .utf8), failure)
    }

    /// A capture identity as `CaptureIdentity.text` writes one.
    static let capture = "00000000000000ff"

    /// A shard's summary line: `fields` (each with its leading comma) before `capture` and
    /// `shard`, where switchpoint writes them.
    static func summary(
        _ shard: String, capture: String = Self.capture, fields: String = ",\"connections\":0"
    )
        -> String
    {
        #"{"type":"summary"\#(fields),"capture":"\#(capture)","shard":"\#(shard)"}"# + "\n"
    }

    @Test("merge: events by time, connections renumbered in order of appearance, summaries added up")
    func mergeOrderAndSummary() throws {
        let shard0 = """
            {"ts":10.000001,"conn":1,"type":"conn.open","client":"a"}
            {"ts":12.000000,"conn":1,"type":"conn.close"}
            {"type":"summary","connections":1,"packets":5,"upgrades":{"websocket":1},"findings":{},"input_problems":["x: truncated"],"capture":"00000000000000ff","shard":"0/2"}

            """
        let shard1 = """
            {"ts":9.5,"conn":1,"type":"conn.open","client":"b"}
            {"ts":11.000000,"conn":2,"type":"conn.open","client":"c"}
            {"type":"summary","connections":2,"packets":7,"upgrades":{"h2c":2,"websocket":1},"findings":{"f":1},"input_problems":["x: truncated"],"capture":"00000000000000ff","shard":"1/2"}

            """
        let result = try Self.merged([shard1 + shard0])
        #expect(result.status, "\(result.error)")
        #expect(
            result.text == """
                {"ts":9.5,"conn":1,"type":"conn.open","client":"b"}
                {"ts":10.000001,"conn":2,"type":"conn.open","client":"a"}
                {"ts":11.000000,"conn":3,"type":"conn.open","client":"c"}
                {"ts":12.000000,"conn":2,"type":"conn.close"}
                {"type":"summary","connections":3,"packets":12,"upgrades":{"h2c":2,"websocket":2},"findings":{"f":1},"input_problems":["x: truncated"]}

                """)
    }

    @Test("merge refuses a missing or repeated shard and lines that are not switchpoint JSON")
    func mergeRefusals() throws {
        let summary = { (shard: String) in Self.summary(shard) }
        #expect(try Self.merged([summary("0/3") + summary("2/3")]).error.contains("1/3 missing"))
        #expect(try Self.merged([summary("0/2") + summary("0/2") + summary("1/2")]).error.contains("more than once"))
        #expect(
            try Self.merged(["not json\n" + summary("0/1")]).error.contains("not a switchpoint --json timeline line"))
        #expect(
            try Self.merged([#"{"ts":1.0,"conn":1,"type":"conn.open"}"# + "\n"]).error.contains(
                "after the last summary line"))
        #expect(try Self.merged([""]).error.contains("nothing to merge"))
    }

    @Test("merge refuses hostile summaries and cut lines before writing anything: no trap, no invalid JSON out")
    func mergeHostileInput() throws {
        let summary = { (packets: String, shard: String) in
            Self.summary(shard, fields: #","connections":1,"packets":\#(packets)"#)
        }
        let event = #"{"ts":1.0,"conn":1,"type":"conn.open","client":"a"}"# + "\n"
        let cut = #"{"ts":1.0,"conn":1,"type":"conn.open","client":"# + "\n"
        let huge = String(Int.max - 1)
        for (inputs, reason) in [
            ([event + summary(huge, "0/2"), summary(huge, "1/2")], "add up past"),
            ([event + summary("-5", "0/2"), summary("3", "1/2")], "not whole non-negative"),
            ([event + summary("1e300", "0/2"), summary("3", "1/2")], "not whole non-negative"),
            ([cut + summary("1", "0/1")], "whole JSON"),
            // Characters switchpoint's JSON always escapes, raw: ESC (an OSC title), a C1
            // CSI, U+2028, in an event or the summary.
            (
                [#"{"ts":1.0,"conn":1,"type":"conn.open","client":"\#u{1b}]0;x\#u{07}"}"# + "\n" + summary("1", "0/1")],
                "unescaped control character at byte 49"
            ),
            (
                [event + #"{"type":"summary","a":"\#u{9b}2J","capture":"00000000000000ff","shard":"0/1"}"# + "\n"],
                "input 0 line 2: an unescaped control"
            ),
            (
                [event + summary("1", "0/1").replacingOccurrences(of: "\"type\"", with: "\"type\"\u{2028}")],
                "unescaped control"
            ),
            // A summary value that is no JSON value is not copied out.
            (
                [event + #"{"type":"summary","a":x y,"capture":"00000000000000ff","shard":"0/1"}"# + "\n"],
                "not a JSON object"
            ),
        ] {
            let result = try Self.merged(inputs)
            #expect(!result.status, "\(reason)")
            #expect(result.error.contains(reason), "\(result.error)")
            #expect(result.text.isEmpty, "nothing written before the refusal: \(result.text)")
        }
    }

    @Test("merge copies out only strict JSON: number grammar, string escapes, UTF-8 (the merge fuzzer's finds)")
    func strictJSONLines() throws {
        let valid = [
            #"{}"#, #"{"a":[1,-0,0.5,1e9,2E-3,-1.25e+2,true,false,null,{"b":[]}],"s":"x\n\u00e9\"\\\/é€😀"}"#,
            #"{ "a" : 1 , "b" : [ ] }"#,
        ]
        for text in valid {
            #expect(Array(text.utf8).withUnsafeBytes { JSONSyntax.isWholeObject($0) }, "\(text)")
        }
        let texts: [String] = [
            #"{"v":1-2}"#, #"{"v":01}"#, #"{"v":"\x"}"#, #"{"v":"a\u12"}"#, #"{"v":1e}"#, #"{"v":-}"#, #"{"v":1.}"#,
            #"{"v":.5}"#, #"{"v":+1}"#, #"{"v":tru}"#, #"{"v":[1,]}"#, #"{"v":1,}"#, #"{"v" 1}"#, #"{"v":1} "#,
            #"[1]"#, #"{"v":"a"#, #"{"v":1}}"#,
        ]
        let open: [UInt8] = Array(#"{"v":""#.utf8)
        let close: [UInt8] = Array(#""}"#.utf8)
        let badUTF8: [[UInt8]] = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]
        var invalid: [[UInt8]] = texts.map { Array($0.utf8) }
        for sequence in badUTF8 { invalid.append(open + sequence + close) }
        invalid.append(Array(repeating: UInt8(ascii: "["), count: 100))
        for bytes in invalid {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!bytes.withUnsafeBytes { JSONSyntax.isWholeObject($0) }, "\(text)")
        }
        // Through merge: a line that is no strict JSON is refused, named, nothing written.
        for value in ["1-2", "01", #""\x""#, #""a\u12""#, "1e", "-"] {
            let line = #"{"ts":1.0,"conn":1,"type":"x","v":\#(value)}"# + "\n"
            let result = try Self.merged([line + Self.summary("0/1")])
            #expect(!result.status && result.text.isEmpty, "\(value)")
            #expect(result.error.contains("input 0 line 1: not a switchpoint --json timeline line"), "\(result.error)")
            let summary = #"{"type":"summary","v":\#(value),"capture":"00000000000000ff","shard":"0/1"}"# + "\n"
            #expect(try Self.merged([summary]).error.contains("input 0 line 1: the summary line is not a JSON object"))
        }
    }

    @Test(
        "merge refuses shards that do not belong together, naming the file and line: no shard, no or a bad capture, another capture, another count, a shard twice, a shard missing",
        arguments: [
            ([#"{"type":"summary","connections":0}"# + "\n"], ["input 0 line 1", "not a --shard run"]),
            (
                [
                    summary("0/2"),
                    #"{"ts":1.0,"conn":1,"type":"conn.open"}"# + "\n" + #"{"type":"summary","connections":1}"# + "\n",
                ],
                ["input 1 line 2", "not a --shard run"]
            ),
            ([#"{"type":"summary","connections":0,"shard":"0/1"}"# + "\n"], ["input 0 line 1", "names no capture"]),
            ([summary("0/1", capture: "00000000000000FF")], ["input 0 line 1", "capture is not 16 hex digits"]),
            ([summary("0/1", capture: "ff")], ["input 0 line 1", "capture is not 16 hex digits"]),
            ([#"{"type":"summary","capture":12,"shard":"0/1"}"# + "\n"], ["input 0 line 1", "capture is not"]),
            (
                [#"{"type":"summary","capture":"00000000000000ff","shard":1}"# + "\n"],
                ["input 0 line 1", "shard is not"]
            ),
            (
                [summary("0/2"), summary("1/2", capture: "00000000000000fe")],
                ["input 1 line 1", "of capture 00000000000000fe", "input 0 line 1", "different captures"]
            ),
            ([summary("0/2") + summary("1/3")], ["input 0 line 2", "different shard counts"]),
            (
                [summary("0/2") + summary("1/2"), summary("1/2")],
                ["input 1 line 1", "1/2 given more than once", "also input 0 line 2"]
            ),
            ([summary("0/3") + summary("2/3")], ["1/3 missing", "incomplete", "input 0 line 1"]),
            ([summary("3/4")], ["0/4, 1/4, 2/4 missing"]),
            (
                [summary("0/2") + #"{"type":"summary","fanout_group":7}"# + "\n"],
                ["input 0 line 2", "not a --shard run"]
            ),
            (
                [#"{"type":"summary","fanout_group":7}"# + "\n" + #"{"type":"summary","fanout_group":8}"# + "\n"],
                ["input 0 line 2", "--fanout-group of input 0 line 1"]
            ),
            (
                [#"{"type":"summary","fanout_group":7}"# + "\n", summary("0/1")],
                ["input 1 line 1", "--fanout-group of input 0 line 1"]
            ),
        ])
    func mergeRefusesShardsOfNoSet(inputs: [String], words: [String]) throws {
        let result = try Self.merged(inputs)
        #expect(!result.status)
        for word in words { #expect(result.error.contains(word), "\(word): \(result.error)") }
        #expect(result.text.isEmpty, "nothing written before the refusal: \(result.text)")
    }

    @Test("merge joins the live runs of one --fanout-group (no shard) and drops the group from the summary")
    func mergeFanoutGroup() throws {
        let a = #"{"ts":2.0,"conn":1,"type":"conn.open"}"# + "\n" + #"{"type":"summary","packets":1,"fanout_group":7}"#
        let b = #"{"ts":1.0,"conn":1,"type":"conn.open"}"# + "\n" + #"{"type":"summary","packets":2,"fanout_group":7}"#
        let result = try Self.merged([a + "\n", b + "\n"])
        #expect(result.status, "\(result.error)")
        #expect(
            result.text == #"{"ts":1.0,"conn":1,"type":"conn.open"}"# + "\n"
                + #"{"ts":2.0,"conn":2,"type":"conn.open"}"#
                + "\n" + #"{"type":"summary","packets":3}"# + "\n")
    }

    @Test("a shard's summary names the capture: equal for every shard of it, different for another capture or filter")
    func captureIdentityInSummary() throws {
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
        let other = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
        try #require(FileManager.default.fileExists(atPath: sample) && FileManager.default.fileExists(atPath: other))
        func identity(_ path: String, filter: String = "", mapped: Bool = true) throws -> CaptureIdentity {
            let source = try OfflineCaptureSource(paths: [path], filter: filter)
            source.readsMappedFiles = mapped
            while case .packet = source.next() {}
            return source.identity
        }
        let first = try identity(sample)
        #expect(first.packets > 10)
        #expect(try identity(sample) == first)
        // Read through libpcap (standard input, pcapng) or mapped: the same identity.
        #expect(try identity(sample, mapped: false) == first)
        #expect(first.text.count == CaptureIdentity.textLength)
        #expect(CaptureIdentity.isWellFormed(json: Array("\"\(first.text)\"".utf8)))
        #expect(try identity(other).text != first.text)
        #expect(try identity(sample, filter: "port 1").text != first.text)
        #expect(CaptureIdentity().text != first.text)
    }
}
