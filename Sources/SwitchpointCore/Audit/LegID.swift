/// One leg of a proxied exchange: a connection of one capture file (`file:conn` when
/// printed; the audit's findings name legs by it).
public struct LegID: Hashable, Sendable, CustomStringConvertible {
    /// The capture's position among the audit's inputs.
    public var file: Int
    public var connection: ConnectionID

    public init(file: Int, connection: ConnectionID) {
        self.file = file
        self.connection = connection
    }

    public init(_ record: ExchangeRecord) {
        self.init(file: record.file, connection: record.connection)
    }

    public var description: String { "\(file):\(connection)" }
}
