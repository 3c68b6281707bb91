import NIOCore
import NIOHPACK

/// HTTP/2 after an h2c upgrade or with prior knowledge (RFC 9113): frames, settings, HPACK
/// (NIOHPACK, one decoder per direction), streams as request/response exchanges, and
/// WebSocket over extended CONNECT (RFC 8441) handed to the WebSocket dissector.
package struct HTTP2Dissector: UpgradedStreamDissector {
    /// Named limits.
    package static let maxTrackedStreams = 10_000
    package static let maxHeaderBlockBytes = 256 * 1024
    package static let maxContinuationFrames = 64
    package static let maxHeaderListSize = 256 * 1024
    /// The largest HPACK dynamic table honoured (SETTINGS_HEADER_TABLE_SIZE may say 4 GiB).
    package static let maxHeaderTableSize = 64 * 1024

    struct HeaderBlock {
        var stream: UInt32
        var fragment: [UInt8]
        var frames: Int
        var endStream: Bool
        var promisedStream: UInt32?
        var offset: UInt64
        var tooLarge = false
        /// The packet of the HEADERS (or PUSH_PROMISE) frame's first byte.
        var firstPacket: UInt64 = 0
    }

    /// One direction's state. A class, as the WebSocket dissector's sides are: reached
    /// through `PerDirection`, a struct this size was copied in and out on every access
    /// (memmove went from 5 % to 11 % of the h2c single-thread run).
    final class Side {
        var parser: HTTP2FrameParser
        var decoder: HPACKDecoder?
        /// The decoder of a connection joined mid-stream (its table's history unknown).
        var partialDecoder: PartialHPACKDecoder?
        /// The header block handed to the decoder, reused from block to block.
        var hpackInput = ByteBufferAllocator().buffer(capacity: 0)
        var hpackBroken = false
        var block: HeaderBlock?
        /// Settings this side advertised (what its peer must respect).
        var settings: [HTTP2SettingID: UInt32] = [:]
        var frame: HTTP2FrameParser.Header?
        var frameOffset: UInt64 = 0
        var padLength = 0
        var reported: Set<FindingCode> = []
        var pings: [(payload: [UInt8], at: Timestamp)] = []
        /// Set while frame boundaries are unknown (a mid-connection start, a gap outside
        /// DATA): bytes are held and searched, not parsed.
        var resync: FrameResync?
        /// Which packets carried the last bytes, for a frame header split across packets.
        var packets = RecentChunkPackets()
        /// The packet of the current frame's first byte.
        var frameFirstPacket: UInt64 = 0
        /// The current frame's `h2.frame` event waits for the frame's end, so that it names
        /// the packet that completed it (as tshark reports a reassembled frame).
        var frameEventPending = false

        init(parser: HTTP2FrameParser) {
            self.parser = parser
        }
    }

    struct Stream {
        var summary: HTTP2StreamSummary
        var opened: Timestamp
        /// END_STREAM seen, per direction (two stored flags, not an array: no allocation).
        var ended = PerDirection(repeating: false)
        var webSocket: WebSocketDissector?
        var finished = false
    }

    let context: UpgradeContext
    let webSocketOptions: WebSocketOptions
    /// DATA bytes kept per stream and direction (`HTTPBodyOptions`).
    let maxKeptBodyBytes: Int
    private var sides: PerDirection<Side>
    private var streams: [UInt32: Stream] = [:]
    private var pendingStart = true
    private var streamLimitReported = false
    /// Joined mid-connection: HPACK blocks go to `PartialHPACKDecoder`, which knows the
    /// dynamic table has entries it never saw.
    private var hpackHistoryUnknown = false
    private var hpackHistoryReported = false
    /// Mid-connection, the streams whose request was not read: their DATA held until their
    /// content says whether they are WebSocket (`maxHeldStreams` at most). Beside the
    /// table, not in `Stream`: a connection whose start was captured never has one.
    private var holds: [UInt32: HTTP2StreamHold] = [:]
    /// Mid-connection: the events of a call, held while any stream's DATA is held and then
    /// delivered in capture order (a held stream's messages carry earlier packets).
    private var orderedEvents: EventBuffer?
    /// Streams held at once, at most (`HTTP2StreamHold.maxHeldBytes` each); later ones are
    /// plain DATA.
    package static let maxHeldStreams = 16
    /// Events held for capture order, at most: past it the holds are decided as they are.
    package static let maxOrderedEvents = 4096

    package init(
        context: UpgradeContext, webSocket: WebSocketOptions = WebSocketOptions(),
        bodies: HTTPBodyOptions = HTTPBodyOptions()
    ) {
        self.context = context
        webSocketOptions = webSocket
        maxKeptBodyBytes = bodies.keepsStreamBodies ? max(0, bodies.keptBytes) : 0
        sides = PerDirection(
            clientToServer: Side(parser: HTTP2FrameParser(expectPreface: true)),
            serverToClient: Side(parser: HTTP2FrameParser(expectPreface: false)))
        if context.request == nil
            && (!context.clientStartsAtFrameBoundary || !context.serverStartsAtFrameBoundary || context.midConnection)
        {
            // Mid-connection: no preface, and the HPACK tables' earlier entries are unknown
            // (fields that refer to them are shown as unknown).
            hpackHistoryUnknown = true
            sides[.clientToServer].parser = HTTP2FrameParser(expectPreface: false)
            if !context.clientStartsAtFrameBoundary {
                sides[.clientToServer].resync = FrameResync(from: context.clientToServerOffset)
            }
            if !context.serverStartsAtFrameBoundary {
                sides[.serverToClient].resync = FrameResync(from: context.serverToClientOffset)
            }
        }
    }

    /// h2c: the HTTP2-Settings header is the client's first SETTINGS, and the upgrading
    /// request is stream 1, half-closed from the client (RFC 7540 §3.2).
    private mutating func start(capture: CaptureInfo, events: inout EventBuffer) {
        pendingStart = false
        guard let request = context.request else { return }
        if let encoded = request.headers.values("HTTP2-Settings").first {
            if let payload = Base64.decode(encoded), payload.count % 6 == 0 {
                let values = Self.settings(payload)
                for (identifier, value) in values {
                    sides[.clientToServer].settings[HTTP2SettingID(rawValue: identifier)] = value
                }
                events.add(
                    .h2Settings(HTTP2Settings(source: "HTTP2-Settings", ack: false, values: values)),
                    capture: capture, direction: .clientToServer, offset: context.clientToServerOffset)
            } else {
                events.finding(
                    .http2BadSettingsHeader, "HTTP2-Settings \"\(encoded)\" is not base64url SETTINGS",
                    capture: capture, direction: .clientToServer)
            }
        }
        var summary = HTTP2StreamSummary(
            stream: 1, method: request.method, scheme: "http",
            authority: request.headers.values("Host").first, path: request.target,
            connectProtocol: nil, status: nil, requestBodyBytes: 0, responseBodyBytes: 0,
            reset: nil, timeToFirstByteMilliseconds: nil, totalMilliseconds: nil, unfinished: false)
        summary.requestBodyBytes = 0
        var stream = Stream(summary: summary, opened: context.requestTimestamp ?? capture.timestamp)
        stream.ended.clientToServer = true
        streams[1] = stream
    }

    /// SETTINGS entries: 16-bit identifier, 32-bit value (§6.5.1).
    static func settings(_ payload: [UInt8]) -> [(UInt16, UInt32)] {
        var values: [(UInt16, UInt32)] = []
        var index = 0
        while index + 6 <= payload.count {
            let identifier = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
            values.append((identifier, u32(payload, index + 2)))
            index += 6
        }
        return values
    }

    // MARK: Bytes

    package mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard hpackHistoryUnknown else {
            receiveFrames(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        inCaptureOrder(&events) {
            $0.receiveFrames(bytes, direction: direction, offset: offset, capture: capture, events: &$1)
        }
    }

    /// Runs `body` with events held while a stream's DATA is held, and delivers them in
    /// capture order (by packet, in order within one) once none is.
    private mutating func inCaptureOrder(
        _ events: inout EventBuffer, final: Bool = false, _ body: (inout Self, inout EventBuffer) -> Void
    ) {
        var held = orderedEvents ?? EventBuffer(collectingFor: events)
        orderedEvents = nil
        held.stamp(like: events)
        body(&self, &held)
        if !holds.isEmpty && (final || held.count >= Self.maxOrderedEvents) {
            for id in holds.keys.sorted() {
                settleHold(id, final: true, capture: nil, events: &held)
            }
        }
        if holds.isEmpty {
            let ordered = held.events.enumerated().sorted {
                ($0.element.packet, $0.offset) < ($1.element.packet, $1.offset)
            }
            for (_, event) in ordered { events.deliver(event) }
            held.removeAll()
        }
        orderedEvents = held
    }

    private mutating func receiveFrames(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if pendingStart { start(capture: capture, events: &events) }
        let side = direction
        if sides[side].resync != nil {
            resynchronize(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        // One reference for the loop: each `sides[side]` access retains and releases it.
        let state = sides[side]
        state.packets.record(chunkAt: offset, capture: capture)
        var index = 0
        while let event = state.parser.next(bytes, index: &index, offset: offset) {
            switch event {
            case .preface:
                break
            case .prefaceMissing:
                events.finding(
                    .http2PrefaceMissing,
                    "the client did not start with the HTTP/2 connection preface (RFC 9113 §3.4); its bytes are not decoded",
                    capture: capture, direction: direction, offset: offset + UInt64(index))
            case .header(let header, let at):
                state.frameFirstPacket = state.packets.packetNumber(
                    at: at, chunkOffset: offset, capture: capture)
                // The frame's event goes out when it is complete (however the bytes were
                // split), at the packet that completed it.
                state.frameEventPending = events.wantsFrames
                beginFrame(header, state: state, direction: direction, offset: at, capture: capture, events: &events)
            case .dataPiece(let range, let payloadOffset):
                data(
                    UnsafeRawBufferPointer(rebasing: bytes[range]), payloadOffset: payloadOffset,
                    streamOffset: offset + UInt64(range.lowerBound), state: state, direction: direction,
                    capture: capture,
                    events: &events)
            case .payload(let payload):
                if state.frameEventPending {
                    pendingFrameEvent(
                        state: state, direction: direction, payload: payload, capture: capture, events: &events)
                }
                frame(payload, state: state, direction: direction, capture: capture, events: &events)
            case .frameEnd:
                if state.frameEventPending {
                    pendingFrameEvent(state: state, direction: direction, capture: capture, events: &events)
                }
                endFrame(state: state, direction: direction, capture: capture, events: &events)
            }
        }
    }

    /// Holds `bytes` while this direction's frame boundaries are unknown; once a run of
    /// consistent frame headers shows where frames start, parses from there.
    private mutating func resynchronize(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer, final: Bool = false
    ) {
        let side = direction
        guard var resync = sides[side].resync else { return }
        sides[side].resync = nil
        let step = resync.step(
            bytes, offset: offset, capture: capture, rule: HTTP2FrameChainRule(), direction: direction, final: final)
        if let message = FrameResync.message(step, requiredHeaders: HTTP2FrameChainRule.requiredHeaders) {
            report(
                .http2Resync, message, direction: direction, offset: step.offset, capture: capture, events: &events,
                once: false)
        }
        guard case .found(let index, _, _) = step else {
            if case .waiting = step { sides[side].resync = resync }
            return
        }
        sides[side].parser = HTTP2FrameParser(expectPreface: false)
        sides[side].frame = nil
        sides[side].block = nil
        _ = resync.release(from: index) { piece, at, pieceCapture in
            receiveFrames(piece, direction: direction, offset: at, capture: pieceCapture, events: &events)
        }
    }

    private mutating func report(
        _ code: FindingCode, _ message: String, direction: Direction?, offset: UInt64?, capture: CaptureInfo,
        events: inout EventBuffer, once: Bool = true
    ) {
        if once, let direction {
            guard sides[direction].reported.insert(code).inserted else { return }
        }
        events.finding(code, message, capture: capture, direction: direction, offset: offset)
    }

    private mutating func beginFrame(
        _ header: HTTP2FrameParser.Header, state: Side, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = direction
        state.frame = header
        state.frameOffset = offset
        state.padLength = 0
        if events.wantsFrames && !state.frameEventPending {
            events.add(
                .h2Frame(
                    HTTP2FrameInfo(
                        type: header.type.rawValue, flags: header.flags.rawValue, stream: header.stream,
                        length: header.length)),
                capture: capture, direction: direction, offset: offset, firstPacket: state.frameFirstPacket)
        }
        // Frames must fit the receiver's SETTINGS_MAX_FRAME_SIZE (default 16384).
        let limit = Int(sides[side.reversed].settings[.maxFrameSize] ?? HTTP2SettingID.defaultMaxFrameSize)
        if header.length > limit {
            report(
                .http2FrameTooLarge,
                "a \(header.type.name) frame of \(header.length) bytes over the peer's SETTINGS_MAX_FRAME_SIZE \(limit)",
                direction: direction, offset: offset, capture: capture, events: &events)
        }
        if header.type != .data && header.length > HTTP2FrameParser.maxBufferedPayload {
            report(
                .http2FrameOverBuffer,
                "a \(header.type.name) frame of \(header.length) bytes is over the \(HTTP2FrameParser.maxBufferedPayload)-byte buffer and is skipped",
                direction: direction, offset: offset, capture: capture, events: &events)
        }
        if header.type == .continuation && state.block?.stream != header.stream {
            report(
                .http2ContinuationUnexpected,
                "CONTINUATION on stream \(header.stream) without a HEADERS or PUSH_PROMISE before it (§6.10)",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
        } else if header.type != .continuation && state.block != nil {
            report(
                .http2ContinuationUnexpected,
                "a \(header.type.name) frame interrupts a header block that expected CONTINUATION (§6.10)",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
            state.block = nil
            state.hpackBroken = true
        }
    }

    /// A frame's `h2.frame` event, at the packet that completed it (before what the frame
    /// says: settings, headers), with what its payload says for `-v`: padding, the window
    /// increment, the ping data.
    private mutating func pendingFrameEvent(
        state: Side, direction: Direction, payload: [UInt8]? = nil, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        state.frameEventPending = false
        guard let header = state.frame else { return }
        var info = HTTP2FrameInfo(
            type: header.type.rawValue, flags: header.flags.rawValue, stream: header.stream, length: header.length)
        switch header.type {
        case .data:
            if header.flags.contains(.padded), header.length > 0 { info.padLength = state.padLength }
        case .headers, .pushPromise:
            if header.flags.contains(.padded) { info.padLength = payload?.first.map(Int.init) }
        case .ping:
            if let payload, payload.count == 8 {
                info.pingData = UInt64(Self.u32(payload, 0)) << 32 | UInt64(Self.u32(payload, 4))
            }
        case .windowUpdate:
            if let payload, payload.count == 4 {
                info.windowIncrement = Self.u32(payload, 0) & 0x7fff_ffff  // the reserved bit cleared
            }
        case .origin:
            // RFC 8336 §2.1: only on stream 0 does it mean anything (elsewhere it is ignored).
            if let payload, header.stream == 0 { info.origins = HTTP2OriginEntries.parse(payload) }
        default:
            break
        }
        events.add(
            .h2Frame(info), capture: capture, direction: direction, offset: state.frameOffset,
            firstPacket: state.frameFirstPacket)
    }

    /// DATA payload pieces: padding stripped, counted per stream, WebSocket streams dissected.
    private mutating func data(
        _ piece: UnsafeRawBufferPointer, payloadOffset: Int, streamOffset: UInt64, state: Side, direction: Direction,
        capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard let header = state.frame else { return }
        var start = 0
        if header.flags.contains(.padded) {
            if payloadOffset == 0, let first = piece.first {
                state.padLength = Int(first)
            }
            if payloadOffset == 0 { start = 1 }
        }
        let dataEnd = header.length - state.padLength
        let end = min(piece.count, dataEnd - payloadOffset)
        guard end > start else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: piece[start..<end])
        // Changed in place in the table (through its index and an inout call): no copy of
        // the stream out and back per DATA piece, and the nested WebSocket dissector stays
        // uniquely referenced.
        guard
            let index = streams.index(forKey: header.stream)
                ?? unseenStream(header.stream, capture: capture, events: &events)
        else { return }
        if hpackHistoryUnknown, holds[header.stream] != nil {
            holdData(
                bytes, stream: header.stream, direction: direction, offset: streamOffset + UInt64(start),
                capture: capture, events: &events)
            return
        }
        Self.receiveData(
            bytes, into: &streams.values[index], stream: header.stream, direction: direction,
            offset: streamOffset + UInt64(start), keptLimit: maxKeptBodyBytes, capture: capture, events: &events)
    }

    private static func receiveData(
        _ bytes: UnsafeRawBufferPointer, into stream: inout Stream, stream id: UInt32, direction: Direction,
        offset: UInt64, keptLimit: Int, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let count = UInt64(bytes.count)
        if stream.webSocket == nil {
            // The body's start, while nothing before it was missed (a gap ends the prefix).
            if direction == .clientToServer {
                keep(
                    bytes, into: &stream.summary.requestBody, counted: stream.summary.requestBodyBytes, limit: keptLimit
                )
                stream.summary.requestBodyBytes += count
            } else {
                keep(
                    bytes, into: &stream.summary.responseBody, counted: stream.summary.responseBodyBytes,
                    limit: keptLimit)
                stream.summary.responseBodyBytes += count
            }
            return
        }
        if direction == .clientToServer {
            stream.summary.requestBodyBytes += count
        } else {
            stream.summary.responseBodyBytes += count
        }
        let saved = events.stream
        events.stream = id
        stream.webSocket?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        events.stream = saved
    }

    @inline(__always)
    private static func keep(_ bytes: UnsafeRawBufferPointer, into kept: inout [UInt8], counted: UInt64, limit: Int) {
        let room = limit - kept.count
        guard room > 0, UInt64(kept.count) == counted else { return }
        kept.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room)))
    }

    private mutating func endFrame(state: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer) {
        guard let header = state.frame else { return }
        state.frame = nil
        if header.type == .data && header.flags.contains(.endStream) {
            endStream(header.stream, direction: direction, capture: capture, events: &events)
        }
    }

    /// A whole non-DATA frame.
    private mutating func frame(
        _ payload: [UInt8]?, state: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        guard let header = state.frame, let payload else { return }
        let offset = state.frameOffset
        func bad(_ why: String) {
            report(
                .http2BadFrame, "\(header.type.name) on stream \(header.stream): \(why)", direction: direction,
                offset: offset, capture: capture, events: &events, once: false)
        }
        switch header.type {
        case .headers, .pushPromise:
            var index = 0
            var end = payload.count
            if header.flags.contains(.padded) {
                guard let pad = payload.first, Int(pad) < payload.count else {
                    return bad("padding longer than the frame")
                }
                index = 1
                end -= Int(pad)
            }
            var promised: UInt32?
            if header.type == .headers && header.flags.contains(.priority) { index += 5 }  // PRIORITY fields
            if header.type == .pushPromise {
                guard index + 4 <= end else { return bad("too short for a promised stream id") }
                promised =
                    (UInt32(payload[index]) << 24 | UInt32(payload[index + 1]) << 16 | UInt32(payload[index + 2]) << 8
                        | UInt32(payload[index + 3])) & 0x7fff_ffff
                index += 4
            }
            guard index <= end else { return bad("too short for its flags") }
            state.block = HeaderBlock(
                stream: header.stream, fragment: Array(payload[index..<end]), frames: 1,
                endStream: header.type == .headers && header.flags.contains(.endStream), promisedStream: promised,
                offset: offset,
                firstPacket: state.frameFirstPacket)
            if header.flags.contains(.endHeaders) {
                completeHeaderBlock(state: state, direction: direction, capture: capture, events: &events)
            }
        case .continuation:
            guard state.block?.stream == header.stream else { return }
            state.block?.frames += 1
            if (state.block?.fragment.count ?? 0) + payload.count > Self.maxHeaderBlockBytes
                || (state.block?.frames ?? 0) > Self.maxContinuationFrames
            {
                if state.block?.tooLarge == false {
                    report(
                        .http2HeaderBlockTooLarge,
                        "a header block beyond \(Self.maxHeaderBlockBytes) bytes or \(Self.maxContinuationFrames) CONTINUATION frames; not decoded",
                        direction: direction, offset: offset, capture: capture, events: &events, once: false)
                }
                state.block?.tooLarge = true
            } else {
                state.block?.fragment.append(contentsOf: payload)
            }
            if header.flags.contains(.endHeaders) {
                completeHeaderBlock(state: state, direction: direction, capture: capture, events: &events)
            }
        case .rstStream:
            guard payload.count == 4 else { return bad("length \(payload.count), must be 4") }
            let code = Self.u32(payload, 0)
            events.add(
                .h2Reset(stream: header.stream, error: code), capture: capture, direction: direction, offset: offset,
                firstPacket: state.frameFirstPacket)
            if var stream = streams[header.stream] {
                stream.summary.reset = code
                streams[header.stream] = stream
                finishStream(header.stream, capture: capture, unfinished: false, events: &events)
            }
        case .settings:
            let ack = header.flags.contains(.ack)
            guard payload.count % 6 == 0, !(ack && !payload.isEmpty) else {
                return bad("length \(payload.count) is not a multiple of 6 (or an ACK with a body)")
            }
            let values = Self.settings(payload)
            for (identifier, value) in values { state.settings[HTTP2SettingID(rawValue: identifier)] = value }
            events.add(
                .h2Settings(HTTP2Settings(source: "frame", ack: ack, values: values)), capture: capture,
                direction: direction, offset: offset, firstPacket: state.frameFirstPacket)
        case .ping:
            guard payload.count == 8 else { return bad("length \(payload.count), must be 8") }
            if header.flags.contains(.ack) {
                var roundTrip: Double?
                if let index = sides[side.reversed].pings.firstIndex(where: { $0.payload == payload }) {
                    roundTrip = capture.timestamp.milliseconds(since: sides[side.reversed].pings[index].at)
                    sides[side.reversed].pings.remove(at: index)
                }
                events.add(
                    .h2Ping(ack: true, roundTripMilliseconds: roundTrip), capture: capture, direction: direction,
                    offset: offset, firstPacket: state.frameFirstPacket)
            } else {
                if state.pings.count >= 64 { state.pings.removeFirst() }
                state.pings.append((payload, capture.timestamp))
                events.add(
                    .h2Ping(ack: false, roundTripMilliseconds: nil), capture: capture, direction: direction,
                    offset: offset, firstPacket: state.frameFirstPacket)
            }
        case .goAway:
            guard payload.count >= 8 else { return bad("length \(payload.count), must be at least 8") }
            let debug = String(decoding: payload[8...].prefix(256), as: UTF8.self)
            events.add(
                .h2GoAway(lastStream: Self.u32(payload, 0) & 0x7fff_ffff, error: Self.u32(payload, 4), debug: debug),
                capture: capture, direction: direction, offset: offset, firstPacket: state.frameFirstPacket)
        default:  // PRIORITY, WINDOW_UPDATE, unknown types: the frame event says it all
            break
        }
    }

    static func u32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
            | UInt32(bytes[index + 3])
    }

    // MARK: Header blocks

    private mutating func completeHeaderBlock(
        state: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        guard let block = state.block else { return }
        state.block = nil
        var fields: [HTTPField] = []
        var unreliable = state.hpackBroken || block.tooLarge
        var unknownFields = 0
        if !unreliable && hpackHistoryUnknown {
            unknownFields = decodeMidStream(
                block, state: state, direction: direction, capture: capture, events: &events, into: &fields)
            unreliable = state.hpackBroken
        } else if !unreliable {
            if state.decoder == nil {
                // The table may grow to what the receiver allowed in its SETTINGS.
                // Bounded: NIOHPACK preallocates for the maximum, and the wire chooses it.
                let tableSize = min(
                    Int(sides[side.reversed].settings[.headerTableSize] ?? HTTP2SettingID.defaultHeaderTableSize),
                    Self.maxHeaderTableSize)
                state.decoder = HPACKDecoder(
                    allocator: ByteBufferAllocator(), maxDynamicTableSize: tableSize,
                    maxHeaderListSize: Self.maxHeaderListSize)
            }
            var buffer = state.hpackInput
            state.hpackInput = ByteBuffer()  // keeps `buffer` the only owner while written
            buffer.clear()
            buffer.writeBytes(block.fragment)
            defer { state.hpackInput = buffer }
            do {
                if let headers = try state.decoder?.decodeHeaders(from: &buffer) {
                    fields.reserveCapacity(headers.count)
                    for header in headers { fields.append(HTTPField(name: header.name, value: header.value)) }
                }
            } catch {
                unreliable = true
                state.hpackBroken = true
                report(
                    .http2HPACKFailed,
                    "HPACK decoding failed (\(error)); this direction's later header blocks cannot be trusted and are not shown",
                    direction: direction, offset: block.offset, capture: capture, events: &events)
            }
        } else if state.hpackBroken {
            report(
                .http2HeaderBlockUnreliable, "header blocks after a lost HPACK state are not decoded",
                direction: direction, offset: block.offset, capture: capture, events: &events)
        }
        // Only a block that starts with an update (001xxxxx) has any to decode.
        let updates: (sizes: [Int], overflowed: Bool) =
            block.fragment.first.map { $0 & 0xe0 == 0x20 } == true ? Self.tableSizeUpdates(block.fragment) : ([], false)
        if updates.overflowed {
            report(
                .http2TableSizeOverflow,
                "an HPACK dynamic table size update larger than \(Self.maxTableSizeUpdate) (RFC 7541 §5.1 integer past 32 bits)",
                direction: direction, offset: block.offset, capture: capture, events: &events)
        }
        if !unreliable, let upper = fields.first(where: { Self.hasUppercase($0.name) }) {
            report(
                .http2UppercaseHeaderName,
                "a header field name in upper case (\(upper.name)): HTTP/2 field names are lower case, and a message with one is malformed (RFC 9113 §8.2.1)",
                direction: direction, offset: block.offset, capture: capture, events: &events)
        }
        if events.wantsFrames {
            events.add(
                .h2Headers(
                    HTTP2HeaderBlock(
                        stream: block.stream, fields: unreliable ? [] : fields, endStream: block.endStream,
                        promisedStream: block.promisedStream, unreliable: unreliable, frames: block.frames,
                        tableSizeUpdates: updates.sizes, unknownFields: unreliable ? 0 : unknownFields)),
                capture: capture, direction: direction, offset: block.offset, firstPacket: block.firstPacket)
        }
        if let promised = block.promisedStream {
            openStream(promised, fields: unreliable ? [] : fields, capture: capture, events: &events)
            streams[promised]?.ended.clientToServer = true
        } else if !unreliable || streams[block.stream] != nil || direction == .clientToServer {
            headers(fields, stream: block.stream, direction: direction, capture: capture, events: &events)
        }
        if block.endStream { endStream(block.stream, direction: direction, capture: capture, events: &events) }
    }

    /// A block of a connection joined mid-stream: decoded into `fields` with placeholders,
    /// its failure or (once) why fields are unknown reported; returns the unknown fields.
    private mutating func decodeMidStream(
        _ block: HeaderBlock, state: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer,
        into fields: inout [HTTPField]
    ) -> Int {
        let decoded = decodeWithoutHistory(block, state: state, direction: direction, into: &fields)
        if let failure = decoded.failure {
            report(
                .http2HPACKFailed,
                "HPACK decoding failed (\(failure)); this direction's later header blocks cannot be trusted and are not shown",
                direction: direction, offset: block.offset, capture: capture, events: &events)
        } else if decoded.unknown > 0 && !hpackHistoryReported {
            hpackHistoryReported = true
            events.finding(
                .http2HPACKHistoryMissing,
                "the connection was joined mid-stream: header fields that refer to HPACK dynamic table entries inserted before the capture began are shown as <unknown: dynamic index N> (\(decoded.unknown) in the first such block); fields inserted since are exact, so the table heals as the connection goes on",
                capture: capture, direction: direction, offset: block.offset)
        }
        return decoded.unknown
    }

    /// Decodes a block of a connection joined mid-stream into `fields`, naming what refers
    /// to table entries from before the capture; returns how many fields did, or why the
    /// block does not decode (the direction's HPACK state is then lost).
    private func decodeWithoutHistory(
        _ block: HeaderBlock, state: Side, direction: Direction, into fields: inout [HTTPField]
    ) -> (unknown: Int, failure: PartialHPACKDecoder.Failure?) {
        if state.partialDecoder == nil {
            // As for NIOHPACK below: the receiver's SETTINGS_HEADER_TABLE_SIZE, else 4096.
            let tableSize = min(
                Int(sides[direction.reversed].settings[.headerTableSize] ?? HTTP2SettingID.defaultHeaderTableSize),
                Self.maxHeaderTableSize)
            state.partialDecoder = PartialHPACKDecoder(
                maxTableSize: tableSize, maxHeaderListSize: Self.maxHeaderListSize, historyKnown: false)
        }
        do throws(PartialHPACKDecoder.Failure) {
            guard let decoded = try state.partialDecoder?.decode(block.fragment) else { return (0, nil) }
            var unknown = 0
            fields.reserveCapacity(decoded.count)
            for field in decoded {
                let placeholder = "\(Self.unknownFieldPrefix) \(field.unknownIndex ?? 0)>"
                if !field.isKnown { unknown += 1 }
                fields.append(HTTPField(name: field.name ?? placeholder, value: field.value ?? placeholder))
            }
            return (unknown, nil)
        } catch {
            state.hpackBroken = true
            return (0, error)
        }
    }

    /// RFC 7541 §6.3 dynamic table size updates at a block's start (5-bit prefix integers,
    /// pattern 001xxxxx), each integer decoded in full: `overflowed` when one exceeds
    /// `maxTableSizeUpdate` or runs past `maxIntegerContinuationBytes` (reported, and the
    /// updates end there: a value is never wrapped or cut short). An integer the block cuts
    /// off is dropped.
    static func tableSizeUpdates(_ block: [UInt8]) -> (sizes: [Int], overflowed: Bool) {
        var updates: [Int] = []
        var index = 0
        while index < block.count, block[index] & 0xe0 == 0x20 {
            var value = UInt64(block[index] & 0x1f)
            index += 1
            if value == 0x1f {
                var shift: UInt64 = 0
                var complete = false
                while index < block.count {
                    guard shift <= UInt64(7 * (Self.maxIntegerContinuationBytes - 1)) else { return (updates, true) }
                    let byte = block[index]
                    index += 1
                    value += UInt64(byte & 0x7f) << shift
                    guard value <= Self.maxTableSizeUpdate else { return (updates, true) }
                    shift += 7
                    if byte & 0x80 == 0 {
                        complete = true
                        break
                    }
                }
                guard complete else { break }
            }
            updates.append(Int(value))
        }
        return (updates, false)
    }

    static func hasUppercase(_ name: String) -> Bool {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// The largest table size update shown (SETTINGS values are 32-bit, RFC 9113 §6.5.1).
    static let maxTableSizeUpdate = UInt64(UInt32.max)
    /// Continuation bytes an integer up to 2^32 - 1 needs after a 5-bit prefix.
    static let maxIntegerContinuationBytes = 5

    private mutating func openStream(_ id: UInt32, fields: [HTTPField], capture: CaptureInfo, events: inout EventBuffer)
    {
        guard streams[id] == nil else { return }
        guard streams.count < Self.maxTrackedStreams else {
            if !streamLimitReported {
                streamLimitReported = true
                events.finding(
                    .http2StreamLimit,
                    "more than \(Self.maxTrackedStreams) streams open at once; further ones are not tracked",
                    capture: capture)
            }
            return
        }
        func pseudo(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        streams[id] = Stream(
            summary: HTTP2StreamSummary(
                stream: id, method: pseudo(":method"), scheme: pseudo(":scheme"), authority: pseudo(":authority"),
                path: pseudo(":path"),
                connectProtocol: pseudo(":protocol"), status: nil, requestBodyBytes: 0, responseBodyBytes: 0,
                reset: nil,
                timeToFirstByteMilliseconds: nil, totalMilliseconds: nil, unfinished: false), opened: capture.timestamp)
        if hpackHistoryUnknown, id & 1 == 1, holds.count < Self.maxHeldStreams, Self.holdsData(fields) {
            holds[id] = HTTP2StreamHold()
        }
        // Mid-connection the server's SETTINGS may have come before the capture.
        if pseudo(":protocol") != nil && sides[.serverToClient].settings[.enableConnectProtocol] != 1
            && !context.midConnection
        {
            events.finding(
                .http2ConnectProtocolNotEnabled,
                "an extended CONNECT (:protocol \(pseudo(":protocol") ?? "")) without the server's SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (RFC 8441 §3)",
                capture: capture, direction: .clientToServer)
        }
    }

    private mutating func headers(
        _ fields: [HTTPField], stream id: UInt32, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        if direction == .clientToServer {
            if streams[id] == nil { openStream(id, fields: fields, capture: capture, events: &events) }
            return
        }
        let webSocketOptions = webSocketOptions
        let interpreters = context.interpreters
        updateStream(id) { stream in
            guard stream.summary.status == nil || (stream.summary.status ?? 0) < 200 else { return }
            if stream.summary.timeToFirstByteMilliseconds == nil {
                stream.summary.timeToFirstByteMilliseconds = capture.timestamp.milliseconds(since: stream.opened)
            }
            stream.summary.status = fields.first { $0.name == ":status" }.flatMap { Int($0.value) }
            // RFC 8441: an extended CONNECT for websocket answered 2xx carries WebSocket frames.
            if stream.summary.method == "CONNECT", stream.webSocket == nil,
                stream.summary.connectProtocol.map(ProtocolID.websocket.matches(token:)) == true,
                let status = stream.summary.status, (200...299).contains(status)
            {
                let response = HTTPResponseHead(
                    version: "HTTP/2", status: status, reason: "",
                    headers: HTTPHeaders(fields.filter { !$0.name.hasPrefix(":") }))
                var nested = UpgradeContext(
                    protocolName: ProtocolID.websocket.token, request: nil, response: response,
                    clientToServerOffset: 0, serverToClientOffset: 0)
                nested.interpreters = interpreters
                nested.target = stream.summary.path
                stream.webSocket = WebSocketDissector(context: nested, options: webSocketOptions)
            }
        }
        if hpackHistoryUnknown, holds[id] != nil, let status = streams[id]?.summary.status, status >= 200,
            streams[id]?.summary.method == "CONNECT"
        {
            settleHoldByResponse(id, events: &events)
        }
    }

    /// Changes stream `id` in place, if the table has it: a copy out of the table and back
    /// retained and released every string of its summary.
    @discardableResult
    private mutating func updateStream<Result>(_ id: UInt32, _ body: (inout Stream) -> Result) -> Result? {
        guard let index = streams.index(forKey: id) else { return nil }
        return body(&streams.values[index])
    }

    // MARK: Streams whose request was not read

    /// How a field from an HPACK dynamic table entry never captured begins.
    static let unknownFieldPrefix = "<unknown: dynamic index"

    /// Whether a stream's DATA is held, mid-connection: its request head does not say what
    /// the stream carries (its `:method` unknown: no HEADERS read, or a field from the HPACK
    /// history; a CONNECT whose `:protocol` may be among the fields unknown), or it is an
    /// extended CONNECT for websocket whose response may come later than its DATA (the
    /// server's direction still searched for frame boundaries).
    static func holdsData(_ fields: [HTTPField]) -> Bool {
        func isPlaceholder(_ text: String) -> Bool { text.hasPrefix(unknownFieldPrefix) }
        guard let method = fields.first(where: { $0.name == ":method" })?.value, !isPlaceholder(method) else {
            return true
        }
        guard method == "CONNECT" else { return false }
        if let connectProtocol = fields.first(where: { $0.name == ":protocol" })?.value {
            return ProtocolID.websocket.matches(token: connectProtocol) || isPlaceholder(connectProtocol)
        }
        return fields.contains { isPlaceholder($0.name) || isPlaceholder($0.value) }
    }

    /// The response of a held stream came: a 2xx to an extended CONNECT started its
    /// WebSocket dissector, anything else makes it plain DATA; the held pieces go that way.
    private mutating func settleHoldByResponse(_ id: UInt32, events: inout EventBuffer) {
        guard var hold = holds.removeValue(forKey: id) else { return }
        hold.release(skipping: PerDirection(repeating: 0)) { piece, direction, offset, pieceCapture in
            guard let current = streams.index(forKey: id) else { return }
            Self.receiveData(
                piece, into: &streams.values[current], stream: id, direction: direction, offset: offset,
                keptLimit: maxKeptBodyBytes, capture: pieceCapture, events: &events)
        }
    }

    /// DATA on a client stream the capture never saw open (mid-connection): the stream is
    /// tracked from here, its kind told by content. Returns its index in the table.
    private mutating func unseenStream(
        _ id: UInt32, capture: CaptureInfo, events: inout EventBuffer
    ) -> Dictionary<UInt32, Stream>.Index? {
        guard hpackHistoryUnknown, id & 1 == 1 else { return nil }
        openStream(id, fields: [], capture: capture, events: &events)
        return streams.index(forKey: id)
    }

    /// Holds a DATA piece of a stream whose kind is not known yet, and decides when it can.
    private mutating func holdData(
        _ bytes: UnsafeRawBufferPointer, stream id: UInt32, direction: Direction, offset: UInt64,
        capture: CaptureInfo, events: inout EventBuffer
    ) {
        if holds[id]?.append(bytes, direction: direction, offset: offset, capture: capture) == true {
            settleHold(id, final: false, capture: capture, events: &events)
            return
        }
        // Full: decided with what is held; this piece then goes the way decided.
        settleHold(id, final: true, capture: capture, events: &events)
        guard let decided = streams.index(forKey: id) else { return }
        Self.receiveData(
            bytes, into: &streams.values[decided], stream: id, direction: direction, offset: offset,
            keptLimit: maxKeptBodyBytes, capture: capture, events: &events)
    }

    /// Decides a held stream if its bytes allow (always when `final`): WebSocket from the
    /// boundaries found, or plain DATA; the held pieces are then replayed.
    private mutating func settleHold(_ id: UInt32, final: Bool, capture: CaptureInfo?, events: inout EventBuffer) {
        guard var hold = holds[id] else { return }
        guard let index = streams.index(forKey: id) else {
            holds[id] = nil
            return
        }
        let decision = hold.decide(final: final)
        var skip = PerDirection(repeating: 0)
        switch decision {
        case .waiting:
            holds[id] = hold
            return
        case .plain:
            break
        case .webSocket(let boundaries, let evidence):
            skip = PerDirection(
                clientToServer: boundaries.clientToServer ?? 0, serverToClient: boundaries.serverToClient ?? 0)
            startWebSocketByContent(&streams.values[index], hold: hold, boundaries: boundaries)
            if let first = hold.pieces.first {
                let saved = events.stream
                events.stream = id
                events.finding(
                    .detectedByContent, evidence, capture: first.capture, direction: first.direction,
                    offset: first.offset)
                events.stream = saved
            }
            // The bytes before a boundary belong to a frame begun before the capture.
            for direction in Direction.allCases {
                Self.count(UInt64(skip[direction]), into: &streams.values[index], direction: direction)
            }
        }
        holds[id] = nil
        hold.release(skipping: skip) { piece, direction, offset, pieceCapture in
            guard let current = streams.index(forKey: id) else { return }
            Self.receiveData(
                piece, into: &streams.values[current], stream: id, direction: direction, offset: offset,
                keptLimit: maxKeptBodyBytes, capture: pieceCapture, events: &events)
        }
    }

    /// A held stream found to carry WebSocket: its dissector starts at each direction's
    /// boundary (a direction that showed none is searched; one that sent nothing yet starts
    /// with its first DATA byte). No handshake was seen: RSV1 is taken as permessage-deflate
    /// with an unknown history, as for `--decode-as`.
    private func startWebSocketByContent(
        _ stream: inout Stream, hold: HTTP2StreamHold, boundaries: PerDirection<Int?>
    ) {
        var first = PerDirection<UInt64?>(repeating: nil)
        for piece in hold.pieces where first[piece.direction] == nil { first[piece.direction] = piece.offset }
        var nested = UpgradeContext(
            protocolName: ProtocolID.websocket.token, request: nil, response: nil,
            clientToServerOffset: (first.clientToServer ?? 0) + UInt64(boundaries.clientToServer ?? 0),
            serverToClientOffset: (first.serverToClient ?? 0) + UInt64(boundaries.serverToClient ?? 0))
        nested.midConnection = true
        nested.clientStartsAtFrameBoundary = first.clientToServer == nil || boundaries.clientToServer != nil
        nested.serverStartsAtFrameBoundary = first.serverToClient == nil || boundaries.serverToClient != nil
        nested.interpreters = context.interpreters
        stream.webSocket = WebSocketDissector(context: nested, options: webSocketOptions)
    }

    private static func count(_ length: UInt64, into stream: inout Stream, direction: Direction) {
        if direction == .clientToServer {
            stream.summary.requestBodyBytes += length
        } else {
            stream.summary.responseBodyBytes += length
        }
    }

    private mutating func endStream(_ id: UInt32, direction: Direction, capture: CaptureInfo, events: inout EventBuffer)
    {
        if hpackHistoryUnknown, holds[id] != nil {
            holds[id]?.ended[direction] = true
            settleHold(id, final: false, capture: capture, events: &events)
        }
        let ended = updateStream(id) { stream in
            stream.ended[direction] = true
            return stream.ended.clientToServer && stream.ended.serverToClient
        }
        if ended == true {
            finishStream(id, capture: capture, unfinished: false, events: &events)
        }
    }

    private mutating func finishStream(
        _ id: UInt32, capture: CaptureInfo, unfinished: Bool, captureEnded: Bool = false, events: inout EventBuffer
    ) {
        if hpackHistoryUnknown, holds[id] != nil {
            settleHold(id, final: true, capture: capture, events: &events)
        }
        guard var stream = streams.removeValue(forKey: id) else { return }
        stream.summary.totalMilliseconds = capture.timestamp.milliseconds(since: stream.opened)
        stream.summary.unfinished = unfinished
        if stream.webSocket != nil {
            let saved = events.stream
            events.stream = id
            stream.webSocket?.finish(capture: capture, captureEnded: captureEnded, events: &events)
            events.stream = saved
        }
        events.add(.h2Stream(stream.summary), capture: capture)
    }

    // MARK: Gaps and the end

    package mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard hpackHistoryUnknown else {
            gap(direction: direction, offset: offset, length: length, capture: capture, events: &events)
            return
        }
        inCaptureOrder(&events) {
            $0.gap(direction: direction, offset: offset, length: length, capture: capture, events: &$1)
        }
    }

    private mutating func gap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        if sides[side].resync != nil {
            sides[side].resync?.gap(length)
            return
        }
        guard !sides[side].parser.isStopped else { return }
        if let header = sides[side].frame, header.type == .data, sides[side].parser.skip(Int(length)) {
            // A held stream's bytes cannot be followed across the gap: decided as they are.
            if hpackHistoryUnknown, holds[header.stream] != nil {
                settleHold(header.stream, final: true, capture: capture, events: &events)
            }
            report(
                .http2GapInFrame, "\(length) DATA bytes never captured on stream \(header.stream)",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
            if var stream = streams[header.stream] {
                if direction == .clientToServer {
                    stream.summary.requestBodyBytes += length
                } else {
                    stream.summary.responseBodyBytes += length
                }
                streams[header.stream] = stream
            }
            return
        }
        sides[side].parser.stop()
        sides[side].hpackBroken = true
        report(
            .http2GapInFrame,
            "\(length) bytes missing outside a DATA payload: frame boundaries and HPACK state are lost; frames are decoded again from the next run of consistent frame headers",
            direction: direction, offset: offset, capture: capture, events: &events, once: false)
        // A frame cut by the gap still gets its event (at the packet where it was given up).
        if sides[side].frameEventPending {
            pendingFrameEvent(state: sides[side], direction: direction, capture: capture, events: &events)
        }
        sides[side].frame = nil
        sides[side].block = nil
        sides[side].resync = FrameResync(from: offset + length)
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(capture: capture, captureEnded: false, events: &events)
    }

    package mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        guard hpackHistoryUnknown else {
            finishFrames(capture: capture, captureEnded: captureEnded, events: &events)
            return
        }
        inCaptureOrder(&events, final: true) {
            $0.finishFrames(capture: capture, captureEnded: captureEnded, events: &$1)
        }
    }

    private mutating func finishFrames(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        if pendingStart { start(capture: capture, events: &events) }
        for direction in [Direction.clientToServer, .serverToClient] where sides[direction].resync?.isEmpty == false {
            resynchronize(
                UnsafeRawBufferPointer(start: nil, count: 0), direction: direction, offset: 0, capture: capture,
                events: &events, final: true)
        }
        for id in streams.keys.sorted() {
            finishStream(id, capture: capture, unfinished: true, captureEnded: captureEnded, events: &events)
        }
    }

    /// Also while a stream's DATA is held: the events around it wait for its verdict.
    package var isSearchingForFrames: Bool {
        sides[.clientToServer].resync != nil || sides[.serverToClient].resync != nil || !holds.isEmpty
    }

    package var openState: OpenConnectionState {
        OpenConnectionState(protocolName: "h2", inFlight: streams.count, unit: .streams)
    }
}
