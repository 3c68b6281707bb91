/// What a ClientHello reveals without keys.
public struct TLSClientHello: Sendable, Equatable {
    /// The highest version offered (supported_versions when present, else the legacy field).
    public var version: String
    public var serverName: String?
    public var alpn: [String]
}

/// What a ServerHello reveals: the version chosen, and the ALPN choice where it is not
/// encrypted (TLS 1.2 and earlier; TLS 1.3 sends it in EncryptedExtensions).
public struct TLSServerHello: Sendable, Equatable {
    public var version: String
    public var alpn: String?
    public var selectionEncrypted: Bool
}

enum TLSVersion {
    static func name(_ value: UInt16) -> String {
        switch value {
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + String(value, radix: 16)
        }
    }

    /// GREASE values (RFC 8701) are 0x?A?A and never a real choice.
    static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
    }
}

/// Reads records of one direction until its first handshake message (the hello) is whole;
/// records and the message may span any number of segments.
struct TLSHelloReader {
    enum Outcome: Equatable {
        case needMore
        case message(type: UInt8, body: [UInt8])
        case failed(String)
    }

    /// Named limit: the bytes held while waiting for the hello (post-quantum key shares
    /// make ClientHellos of a few KiB; 64 KiB leaves room).
    static let maxHelloBytes = 64 * 1024

    private var buffer: [UInt8] = []
    private var handshake: [UInt8] = []
    private(set) var finished = false
    /// Named limit: records read before the hello is whole (empty records cost nothing
    /// else, so they are bounded by count).
    static let maxRecordsBeforeHello = 256
    private var records = 0
    /// Bytes received after the records that carried the hello (the start of what follows).
    var leftover: Int { buffer.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard !finished else { return .needMore }
        buffer.append(contentsOf: bytes)
        while buffer.count >= 5 {
            let type = buffer[0]
            let length = Int(buffer[3]) << 8 | Int(buffer[4])
            guard type == 22 else {
                finished = true
                return .failed("a record of type \(type) came before the hello")
            }
            guard buffer.count >= 5 + length else { break }
            records += 1
            guard records <= Self.maxRecordsBeforeHello else {
                finished = true
                return .failed("no complete hello within \(Self.maxRecordsBeforeHello) records")
            }
            handshake.append(contentsOf: buffer[5..<(5 + length)])
            buffer.removeFirst(5 + length)
            if handshake.count >= 4 {
                let messageLength = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
                if handshake.count >= 4 + messageLength {
                    finished = true
                    return .message(type: handshake[0], body: Array(handshake[4..<(4 + messageLength)]))
                }
                if messageLength > Self.maxHelloBytes {
                    finished = true
                    return .failed("a hello of \(messageLength) bytes is over the \(Self.maxHelloBytes)-byte limit")
                }
            }
        }
        if buffer.count + handshake.count > Self.maxHelloBytes + 5 {
            finished = true
            return .failed("no complete hello within \(Self.maxHelloBytes) bytes")
        }
        return .needMore
    }
}

/// Parses hello bodies with every length checked.
enum TLSHelloParser {
    struct Cursor {
        let bytes: [UInt8]
        var index = 0
        var remaining: Int { bytes.count - index }

        mutating func u8() -> UInt8? {
            guard remaining >= 1 else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func u16() -> UInt16? {
            guard remaining >= 2 else { return nil }
            defer { index += 2 }
            return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
        }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, remaining >= count else { return nil }
            defer { index += count }
            return Array(bytes[index..<(index + count)])
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, remaining >= count else { return false }
            index += count
            return true
        }
    }

    /// Extensions as (type, data); nil when the lengths do not add up.
    static func extensions(_ cursor: inout Cursor) -> [(UInt16, [UInt8])]? {
        guard cursor.remaining > 0 else { return [] }      // no extensions at all (old clients)
        guard let total = cursor.u16(), let block = cursor.take(Int(total)) else { return nil }
        var inner = Cursor(bytes: block)
        var result: [(UInt16, [UInt8])] = []
        while inner.remaining > 0 {
            guard let type = inner.u16(), let length = inner.u16(), let data = inner.take(Int(length)) else { return nil }
            result.append((type, data))
        }
        return result
    }

    static func clientHello(_ body: [UInt8]) -> TLSClientHello? {
        var cursor = Cursor(bytes: body)
        guard let legacyVersion = cursor.u16(), cursor.skip(32),
              let sessionLength = cursor.u8(), cursor.skip(Int(sessionLength)),
              let suitesLength = cursor.u16(), cursor.skip(Int(suitesLength)),
              let compressionLength = cursor.u8(), cursor.skip(Int(compressionLength)),
              let extensions = extensions(&cursor) else { return nil }
        var hello = TLSClientHello(version: TLSVersion.name(legacyVersion), serverName: nil, alpn: [])
        for (type, data) in extensions {
            var inner = Cursor(bytes: data)
            switch type {
            case 0:   // server_name
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var names = Cursor(bytes: list)
                while names.remaining > 0 {
                    guard let nameType = names.u8(), let length = names.u16(), let name = names.take(Int(length)) else { return nil }
                    if nameType == 0 { hello.serverName = HTTPText.decode(name) }
                }
            case 16:  // application_layer_protocol_negotiation
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var protocols = Cursor(bytes: list)
                while protocols.remaining > 0 {
                    guard let length = protocols.u8(), let name = protocols.take(Int(length)) else { return nil }
                    hello.alpn.append(HTTPText.decode(name))
                }
            case 43:  // supported_versions: the highest real one offered
                guard let length = inner.u8(), let list = inner.take(Int(length)) else { return nil }
                var versions = Cursor(bytes: list)
                var highest: UInt16 = 0
                while let version = versions.u16() {
                    if !TLSVersion.isGREASE(version) { highest = max(highest, version) }
                }
                if highest > 0 { hello.version = TLSVersion.name(highest) }
            default:
                break
            }
        }
        return hello
    }

    static func serverHello(_ body: [UInt8]) -> TLSServerHello? {
        var cursor = Cursor(bytes: body)
        guard let legacyVersion = cursor.u16(), cursor.skip(32),
              let sessionLength = cursor.u8(), cursor.skip(Int(sessionLength)),
              cursor.skip(2), cursor.skip(1),
              let extensions = extensions(&cursor) else { return nil }
        var version = legacyVersion
        var alpn: String?
        for (type, data) in extensions {
            var inner = Cursor(bytes: data)
            switch type {
            case 43:
                if let selected = inner.u16() { version = selected }
            case 16:
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var protocols = Cursor(bytes: list)
                if let length = protocols.u8(), let name = protocols.take(Int(length)) { alpn = HTTPText.decode(name) }
            default:
                break
            }
        }
        return TLSServerHello(version: TLSVersion.name(version), alpn: alpn, selectionEncrypted: version >= 0x0304)
    }
}
