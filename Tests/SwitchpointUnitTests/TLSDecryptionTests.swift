import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// TLS decryption from key logs: the key schedule against RFC 8448, key log parsing, and the
/// recorded samples in samples/tls/ in-process (against tshark: TLSDecryptionToolTests).
@Suite("TLS decryption with key logs")
struct TLSDecryptionTests {
    static func hex(_ text: String) -> [UInt8] { TLSHex.bytes(Substring(text)) ?? [] }

    // MARK: Key schedule

    @Test("TLS 1.3 without its keys: the ALPN choice is encrypted, not none; with them it is named")
    func alpnEncryptedWithoutKeys() throws {
        var unrelated = TLSKeyLog()
        unrelated.add(
            text: "CLIENT_RANDOM " + String(repeating: "0", count: 64) + " " + String(repeating: "0", count: 96) + "\n",
            source: "test")
        func session(_ keyLog: TLSKeyLog) throws -> TLSSessionFacts? {
            try TLSSamples.timeline("tls13-h2-curl-nghttpd", keyLog: keyLog).events.lazy.compactMap {
                if case .tlsSession(let facts) = $0.kind { facts } else { nil }
            }.first
        }
        let without = try #require(try session(unrelated))
        #expect(!without.decrypted && without.alpn == nil && without.alpnEncrypted)
        let with = try #require(try session(try TLSSamples.keyLog("tls13-h2-curl-nghttpd")))
        #expect(with.decrypted && with.alpn == "h2" && !with.alpnEncrypted)
    }

