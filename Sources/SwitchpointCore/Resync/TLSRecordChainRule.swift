/// TLS records (RFC 8446 §5.1, RFC 5246 §6.2) as a peer writes them after the handshake:
/// a content type of 20 to 23, the legacy version 3.1 to 3.4, and a length within the
/// ciphertext limit, each record where the previous one ends. A record header passes by
/// chance with a probability of about 3 in 10 million, so three in a row are decisive.
struct TLSRecordChainRule: FrameChainRule {
    static let requiredHeaders = 3
    var requiredHeaders: Int { Self.requiredHeaders }
    /// The legacy version's major byte, and the minor bytes of TLS 1.0 to 1.3.
    static let versionMajor: UInt8 = 3
    static let versionMinors: ClosedRange<UInt8> = 1...4

    func chain(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> FrameChainResult {
        var position = start
        var headers = 0
        let headerLength = TLSRecordLimits.headerLength
        while headers < requiredHeaders {
            guard position + headerLength <= bytes.count else {
                return .runsOff(headers: headers, needs: position + headerLength)
            }
            let length = Int(bytes[position + 3]) << 8 | Int(bytes[position + 4])
            switch TLSContentType(rawValue: bytes[position]) {
            case .changeCipherSpec?, .alert?, .handshake?, .applicationData?:
                break
            case .heartbeat?, nil:
                return .broken
            }
            guard bytes[position + 1] == Self.versionMajor, Self.versionMinors.contains(bytes[position + 2]),
                length > 0, length <= TLSRecordLimits.maxCiphertextLength
            else { return .broken }
            headers += 1
            position += headerLength + length
            if headers < requiredHeaders && position > bytes.count {
                return .runsOff(headers: headers, needs: position)
            }
            if headers < requiredHeaders && position == bytes.count { return .endsExactly(headers: headers) }
        }
        return .plausible(headers: headers)
    }
}
