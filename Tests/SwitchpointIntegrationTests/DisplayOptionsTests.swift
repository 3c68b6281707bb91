import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 14's selection and display options on real captures, output compared exactly.
@Suite("Selection and display options")
struct DisplayOptionsTests {
    static let binary = CommandLineTests.binary
    static let corpus = TestEnvironment.corpusDirectory

    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(Self.binary, arguments)
    }

    func corpusFile(_ name: String) throws -> String {
        let path = Self.corpus.appendingPathComponent(name).path
        try #require(FileManager.default.fileExists(atPath: path), "missing corpus file \(name)")
        return path
    }

    @Test(
        "--frames: packet numbers on every line, a range for a message reassembled from two frames",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func frames() throws {
        let result = try run(["-r", try corpusFile("ws-ping-inside-fragmented-message.pcap"), "--frames"])
        #expect(result.status == 0)
        #expect(
            result.text == #"""
                conn 1  10.0.0.1:54321 → 10.0.0.2:80  2023-11-14 22:13:20.000000 UTC
                  +0.030000  #4  c→s  GET /chat HTTP/1.1  Host: example.com  Upgrade: websocket  Connection: Upgrade  Sec-WebSocket-Version: 13
                  +0.050000  #6  s→c  HTTP/1.1 101 Switching Protocols  Upgrade: websocket  Connection: Upgrade
                  +0.050000  #6  s→c  !! error websocket.bad_key: Sec-WebSocket-Key "c3VyaWNhdGEtdGVzdC1rZXkh" is not 16 bytes in base64
                  +0.050000  #6  s→c  ══ switch to websocket at c2s+154 s2c+129 after 20.0 ms  /chat ══  established
                  +0.090000  #10  c→s  ping 4 B  "ping"
                  +0.110000  #8-12  c→s  text 48 B (2 frames)  "MALWARE_DOWNLOAD cmd.exe /c powershell -enc AAAA"
                  +0.130000  #14  s→c  pong 4 B  "ping"  rtt 40.0 ms
                  +0.140000  #15       closed capture-ended (open, websocket)  c2s 224 B  s2c 135 B  after 0.140 s

                == summary
                1 connection, 15 packets (15 TCP)
                upgrades: websocket switched ×1
                messages: http1 1 request, 1 response; websocket 1 message, 2 pings/pongs, 0 close frames
                findings: websocket.bad_key ×1 (error)

                """#)
        // -v shows them too.
        let verbose = try run(["-r", try corpusFile("ws-ping-inside-fragmented-message.pcap"), "-v"])
        #expect(verbose.text.contains("  +0.110000  #12  c→s  frame continuation fin=1 rsv=0 masked len=28\n"))
        #expect(verbose.text.contains("  +0.110000  #8-12  c→s  text 48 B (2 frames)"))
    }

    @Test(
        "--conn and --time abs (and -tttt, its alias)",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func connectionAndAbsoluteTime() throws {
        let path = try corpusFile("upgrade-tcp-docker-attach.pcap")
        let result = try run(["-r", path, "--conn", "3", "--time", "abs"])
        #expect(result.status == 0)
        #expect(
            result.text == #"""
                conn 3  192.168.122.1:48666 → 192.168.122.87:2375  2024-11-26 18:48:20.889534 UTC
                  2024-11-26 18:48:20.889935  c→s  POST /v1.41/containers/cc4fc8e49cadbb8bc41437dc2f9979a72293eabc3f0ea5ce48b77f43cb1f1d5e/start HTTP/1.1  Host: 192.168.122.87:2375  Content-Length: 0
                  2024-11-26 18:48:21.521121  s→c  HTTP/1.1 204 No Content
                  2024-11-26 18:48:21.521522  c→s  POST /v1.41/containers/cc4fc8e49cadbb8bc41437dc2f9979a72293eabc3f0ea5ce48b77f43cb1f1d5e/resize?h=69&w=134 HTTP/1.1  Host: 192.168.122.87:2375  Content-Length: 0
                  2024-11-26 18:48:21.522808  s→c  HTTP/1.1 200 OK  Content-Length: 0
                  2024-11-26 18:48:51.829198       closed fin  c2s 446 B  s2c 329 B  after 30.940 s

                == summary
                3 connections, 200 packets (200 TCP)
                upgrades: tcp switched ×1
                messages: http1 6 requests, 6 responses; raw 93 chunks

                """#)
        #expect(try run(["-r", path, "--conn", "3", "-tttt"]).text == result.text)
        let two = try run(["-r", path, "--conn", "1,3"])
        #expect(
            two.text.split(separator: "\n").filter { $0.hasPrefix("conn ") } == [
                "conn 1  192.168.122.1:48648 → 192.168.122.87:2375  2024-11-26 18:48:20.604738 UTC",
                "conn 3  192.168.122.1:48666 → 192.168.122.87:2375  2024-11-26 18:48:20.889534 UTC",
            ])
        #expect(try run(["-r", path, "--conn", "1", "--conn", "3"]).text == two.text)
        let json = try run(["-r", path, "--conn", "2", "--json"])
        let connections = Set(
            json.text.split(separator: "\n").dropLast().map { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["conn"] as? Int ?? -1
            })
        #expect(connections == [2])
    }

    @Test(
        "--time epoch and delta",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func epochAndDelta() throws {
        let path = try corpusFile("ws-ping-inside-fragmented-message.pcap")
        let epoch = try run(["-r", path, "--time", "epoch"]).text.split(separator: "\n")
        #expect(
            epoch[1]
                == "  1700000000.030000  c→s  GET /chat HTTP/1.1  Host: example.com  Upgrade: websocket  Connection: Upgrade  Sec-WebSocket-Version: 13"
        )
        #expect(
            epoch[2]
                == "  1700000000.050000  s→c  HTTP/1.1 101 Switching Protocols  Upgrade: websocket  Connection: Upgrade"
        )
        let delta = try run(["-r", path, "--time", "delta"]).text.split(separator: "\n").map(String.init)
        #expect(
            Array(delta[1...8]) == [
                "  +0.030000  c→s  GET /chat HTTP/1.1  Host: example.com  Upgrade: websocket  Connection: Upgrade  Sec-WebSocket-Version: 13",
                "  +0.020000  s→c  HTTP/1.1 101 Switching Protocols  Upgrade: websocket  Connection: Upgrade",
                "  +0.000000  s→c  !! error websocket.bad_key: Sec-WebSocket-Key \"c3VyaWNhdGEtdGVzdC1rZXkh\" is not 16 bytes in base64",
                "  +0.000000  s→c  ══ switch to websocket at c2s+154 s2c+129 after 20.0 ms  /chat ══  established",
                "  +0.040000  c→s  ping 4 B  \"ping\"",
                "  +0.020000  c→s  text 48 B (2 frames)  \"MALWARE_DOWNLOAD cmd.exe /c powershell -enc AAAA\"",
                "  +0.020000  s→c  pong 4 B  \"ping\"  rtt 40.0 ms",
                "  +0.010000       closed capture-ended (open, websocket)  c2s 224 B  s2c 135 B  after 0.140 s",
            ])
    }

    @Test(
        "-x and -X: hexdump lines under every payload",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func hexdumps() throws {
        let path = try corpusFile("ws-ping-coalesced-with-101.pcap")
        let result = try run(["-r", path, "-X"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map(String.init)
        let ping = try #require(lines.firstIndex(of: "  +0.000763  s→c  ping 4 B  \"Zeek\""))
        #expect(lines[ping + 1] == "        00000000  5a 65 65 6b                                       |Zeek|")
        let text = try #require(lines.firstIndex(of: "  +0.011245  c→s  text 11 B  \"Hello Zeek!\""))
        #expect(lines[text + 1] == "        00000000  48 65 6c 6c 6f 20 5a 65  65 6b 21                 |Hello Zeek!|")
        #expect(try run(["-r", path, "-x"]).text == result.text)
        // Without them, no hexdump.
        #expect(!(try run(["-r", path]).text.contains("00000000")))
    }

    @Test("--follow: the connection in full, a binary message as a hexdump")
    func follow() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-deflate.pcap").path
        let result = try run(["-r", path, "--follow", "1"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let binary = try #require(
            lines.firstIndex { $0.contains("c→s  binary 1048576 B (deflate, 92234 B on the wire)") })
        #expect(lines[binary].hasPrefix("  +0.053208  #18-86  c→s  binary 1048576 B"))
        #expect(
            Array(lines[(binary + 1)...(binary + 3)]) == [
                "        00000000  30 30 30 30 30 30 20 49  4e 46 4f 20 77 6f 72 6b  |000000 INFO work|",
                "        00000010  65 72 2d 30 20 72 65 71  75 65 73 74 20 70 61 74  |er-0 request pat|",
                "        00000020  68 3d 2f 61 70 69 2f 76  31 2f 62 72 61 76 6f 20  |h=/api/v1/bravo |",
            ])
        #expect(lines[binary + 4097] == "        … 983040 more bytes")
        // Every header (-v), text payloads whole and not dumped.
        #expect(lines.contains { $0.hasSuffix("Sec-WebSocket-Key: Np/SKZgWg+bn67f73Lkdbg==") })
        #expect(
            lines.contains {
                $0.contains("c→s  text 256 B (deflate, 73 B on the wire)") && $0.hasSuffix("0123456789abcdef\"")
            })
        #expect(lines.filter { $0.hasPrefix("conn ") }.count == 1)
    }

    @Test("--stream shows one HTTP/2 stream and the connection's own lines")
    func stream() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("http2/rfc8441-websocket-over-h2.pcap").path
        let one = try run(["-r", path, "--conn", "1", "--stream", "1", "-v"])
        #expect(one.status == 0)
        #expect(one.text.contains("[stream 1] text 47 B"))
        #expect(one.text.contains("GOAWAY last stream 0 NO_ERROR"))
        let other = try run(["-r", path, "--conn", "1", "--stream", "3", "-v"])
        #expect(!other.text.contains("[stream 1]"))
        #expect(!other.text.contains("stream 1 "))
        #expect(other.text.contains("GOAWAY last stream 0 NO_ERROR"))
    }

    @Test(
        "--protocol and --severity keep whole connections",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func protocolAndSeverity() throws {
        let path = try corpusFile("upgrade-tcp-docker-attach.pcap")
        let headers = { (arguments: [String]) throws -> [String] in
            try self.run(["-r", path] + arguments).text.split(separator: "\n").filter { $0.hasPrefix("conn ") }.map {
                String($0.prefix(7))
            }
        }
        #expect(try headers(["--protocol", "raw"]) == ["conn 2 "])
        #expect(try headers(["--protocol", "http1"]) == ["conn 1 ", "conn 2 ", "conn 3 "])
        #expect(try headers(["--protocol", "websocket"]) == [])
        let rejected = TestEnvironment.samplesDirectory.appendingPathComponent("detection/ws-handshake-rejected.pcap")
            .path
        let all = try run(["-r", rejected]).text
        let errors = try run(["-r", rejected, "--severity", "error"]).text
        #expect(all.split(separator: "\n").filter { $0.hasPrefix("conn ") }.count == 4)
        let kept = errors.components(separatedBy: "\n\n").filter { $0.hasPrefix("conn ") }
        #expect(kept.count == 2)
        #expect(kept.allSatisfy { $0.contains("!! error ") })
    }

    @Test("usage errors: --stream without --conn, block filters with --json, unknown values")
    func usageErrors() throws {
        let path = CommandLineTests.sample
        for arguments in [
            ["--stream", "1"], ["--protocol", "tls", "--json"], ["--severity", "warn", "--interleave"],
            ["--protocol", "ftp"], ["--severity", "info"], ["--time", "local"], ["--conn", "x"],
            ["--follow", "1", "--conn", "2"], ["-tttt", "--time", "rel"],
        ] {
            let result = try run(["-r", path] + arguments)
            #expect(result.status == 2, "\(arguments): exit \(result.status)")
            #expect(result.errorText.hasPrefix("Error: "), "\(arguments): \(result.errorText)")
        }
    }
}
