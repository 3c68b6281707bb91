/// One leg of a proxied exchange: an exchange on a connection of one capture file
/// (`file:conn` when printed, `file:conn#2` for the second request of a keep-alive
/// connection, `file:conn/s3` for HTTP/2 stream 3; the audit's findings name legs by it).
package struct LegID: Hashable, Sendable, CustomStringConvertible {
    /// The capture's position among the audit's inputs.
    package var file: Int
    package var connection: ConnectionID
    /// The request's place on its connection (1 = the first).
    package var exchange: Int
    package var stream: UInt32?

    package init(file: Int, connection: ConnectionID, exchange: Int = 1, stream: UInt32? = nil) {
        self.file = file
        self.connection = connection
        self.exchange = exchange
        self.stream = stream
    }

    package init(_ record: ExchangeRecord) {
        self.init(file: record.file, connection: record.connection, exchange: record.exchange, stream: record.stream)
    }

    package var description: String {
        if let stream { return "\(file):\(connection)/s\(stream)" }
        return exchange > 1 ? "\(file):\(connection)#\(exchange)" : "\(file):\(connection)"
    }
}
