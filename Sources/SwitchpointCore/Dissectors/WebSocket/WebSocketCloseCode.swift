/// A WebSocket close status code (RFC 6455 §7.4, IANA registry).
package struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt16

    @inline(__always)
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    package static let goingAway = WebSocketCloseCode(rawValue: 1001)
    package static let protocolError = WebSocketCloseCode(rawValue: 1002)
    package static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    package static let noStatusReceived = WebSocketCloseCode(rawValue: 1005)
    package static let abnormalClosure = WebSocketCloseCode(rawValue: 1006)
    package static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    package static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    package static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    package static let extensionRequired = WebSocketCloseCode(rawValue: 1010)
    package static let internalError = WebSocketCloseCode(rawValue: 1011)
    package static let serviceRestart = WebSocketCloseCode(rawValue: 1012)
    package static let tryAgainLater = WebSocketCloseCode(rawValue: 1013)
    package static let badGateway = WebSocketCloseCode(rawValue: 1014)
    package static let tlsHandshake = WebSocketCloseCode(rawValue: 1015)

    /// Every registered code, in order.
    package static let known: [WebSocketCloseCode] = [
        .normalClosure, .goingAway, .protocolError, .unsupportedData, .noStatusReceived, .abnormalClosure,
        .invalidPayload,
        .policyViolation, .messageTooBig, .extensionRequired, .internalError, .serviceRestart, .tryAgainLater,
        .badGateway,
        .tlsHandshake,
    ]

    /// §7.4: 1000-1003, 1007-1014 and 3000-4999 may be sent; 1004-1006, 1015 and the
    /// other reserved ranges may not.
    package var maySend: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// The name the text timeline shows; empty for unregistered codes.
    package var name: String {
        switch self {
        case .normalClosure: "normal"
        case .goingAway: "going away"
        case .protocolError: "protocol error"
        case .unsupportedData: "unsupported data"
        case .noStatusReceived: "no status"
        case .abnormalClosure: "abnormal"
        case .invalidPayload: "invalid payload"
        case .policyViolation: "policy violation"
        case .messageTooBig: "message too big"
        case .extensionRequired: "extension required"
        case .internalError: "internal error"
        case .serviceRestart: "service restart"
        case .tryAgainLater: "try again later"
        case .badGateway: "bad gateway"
        case .tlsHandshake: "TLS handshake"
        default: ""
        }
    }
}
