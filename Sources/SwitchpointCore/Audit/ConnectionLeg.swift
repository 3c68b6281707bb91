/// One TCP connection of a capture in brief: its endpoints, times and byte counts, how it
/// ended and how many HTTP exchanges the audit read on it.
package struct ConnectionLeg: Sendable {
    package var file: Int
    package var connection: ConnectionID
    package var client: Endpoint
    package var server: Endpoint
    package var start: Timestamp
    package var ending: LegEnding
    /// Bytes delivered each way.
    package var bytes: PerDirection<UInt64>
    package var exchanges: Int

    init(file: Int, _ summary: ConnectionSummary, ending: LegEnding, exchanges: Int) {
        self.file = file
        connection = summary.connection
        client = summary.client
        server = summary.server
        start = summary.start
        self.ending = ending
        bytes = PerDirection(
            clientToServer: summary.clientToServer.deliveredBytes, serverToClient: summary.serverToClient.deliveredBytes
        )
        self.exchanges = exchanges
    }

    package var label: LegID { LegID(file: file, connection: connection) }
}