    @Test("RFC 8448 §3: HKDF-Expand-Label traffic keys and IVs, and the schedule from the shared secret")
    func rfc8448() {
        let serverHandshake = Self.hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
        let server = TLSKeySchedule.trafficKeys(secret: serverHandshake, aead: .aes128GCM, hash: .sha256)
        #expect(TLSHex.string(server.key) == "3fce516009c21727d0f2e4e86ee403bc")
        #expect(TLSHex.string(server.iv) == "5d313eb2671276ee13000b30")
        let clientHandshake = Self.hex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
        let client = TLSKeySchedule.trafficKeys(secret: clientHandshake, aead: .aes128GCM, hash: .sha256)
        #expect(TLSHex.string(client.key) == "dbfaa693d1762c5b666af5d950258d01")
        #expect(TLSHex.string(client.iv) == "5bd3c71b836e0b76bb73265f")
        let serverApplication = Self.hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
        let application = TLSKeySchedule.trafficKeys(secret: serverApplication, aead: .aes128GCM, hash: .sha256)
        #expect(TLSHex.string(application.key) == "9f02283b6c9c07efc26bb9f2ac92e356")
        #expect(TLSHex.string(application.iv) == "cf782b88dd83549aadf1e984")
        let clientApplication = Self.hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
        #expect(
            TLSHex.string(TLSKeySchedule.trafficKeys(secret: clientApplication, aead: .aes128GCM, hash: .sha256).key)
                == "17422dda596ed5d9acd890e3c63f5051")
        // Early secret → derived → handshake secret → c/s hs traffic (transcript CH..SH).
        let early = TLSKeySchedule.extract(salt: [0], inputKeyMaterial: [UInt8](repeating: 0, count: 32), hash: .sha256)
        #expect(TLSHex.string(early) == "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")
        let emptyHash = Self.hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let derived = TLSKeySchedule.deriveSecret(early, label: "derived", transcriptHash: emptyHash, hash: .sha256)
        #expect(TLSHex.string(derived) == "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba")
        let shared = Self.hex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
        let handshake = TLSKeySchedule.extract(salt: derived, inputKeyMaterial: shared, hash: .sha256)
        #expect(TLSHex.string(handshake) == "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
        let transcript = Self.hex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8")
        #expect(
            TLSKeySchedule.deriveSecret(handshake, label: "s hs traffic", transcriptHash: transcript, hash: .sha256)
                == serverHandshake)
        #expect(
            TLSKeySchedule.deriveSecret(handshake, label: "c hs traffic", transcriptHash: transcript, hash: .sha256)
                == clientHandshake)
    }

    @Test("KeyUpdate: the derived next generation equals OpenSSL's logged *_TRAFFIC_SECRET_N")
    func keyUpdateGeneration() throws {
        let text = try String(contentsOfFile: TLSSamples.path("tls13-keyupdate-openssl.keylog"), encoding: .utf8)
        var logged: [String: [UInt8]] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3 { logged[String(fields[0])] = TLSHex.bytes(fields[2]) }
        }
        for side in ["CLIENT", "SERVER"] {
            let first = try #require(logged["\(side)_TRAFFIC_SECRET_0"])
            let next = try #require(logged["\(side)_TRAFFIC_SECRET_N"])
            #expect(TLSKeySchedule.nextTrafficSecret(first, hash: first.count == 48 ? .sha384 : .sha256) == next)
        }
    }

    // MARK: Key logs

    @Test("key log parsing: every label, junk counted once, CRLF and comments")
    func keyLogParsing() {
        let random = String(repeating: "ab", count: 32)
        let text = """
            # comment
            CLIENT_RANDOM \(random) \(String(repeating: "01", count: 48))\r
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(random) \(String(repeating: "02", count: 32))
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(random) \(String(repeating: "03", count: 32))
            CLIENT_TRAFFIC_SECRET_0 \(random) \(String(repeating: "04", count: 32))
            SERVER_TRAFFIC_SECRET_0 \(random) \(String(repeating: "05", count: 32))
            EXPORTER_SECRET \(random) \(String(repeating: "06", count: 32))
            EARLY_EXPORTER_SECRET \(random) \(String(repeating: "07", count: 32))
            CLIENT_EARLY_TRAFFIC_SECRET \(random) \(String(repeating: "08", count: 32))
            this is not a key log line
            CLIENT_RANDOM 1234 5678
            CLIENT_RANDOM \(random) zz
            """
        let log = TLSKeyLog(text: text, source: "test")
        #expect(log.malformedLines == 3)
        #expect(log.firstMalformed?.hasPrefix("test line 10") == true)
        let secrets = log.secrets(clientRandom: [UInt8](repeating: 0xab, count: 32))
        #expect(secrets?.masterSecret == [UInt8](repeating: 1, count: 48))
        #expect(secrets?.clientEarlyTrafficSecret == [UInt8](repeating: 8, count: 32))
        // Exporter secrets decrypt nothing: counted as lines, not kept.
        #expect(secrets?.earlyExporterSecret == nil && secrets?.exporterSecret == nil)
        #expect(log.otherLabelLines == 2)
        #expect(log.malformedSummary?.contains("3 key log lines") == true)
    }

    @Test("pcapng Decryption Secrets Blocks are found and equal the key log that was injected")
    func pcapngSecrets() throws {
        let result = PcapngSecretsScanner.scan(path: TLSSamples.path("tls13-h2-curl-nghttpd-dsb.pcapng"))
        #expect(result.problem == nil)
        #expect(result.keyLogs.count == 1)
        let injected = try String(contentsOfFile: TLSSamples.path("tls13-h2-curl-nghttpd.keylog"), encoding: .utf8)
        #expect(
            result.keyLogs.first.map { TLSKeyLog(text: $0).clientRandomCount }
                == TLSKeyLog(text: injected).clientRandomCount)
        #expect(!PcapngSecretsScanner.isPcapng(path: TLSSamples.path("tls13-h2-curl-nghttpd.pcap")))
    }

    @Test("OpenSSL: HelloRetryRequest reported as such, KeyUpdate followed, resumption recognized")
    func openssl() throws {
        let hrr = try TLSSamples.timeline("tls13-hrr-openssl", keyLog: TLSSamples.keyLog("tls13-hrr-openssl"))
        let retries = hrr.events.compactMap { if case .tlsHelloRetry(let retry) = $0.kind { retry } else { nil } }
        #expect(retries == [TLSHelloRetry(cipherSuite: "TLS_AES_256_GCM_SHA384", group: "secp384r1")])
        #expect(hrr.events.filter { $0.tag == .tlsServerHello }.count == 1)
        #expect(hrr.events.filter { $0.tag == .tlsClientHello }.count == 2)
        #expect(hrr.findingCodes.isEmpty)
        #expect(hrr.events.contains { if case .httpResponse(let head) = $0.kind { head.status == 200 } else { false } })

        let update = try TLSSamples.timeline(
            "tls13-keyupdate-openssl", keyLog: TLSSamples.keyLog("tls13-keyupdate-openssl"))
        #expect(update.findingCodes.isEmpty)
        // The request and the answer travel under the second key generation.
        #expect(
            update.events.contains { if case .httpRequest(let head) = $0.kind { head.target == "/" } else { false } })
        #expect(
            update.events.contains { if case .httpResponse(let head) = $0.kind { head.status == 200 } else { false } })

        let resumed = try TLSSamples.timeline(
            "tls13-resumed-openssl", keyLog: TLSSamples.keyLog("tls13-resumed-openssl"))
        let sessions = resumed.events.compactMap { if case .tlsSession(let facts) = $0.kind { facts } else { nil } }
        #expect(sessions.map(\.resumed) == [false, true])
        #expect(sessions.allSatisfy { $0.decrypted })
        #expect(resumed.events.filter { $0.tag == .httpResponse }.count == 2)
    }

    // MARK: What goes wrong

    @Test("a key log for other connections: tls.no_key naming the client random, byte counts, nothing decoded")
    func noKey() throws {
        let events = try TLSSamples.timeline(
            "tls13-h2-curl-nghttpd", keyLog: TLSSamples.keyLog("tls12-h2-curl-nghttpd"))
        #expect(events.findingCodes == ["tls.no_key"])
        #expect(!events.events.contains { $0.decrypted })
        #expect(
            events.events.contains {
                if case .tlsEncrypted(let c2s, let s2c) = $0.kind { c2s > 0 && s2c > 100_000 } else { false }
            })
    }

    @Test("a wrong key: tls.decrypt_failed once per direction, no frames decoded from garbage")
    func wrongKey() throws {
        let text = try String(contentsOfFile: TLSSamples.path("tls13-h2-curl-nghttpd.keylog"), encoding: .utf8)
        // Same client random, every secret's last hex digit changed.
        let broken = text.split(separator: "\n").map { line -> String in
            guard !line.hasPrefix("#"), let last = line.last else { return String(line) }
            return String(line.dropLast()) + (last == "0" ? "1" : "0")
        }.joined(separator: "\n")
        let events = try TLSSamples.timeline("tls13-h2-curl-nghttpd", keyLog: TLSKeyLog(text: broken))
        #expect(Set(events.findingCodes) == ["tls.decrypt_failed"])
        #expect(events.findings.allSatisfy { $0.message.contains("wrong key file or corrupted record") })
        #expect(
            !events.events.contains {
                $0.tag == .h2Frame || $0.tag == .h2Headers || $0.tag == .h2Stream || $0.tag == .rawData
            })
    }

    @Test("a key log with junk lines still decrypts; no keys at all behaves as before")
    func junkAndNone() throws {
        let text = try String(contentsOfFile: TLSSamples.path("tls13-wss-websockets.keylog"), encoding: .utf8)
        let junk = "garbage\nCLIENT_RANDOM nothex nothex\n\u{1b}[31m\n" + text + "\nSERVER_TRAFFIC_SECRET_0 00 00\n"
        let log = TLSKeyLog(text: junk)
        #expect(log.malformedLines == 4)
        let events = try TLSSamples.timeline("tls13-wss-websockets", keyLog: log)
        #expect(events.upgrades.count == 1)
        let plain = try TLSSamples.timeline("tls13-wss-websockets", keyLog: nil)
        #expect(plain.upgrades.isEmpty)
        #expect(!plain.events.contains { $0.tag == .tlsSession || $0.decrypted })
        #expect(plain.findingCodes.isEmpty)
    }

    // MARK: The record layer however TCP cut the bytes

    @Test(
        "the record layer fed whole, byte by byte and in random splits gives the same events",
        arguments: ["tls13-wss-websockets-deflate", "tls12-h2-curl-nghttpd", "tls13-keyupdate-openssl"])
    func splittings(_ name: String) throws {
        let source = try TestEnvironment.fixtureSource(paths: [TLSSamples.path(name + ".pcap")], filter: "")
        var sink = OrderedChunks()
        var runner = CaptureRunner()
        runner.drive(source, into: &sink)
        var conversation = Conversation(bytes: sink.messages)
        conversation.registry = .standard
        conversation.keyLog = try TLSSamples.keyLog(name)
        let events = conversation.runAllSplittings()
        #expect(events.events.contains { $0.decrypted })
        #expect(events.findingCodes.isEmpty)
    }

    @Test("a gap inside a record: tls.gap_in_record, the next records still decrypt")
    func gapInRecord() throws {
        let name = "tls13-wss-websockets"
        let source = try TestEnvironment.fixtureSource(paths: [TLSSamples.path(name + ".pcap")], filter: "")
        var sink = OrderedChunks()
        var runner = CaptureRunner()
        runner.drive(source, into: &sink)
        // The server's 40,000-byte binary echo spans several records: cut 100 bytes out of
        // the middle of the largest server send.
        var messages = sink.messages
        let index = try #require(
            messages.indices.filter { messages[$0].0 == .serverToClient }.max {
                messages[$0].1.count < messages[$1].1.count
            })
        let bytes = messages[index].1
        let cut = bytes.count / 2
        messages[index].1 = Array(bytes[..<cut])
        messages.insert((.serverToClient, Array(bytes[(cut + 100)...])), at: index + 1)
        var conversation = Conversation(bytes: messages)
        conversation.registry = .standard
        conversation.keyLog = try TLSSamples.keyLog(name)
        conversation.gaps = [index + 1: 100]
        let events = conversation.run(.whole)
        #expect(events.findingCodes.contains("tls.gap_in_record"))
        #expect(!events.findingCodes.contains("tls.decrypt_failed"))
        // The close handshake after the lost record is still decoded.
        #expect(events.events.contains { $0.tag == .wsClose && $0.direction == .serverToClient })
    }
}

