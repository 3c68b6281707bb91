/// A WebSocket close status code (RFC 6455 §7.4, IANA registry).
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16

    @inline(__always)
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    public static let noStatusReceived = WebSocketCloseCode(rawValue: 1005)
    public static let abnormalClosure = WebSocketCloseCode(rawValue: 1006)
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    public static let extensionRequired = WebSocketCloseCode(rawValue: 1010)
    public static let internalError = WebSocketCloseCode(rawValue: 1011)
    public static let serviceRestart = WebSocketCloseCode(rawValue: 1012)
    public static let tryAgainLater = WebSocketCloseCode(rawValue: 1013)
    public static let badGateway = WebSocketCloseCode(rawValue: 1014)
    public static let tlsHandshake = WebSocketCloseCode(rawValue: 1015)

    /// Every registered code, in order.
    public static let known: [WebSocketCloseCode] = [
        .normalClosure, .goingAway, .protocolError, .unsupportedData, .noStatusReceived, .abnormalClosure, .invalidPayload,
        .policyViolation, .messageTooBig, .extensionRequired, .internalError, .serviceRestart, .tryAgainLater, .badGateway,
        .tlsHandshake,
    ]

    /// §7.4: 1000-1003, 1007-1014 and 3000-4999 may be sent; 1004-1006, 1015 and the
    /// other reserved ranges may not.
    public var maySend: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// The name the text timeline shows; empty for unregistered codes.
    public var name: String {
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
