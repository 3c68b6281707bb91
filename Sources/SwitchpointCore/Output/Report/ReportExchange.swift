/// One HTTP exchange: an HTTP/1.x request and its answer, or an HTTP/2 stream.
package struct ReportExchange: Sendable {
    package var connection: ConnectionID
    /// The HTTP/2 stream (nil for HTTP/1.x).
    package var stream: UInt32?
    /// HTTP/1.x: the request's place on its connection (1 = the first), as the audit
    /// names its legs (`file:conn#N`).
    package var ordinal = 1
    package var requestTime: Timestamp?
    package var requestMethod: String?
    package var requestTarget: String?
    package var requestVersion: String?
    package var requestFields: [HTTPField] = []
    package var requestBodyBytes: UInt64 = 0
    /// The request body's start as kept (`HTTPBodyOptions`, then `ReportLimits.bodyBytes`).
    package var requestBody: [UInt8] = []
    /// Fewer request body bytes kept than sent.
    package var requestBodyTruncated = false
    package var requestEnd: Timestamp?
    package var responseTime: Timestamp?
    package var status: Int?
    package var reason: String = ""
    package var responseVersion: String?
    package var responseFields: [HTTPField] = []
    package var responseBodyBytes: UInt64 = 0
    package var responseBody: [UInt8] = []
    package var responseBodyTruncated = false
    package var responseEnd: Timestamp?
    /// The bytes came out of a decrypted TLS stream (the URL is then `https`).
    package var decrypted = false
    package var upgrade: UpgradeSwitch?
    package var messages = BoundedLog<ReportMessage>(head: ReportLimits.headMessages, tail: ReportLimits.tailMessages)
    package var findings: [Finding] = []
    /// HTTP/2: the stream was reset or did not finish.
    package var reset: UInt32?
    package var unfinished = false

    package var isHTTP2: Bool { stream != nil }
}