/// The data of one connection in capture order, as (direction, bytes) sends.
struct OrderedChunks: StreamSignalSink {
    var messages: [(Direction, [UInt8])] = []

    mutating func receive(_ signal: StreamSignal) {
        if case .data(let chunk) = signal {
            if let last = messages.last, last.0 == chunk.direction {
                messages[messages.count - 1].1.append(contentsOf: chunk.bytes)
            } else {
                messages.append((chunk.direction, Array(chunk.bytes)))
            }
        }
    }
}

/// Key logs as files grow them (issue 27): read in chunks, FIFOs, and which secret wins.
@Suite("Key log reading")
struct TLSKeyLogReadingTests {
    static func line(_ label: String, _ random: UInt8, _ secret: UInt8, length: Int = 48) -> String {
        "\(label) \(String(repeating: String(format: "%02x", random), count: 32)) \(String(repeating: String(format: "%02x", secret), count: length))\n"
    }

    @Test("a file read in chunks gives what its text gives, lines across chunk ends included")
    func chunkedFile() throws {
        var text = "# a browser's key log\n"
        for index in 0..<30_000 {
            text += Self.line("CLIENT_TRAFFIC_SECRET_0", UInt8(index % 251), UInt8(index % 7))
            if index % 5_000 == 0 { text += String(repeating: "x", count: 5_000) + "\n" }  // over the line limit
        }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keylog").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var fromFile = TLSKeyLog()
        let offset = try fromFile.add(contentsOf: path)
        let fromText = TLSKeyLog(text: text, source: path)
        #expect(offset == UInt64(text.utf8.count))
        #expect(fromFile.lineCount == fromText.lineCount && fromFile.malformedLines == 6)
        #expect(fromFile.clientRandomCount == 251)
        for random in [UInt8(0), 17, 250] {
            let key = [UInt8](repeating: random, count: 32)
            #expect(fromFile.secrets(clientRandom: key) == fromText.secrets(clientRandom: key))
        }
    }

