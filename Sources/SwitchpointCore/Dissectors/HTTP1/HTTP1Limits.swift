/// Bounds of the HTTP/1 parser; over one, the rest of the direction is shown as raw bytes
/// rather than misparsed.
package struct HTTP1Limits: Sendable {
    /// Longest start line or header line (request lines with huge query strings exist;
    /// 16 KiB covers what servers accept by default).
    package var maxLineLength = 16 * 1024
    package var maxHeaderCount = 256
    /// All header lines of one message together.
    package var maxHeaderBytes = 128 * 1024
    /// Client bytes held after an upgrade request while the server's verdict is pending.
    package var maxPendingClientBytes = 256 * 1024
    /// Pipelined requests waiting for their responses; beyond it the oldest is forgotten.
    package var maxPendingRequests = 1024

    package init() {}
}
