/// One Socket.IO packet's header, parsed from an Engine.IO message's data:
/// `<type>[<attachments>-][<namespace>,][<id>][<json>]`.
package struct SocketIOPacket {
    /// Attachment counts above this are not a packet any library sends.
    package static let maxAttachments = 1024
    /// Namespaces longer than this are not read as one.
    package static let maxNamespaceBytes = 1024

    package var type: SocketIOPacketType
    package var attachments: Int
    package var namespace: String
    package var id: UInt64?
    /// Where the JSON data starts in the bytes parsed.
    package var dataStart: Int

    /// Nil when the bytes are not a Socket.IO packet.
    package init?(_ bytes: UnsafeRawBufferPointer) {
        guard let first = bytes.first, let type = SocketIOPacketType(character: first) else { return nil }
        self.type = type
        var index = 1
        attachments = 0
        if type.hasAttachments {
            guard let (count, end) = Self.digits(bytes, from: index), end < bytes.count,
                bytes[end] == UInt8(ascii: "-"), count <= UInt64(Self.maxAttachments)
            else { return nil }
            attachments = Int(count)
            index = end + 1
        }
        namespace = "/"
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
            let limit = min(bytes.count, index + Self.maxNamespaceBytes)
            var end = index
            while end < limit, bytes[end] != UInt8(ascii: ",") { end += 1 }
            namespace = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            // A namespace ends at a comma, or at the packet's end (`1/chat`).
            if end < bytes.count {
                guard bytes[end] == UInt8(ascii: ",") else { return nil }
                index = end + 1
            } else {
                index = end
            }
        }
        id = nil
        if let (value, end) = Self.digits(bytes, from: index) {
            id = value
            index = end
        }
        dataStart = index
        guard Self.dataIsValid(bytes, from: index, type: type) else { return nil }
    }

    /// The data must be JSON (or absent where the type allows it).
    private static func dataIsValid(_ bytes: UnsafeRawBufferPointer, from index: Int, type: SocketIOPacketType) -> Bool
    {
        let scanner = JSONFieldReader(bytes)
        if index == bytes.count {
            return type == .connect || type == .disconnect
        }
        guard let end = scanner.valueEnd(index) else { return false }
        guard scanner.skipSpace(end) == bytes.count else { return false }
        switch type {
        case .event, .binaryEvent, .ack, .binaryAck:
            return bytes[scanner.skipSpace(index)] == UInt8(ascii: "[")
        case .connect, .connectError:
            // CONNECT carries an object (auth or sid); v4 CONNECT_ERROR an object, v3 a string.
            return true
        default:
            return false
        }
    }

    private static func digits(_ bytes: UnsafeRawBufferPointer, from index: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var end = index
        while end < bytes.count, end - index < 18, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") {
            value = value * 10 + UInt64(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        return end > index ? (value, end) : nil
    }
}
