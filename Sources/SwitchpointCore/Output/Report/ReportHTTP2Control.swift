/// A connection-level HTTP/2 frame the sequence diagram draws (the streams' own frames are
/// the waterfall's): wire values raw, escaped by the HTML writer.
package enum ReportHTTP2Control: Sendable {
    case settings(ack: Bool, values: [(identifier: UInt16, value: UInt32)])
    case ping(ack: Bool, roundTripMilliseconds: Double?)
    case goAway(lastStream: UInt32, error: UInt32, debug: String)
    /// Any other frame on stream 0: WINDOW_UPDATE (with its increment), ORIGIN, unknown types.
    case frame(type: UInt8, length: Int, windowIncrement: UInt32?)
}
