/// One leg of a proxied exchange: a connection of one capture file (`file:conn` when
/// printed; the audit's findings name legs by it).
package struct LegID: Hashable, Sendable, CustomStringConvertible {
    /// The capture's position among the audit's inputs.
    package var file: Int
    package var connection: ConnectionID

    package init(file: Int, connection: ConnectionID) {
        self.file = file
        self.connection = connection
    }

    package init(_ record: ExchangeRecord) {
        self.init(file: record.file, connection: record.connection)
    }

    package var description: String { "\(file):\(connection)" }
}
