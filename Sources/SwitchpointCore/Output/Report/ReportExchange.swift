/// One HTTP exchange: an HTTP/1.x request and its answer, or an HTTP/2 stream.
public struct ReportExchange: Sendable {
    public var connection: ConnectionID
    /// The HTTP/2 stream (nil for HTTP/1.x).
    public var stream: UInt32?
    public var requestTime: Timestamp?
    public var requestMethod: String?
    public var requestTarget: String?
    public var requestVersion: String?
    public var requestFields: [HTTPField] = []
    public var requestBodyBytes: UInt64 = 0
    /// The request body's start as kept (`HTTPBodyOptions`, then `ReportLimits.bodyBytes`).
    public var requestBody: [UInt8] = []
    /// Fewer request body bytes kept than sent.
    public var requestBodyTruncated = false
    public var requestEnd: Timestamp?
    public var responseTime: Timestamp?
    public var status: Int?
    public var reason: String = ""
    public var responseVersion: String?
    public var responseFields: [HTTPField] = []
    public var responseBodyBytes: UInt64 = 0
    public var responseBody: [UInt8] = []
    public var responseBodyTruncated = false
    public var responseEnd: Timestamp?
    /// The bytes came out of a decrypted TLS stream (the URL is then `https`).
    public var decrypted = false
    public var upgrade: UpgradeSwitch?
    public var messages = BoundedLog<ReportMessage>(head: ReportLimits.headMessages, tail: ReportLimits.tailMessages)
    public var findings: [Finding] = []
    /// HTTP/2: the stream was reset or did not finish.
    public var reset: UInt32?
    public var unfinished = false

    public var isHTTP2: Bool { stream != nil }
}
