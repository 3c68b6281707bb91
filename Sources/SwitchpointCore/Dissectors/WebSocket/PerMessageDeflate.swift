import CZlib
import Foundation

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
///
/// Without the history (a capture that began mid-stream, a gap, a failure) it inflates
/// against a placeholder window, twice: one stream's window is all 0x00, a second one's
/// all 0xff. A byte copied, directly or through other copies, from the unseen window
/// differs between the two; literals and copies of seen bytes agree. So a byte is known
/// exactly when both outputs agree. Once `windowSize` known bytes in a row have come out,
/// the window holds no placeholder byte: the second stream is dropped and inflation costs
/// what it did before.
final class Inflater {
    /// RFC 1951's largest distance: what a back-reference can reach.
    static let windowSize = 32 * 1024
    private static let lowFiller = [UInt8](repeating: 0x00, count: windowSize)
    private static let highFiller = [UInt8](repeating: 0xff, count: windowSize)

    private let primary = RawInflateStream()
    private var output = [UInt8](repeating: 0, count: windowSize)
    /// The 0xff-window stream, while the window may hold placeholder bytes.
    private var shadow: RawInflateStream?
    private var shadowOutput: [UInt8] = []
    /// Known bytes at the end of the output so far (placeholder mode only).
    private var knownTail = 0

    /// Whether the window may hold bytes that were never seen.
    var windowHasUnknownBytes: Bool { shadow != nil }

    /// Starts a new, empty window (no_context_takeover, or a BFINAL block).
    func reset() {
        primary.reset()
        shadow = nil
    }

    /// Starts again with a window of unknown content (a mid-stream start, a gap, a failure).
    func resetWithoutHistory() {
        primary.reset()
        let second = shadow ?? RawInflateStream()
        second.reset()
        guard primary.setWindow(Self.lowFiller), second.setWindow(Self.highFiller) else {
            // zlib refused the dictionary: inflate without it (references back then fail).
            primary.reset()
            shadow = nil
            return
        }
        shadow = second
        if shadowOutput.isEmpty { shadowOutput = [UInt8](repeating: 0, count: Self.windowSize) }
        knownTail = 0
    }

    enum Failure: Error {
        case corrupt(String)
    }

    /// Inflates `input`, handing each produced piece to `sink` with, when some of its bytes
    /// came from the unseen window, the placeholder stream's piece (a byte is known where
    /// the two agree). Stops early (returning false) when `sink` returns false, e.g. over an
    /// output limit.
    func inflate(
        _ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> Bool
    ) throws(Failure) -> Bool {
        guard primary.ready, shadow?.ready ?? true else { throw .corrupt("zlib could not be initialised") }
        guard !input.isEmpty else { return true }
        primary.setInput(input)
        shadow?.setInput(input)
        defer {
            primary.clearInput()
            shadow?.clearInput()
        }
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { primary.step(into: $0) }
            var differs = false
            if let shadow {
                let (shadowStatus, shadowProduced) = shadowOutput.withUnsafeMutableBytes { shadow.step(into: $0) }
                guard shadowStatus == status, shadowProduced == produced,
                    shadow.remainingInput == primary.remainingInput
                else { throw .corrupt("the placeholder windows' streams disagree") }
                differs = noteKnownTail(produced)
            }
            if produced > 0 {
                let keepGoing = output.withUnsafeBytes { piece in
                    shadowOutput.withUnsafeBytes { other in
                        sink(
                            UnsafeRawBufferPointer(rebasing: piece[..<produced]),
                            differs ? UnsafeRawBufferPointer(rebasing: other[..<produced]) : nil)
                    }
                }
                if knownTail >= Self.windowSize { shadow = nil }
                if !keepGoing { return false }
            }
            switch status {
            case Z_OK:
                if primary.remainingInput == 0 && primary.remainingOutput > 0 { return true }
            case Z_BUF_ERROR:
                return true  // no progress possible: all input consumed
            case Z_STREAM_END:
                // BFINAL set: the sender ended its stream; later messages start a new one,
                // with an empty window (zlib's reset drops it), so nothing is unknown then.
                primary.resetKeepingInput()
                shadow = nil
                if primary.remainingInput == 0 { return true }
            default:
                throw .corrupt(primary.errorMessage ?? "zlib error \(status)")
            }
        }
    }

    /// Updates the run of known bytes at the output's end with the last `produced` bytes
    /// of both streams; true when some of them differ.
    private func noteKnownTail(_ produced: Int) -> Bool {
        guard produced > 0 else { return false }
        let lastUnknown = output.withUnsafeBytes { piece in
            shadowOutput.withUnsafeBytes { other -> Int? in
                guard let left = piece.baseAddress, let right = other.baseAddress, memcmp(left, right, produced) != 0
                else { return nil }
                var index = produced - 1
                while index >= 0 && piece[index] == other[index] { index -= 1 }
                return index
            }
        }
        if let lastUnknown {
            knownTail = produced - lastUnknown - 1
            return true
        }
        knownTail += produced
        return false
    }
}

/// One raw-DEFLATE zlib stream at a fixed address (zlib keeps a pointer back to it).
final class RawInflateStream {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private(set) var ready: Bool

    init() {
        stream.initialize(to: z_stream())
        ready = switchpoint_inflate_init_raw(stream, 15) == Z_OK
    }

    deinit {
        if ready { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func reset() {
        if ready { inflateReset(stream) } else { ready = switchpoint_inflate_init_raw(stream, 15) == Z_OK }
    }

    /// A reset that leaves the pending input in place (after a BFINAL block mid-input).
    func resetKeepingInput() {
        if ready { inflateReset(stream) }
    }

    /// Fills the window with `bytes` as if they had been inflated (a raw stream accepts a
    /// dictionary at any time).
    func setWindow(_ bytes: [UInt8]) -> Bool {
        guard ready else { return false }
        return bytes.withUnsafeBytes {
            guard let base = $0.baseAddress else { return false }
            return inflateSetDictionary(stream, base.assumingMemoryBound(to: Bytef.self), uInt($0.count)) == Z_OK
        }
    }

    func setInput(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
    }

    func clearInput() {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
    }

    var remainingInput: Int { Int(stream.pointee.avail_in) }
    var remainingOutput: Int { Int(stream.pointee.avail_out) }
    var errorMessage: String? { stream.pointee.msg.map { String(cString: $0) } }

    /// One `inflate` call into `buffer`: zlib's status and the bytes produced.
    func step(into buffer: UnsafeMutableRawBufferPointer) -> (status: Int32, produced: Int) {
        stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        let status = CZlib.inflate(stream, Z_SYNC_FLUSH)
        return (status, buffer.count - Int(stream.pointee.avail_out))
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
