/// What the HTML report and the HAR export keep, whatever the capture: memory and file
/// size grow with these numbers, never with the traffic (README "HTML report" lists them).
package enum ReportLimits {
    /// Connections recorded in detail (exchanges, messages, diagram); later ones are only
    /// counted in the header's totals and, up to `maxListedConnections`, listed in the table.
    package static let maxDetailedConnections = 1000
    /// Rows of the connection table; beyond it connections are counted, not listed.
    package static let maxListedConnections = 10_000
    /// Messages (WebSocket data and control frames, raw chunks) kept per connection and per
    /// exchange: the first ones and the last ones; those between are counted as elided.
    package static let headMessages = 100
    package static let tailMessages = 100
    /// HTTP exchanges (HTTP/1.x request/response pairs, HTTP/2 streams) kept per connection,
    /// first and last; those between are counted.
    package static let headExchanges = 200
    package static let tailExchanges = 50
    /// HTTP/2 connection-level frames (SETTINGS, PING, GOAWAY, WINDOW_UPDATE) drawn per
    /// connection, first and last; a long download sends a WINDOW_UPDATE every few frames.
    package static let headControlFrames = 50
    package static let tailControlFrames = 50
    /// Handshakes, findings, gaps and closes drawn per connection (the first ones).
    package static let maxLandmarksPerConnection = 300
    /// HTTP/1.x requests waiting for their answer per connection (pipelining); beyond it a
    /// request is kept without one.
    package static let maxAwaitingResponses = 64
    /// HTTP/2 streams waiting for their end per connection.
    package static let maxOpenStreams = 256
    /// Payload bytes kept per message. With `--payload preview` the dissector keeps less
    /// already; with `--payload full` a HAR message holds at most this much.
    package static let payloadBytes = 64 * 1024
    /// Payload bytes kept over the whole run: past this, each further message keeps only
    /// `payloadBytesPastBudget` (a thousand connections of big messages stay bounded).
    package static let payloadBudgetBytes = 64 * 1024 * 1024
    package static let payloadBytesPastBudget = 128
    /// HTTP body bytes kept per request or response for the HAR's `postData`/`content`
    /// (counted against the same budget). With `--payload preview` the dissectors keep
    /// `HTTPBodyOptions.previewBytes` already; with `--payload full` a body holds at most this.
    package static let bodyBytes = 1024 * 1024
    /// Payload bytes shown per message in the HTML report (the click-to-see preview).
    package static let htmlPreviewBytes = 512
    /// Application events named on one message's arrow (a batch can hold many).
    package static let maxApplicationLabelsPerMessage = 16
    /// The HTML file stops drawing diagrams past this size (the table and totals are
    /// always written): a 1 GB capture still gives a page a browser opens quickly.
    package static let htmlDiagramBudgetBytes = 10 * 1024 * 1024
}