    @Test("a FIFO is read like a file")
    func fifo() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keylog.fifo").path
        #expect(mkfifo(path, 0o600) == 0)
        let text = Self.line("SERVER_TRAFFIC_SECRET_0", 3, 9)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        var log = TLSKeyLog()
        _ = try log.add(contentsOf: path)
        #expect(
            log.secrets(clientRandom: [UInt8](repeating: 3, count: 32))?.serverTrafficSecret0
                == [UInt8](repeating: 9, count: 48))
    }

    @Test("a key log file wins over secrets embedded in the capture, and a disagreement is counted")
    func precedence() {
        var log = TLSKeyLog(text: Self.line("CLIENT_TRAFFIC_SECRET_0", 1, 0xaa) + Self.line("CLIENT_RANDOM", 2, 0x11))
        log.add(
            text: Self.line("CLIENT_TRAFFIC_SECRET_0", 1, 0xbb) + Self.line("SERVER_TRAFFIC_SECRET_0", 1, 0xcc)
                + Self.line("CLIENT_RANDOM", 2, 0x11),
            source: "capture.pcapng (decryption secrets block)", from: .embedded)
        let one = [UInt8](repeating: 1, count: 32)
        #expect(log.secrets(clientRandom: one)?.clientTrafficSecret0 == [UInt8](repeating: 0xaa, count: 48))
        #expect(log.secrets(clientRandom: one)?.serverTrafficSecret0 == [UInt8](repeating: 0xcc, count: 48))
        #expect(log.conflicts == 1 && log.conflicted(clientRandom: one))
        #expect(!log.conflicted(clientRandom: [UInt8](repeating: 2, count: 32)))
        #expect(log.conflictSummary?.contains("the key log file's are used") == true)
    }
}
