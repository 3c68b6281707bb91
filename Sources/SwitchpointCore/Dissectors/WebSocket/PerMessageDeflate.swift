import CZlib

/// permessage-deflate (RFC 7692) as negotiated in the 101's Sec-WebSocket-Extensions, or
/// the legacy x-webkit-deflate-frame (per-frame compression).
package struct WebSocketCompression: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case perMessageDeflate = "permessage-deflate"
        case deflateFrame = "x-webkit-deflate-frame"
    }

    package var kind: Kind
    package var serverNoContextTakeover = false
    package var clientNoContextTakeover = false
    package var serverMaxWindowBits = 15
    package var clientMaxWindowBits = 15

    /// Whether messages sent in `direction` start from an empty window.
    package func noContextTakeover(_ direction: Direction) -> Bool {
        direction == .clientToServer ? clientNoContextTakeover : serverNoContextTakeover
    }

    package func windowBits(_ direction: Direction) -> Int {
        direction == .clientToServer ? clientMaxWindowBits : serverMaxWindowBits
    }

    /// The agreed compression from the server's answer (the server's choice is binding).
    static func negotiated(_ response: HTTPHeaders) -> WebSocketCompression? {
        for element in response.listElements("Sec-WebSocket-Extensions") {
            let parts = element.split(separator: ";").map { $0.trimmingOWS }
            guard let name = parts.first?.lowercasedASCII else { continue }
            let kind: Kind
            switch name {
            case "permessage-deflate": kind = .perMessageDeflate
            case "x-webkit-deflate-frame", "deflate-frame": kind = .deflateFrame
            default: continue
            }
            var result = WebSocketCompression(kind: kind)
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingOWS }
                guard let first = pair.first else { continue }  // "permessage-deflate;=" and the like
                let key = first.lowercasedASCII
                let value = pair.count > 1 ? Int(pair[1].trimmingCharacters(in: "\"")) : nil
                switch key {
                case "server_no_context_takeover": result.serverNoContextTakeover = true
                case "client_no_context_takeover": result.clientNoContextTakeover = true
                case "no_context_takeover": result.serverNoContextTakeover = true  // deflate-frame: the sender's own
                case "server_max_window_bits": result.serverMaxWindowBits = value.map { min(15, max(8, $0)) } ?? 15
                case "client_max_window_bits": result.clientMaxWindowBits = value.map { min(15, max(8, $0)) } ?? 15
                case "max_window_bits": result.serverMaxWindowBits = value.map { min(15, max(8, $0)) } ?? 15
                default: break
                }
            }
            return result
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}

/// A raw-DEFLATE inflater for one direction whose window persists across messages (the
/// context takeover RFC 7692 §7.2.3 describes) until `reset`.
///
/// It always inflates with a 32 KiB window: a decoder window at least as large as the
/// encoder's decodes the stream exactly, and zlib refuses some smaller raw windows.
final class Inflater {
    private var stream = z_stream()
    private var ready = false
    private var output = [UInt8](repeating: 0, count: 32 * 1024)

    init() {
        ready = switchpoint_inflate_init_raw(&stream, 15) == Z_OK
    }

    deinit {
        if ready { inflateEnd(&stream) }
    }

    /// Starts a new window (no_context_takeover, or after a failure).
    func reset() {
        if ready { inflateReset(&stream) } else { ready = switchpoint_inflate_init_raw(&stream, 15) == Z_OK }
    }

    enum Failure: Error {
        case corrupt(String)
    }

    /// Inflates `input`, handing each produced piece to `sink`. Stops early (returning
    /// false) when `sink` returns false, e.g. over an output limit.
    func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) -> Bool) throws(Failure) -> Bool {
        guard ready else { throw .corrupt("zlib could not be initialised") }
        guard let base = input.baseAddress, !input.isEmpty else { return true }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        defer {
            stream.next_in = nil
            stream.avail_in = 0
        }
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let status = CZlib.inflate(&stream, Z_SYNC_FLUSH)
                return (status, buffer.count - Int(stream.avail_out))
            }
            if produced > 0 {
                let keepGoing = output.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
                if !keepGoing { return false }
            }
            switch status {
            case Z_OK:
                if stream.avail_in == 0 && stream.avail_out > 0 { return true }
            case Z_BUF_ERROR:
                return true  // no progress possible: all input consumed
            case Z_STREAM_END:
                // BFINAL set: the sender ended its stream; later messages start a new one.
                inflateReset(&stream)
                if stream.avail_in == 0 { return true }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corrupt(message)
            }
        }
    }
}

/// Streaming UTF-8 validation across fragments (RFC 3629, as RFC 6455 §8.1 requires).
struct UTF8Validator {
    private var needed = 0
    private var codePoint: UInt32 = 0
    private var minimum: UInt32 = 0
    private(set) var invalid = false

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !invalid else { return }
        var index = 0
        while index < bytes.count {
            if needed == 0 {
                // Text is mostly ASCII: skip it eight bytes at a time.
                index = ByteScanning.asciiRun(bytes, from: index)
                guard index < bytes.count else { return }
            }
            let byte = bytes[index]
            index += 1
            if needed == 0 {
                switch byte {
                case 0x00...0x7f: continue
                case 0xc2...0xdf:
                    needed = 1
                    codePoint = UInt32(byte & 0x1f)
                    minimum = 0x80
                case 0xe0...0xef:
                    needed = 2
                    codePoint = UInt32(byte & 0x0f)
                    minimum = 0x800
                case 0xf0...0xf4:
                    needed = 3
                    codePoint = UInt32(byte & 0x07)
                    minimum = 0x10000
                default:
                    invalid = true
                    return
                }
            } else {
                guard byte & 0xc0 == 0x80 else {
                    invalid = true
                    return
                }
                codePoint = codePoint << 6 | UInt32(byte & 0x3f)
                needed -= 1
                if needed == 0 {
                    if codePoint < minimum || codePoint > 0x10ffff || (0xd800...0xdfff).contains(codePoint) {
                        invalid = true
                        return
                    }
                }
            }
        }
    }

    /// At the end of a message a half-finished character is invalid too.
    var validAtEnd: Bool { !invalid && needed == 0 }
}
