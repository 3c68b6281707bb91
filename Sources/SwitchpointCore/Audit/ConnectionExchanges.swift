/// The exchanges of one open connection as the audit builds them: HTTP/1 requests in
/// order (answers matched first in, first out, as pipelining requires), HTTP/2 streams by
/// number, and the exchange whose switch carries the bytes that follow.
struct ConnectionExchanges {
    let file: Int
    let connection: ConnectionID
    let client: Endpoint
    let server: Endpoint
    private(set) var records: [ExchangeRecord] = []
    /// HTTP/1 requests not answered yet (indices into `records`).
    private var awaiting: [Int] = []
    /// The last HTTP/1 request answered: its body and switch come next.
    private var answered: Int?
    /// The exchange that switched: WebSocket frames after it are its.
    private var tunnel: Int?
    private var streams: [UInt32: Int] = [:]
    var tls: TLSLegStatus?
    /// Answers from this status on keep the start of their body.
    static let minimumStatusKeepingBody = 400

    init(file: Int, connection: ConnectionID, client: Endpoint, server: Endpoint) {
        self.file = file
        self.connection = connection
        self.client = client
        self.server = server
    }

    private func newRecord() -> ExchangeRecord {
        var record = ExchangeRecord(
            file: file, connection: connection, exchange: records.count + 1, client: client, server: server)
        record.decrypted = tls?.decrypted ?? false
        return record
    }

    /// Requests and streams past `AuditLimits.maxExchangesPerConnection`, not kept.
    private(set) var exchangesNotKept = 0

    /// Whether another exchange may be kept; counts it when not.
    private mutating func roomForExchange() -> Bool {
        guard records.count < AuditLimits.maxExchangesPerConnection else {
            exchangesNotKept += 1
            return false
        }
        return true
    }

    mutating func request(_ head: HTTPRequestHead, at time: Timestamp) {
        guard roomForExchange() else { return }
        var record = newRecord()
        record.request = head
        record.requestTime = time
        awaiting.append(records.count)
        records.append(record)
    }

    mutating func response(_ head: HTTPResponseHead, at time: Timestamp) {
        guard !head.isInterim, !awaiting.isEmpty else { return }
        let index = awaiting.removeFirst()
        records[index].response = head
        records[index].responseTime = time
        answered = index
    }

    /// Only error answers keep their body's start (a proxy's own page is evidence); the
    /// rest only count, so a record stays small whatever the traffic.
    mutating func responseBody(_ kept: [UInt8], length: UInt64) {
        guard let answered, records[answered].responseBodyLength == 0 else { return }
        guard (records[answered].response?.status ?? 0) >= Self.minimumStatusKeepingBody else {
            records[answered].responseBodyLength = length
            return
        }
        records[answered].responseBody = Array(kept.prefix(AuditLimits.maxBodyPreviewBytes))
        records[answered].responseBodyLength = length
    }

    mutating func switched(_ upgrade: UpgradeSwitch) {
        guard let index = answered ?? records.indices.last else { return }
        records[index].upgraded = upgrade.protocolName.lowercasedASCII
        records[index].switchOffsets = PerDirection(
            clientToServer: upgrade.clientToServerOffset, serverToClient: upgrade.serverToClientOffset)
        tunnel = index
    }

    mutating func headers(_ block: HTTP2HeaderBlock, direction: Direction?, at time: Timestamp) {
        guard !block.unreliable, let direction else { return }
        func pseudo(_ name: String) -> String? { block.fields.first { $0.name == name }?.value }
        let regular = block.fields.filter { !$0.name.hasPrefix(":") }
        switch direction {
        case .clientToServer:
            guard streams[block.stream] == nil, let method = pseudo(":method"), roomForExchange() else { return }
            var record = newRecord()
            record.stream = block.stream
            record.authority = pseudo(":authority")
            record.connectProtocol = pseudo(":protocol")
            let target = pseudo(":path") ?? pseudo(":authority") ?? ""
            record.request = HTTPRequestHead(
                method: method, target: target, version: "HTTP/2", headers: HTTPHeaders(regular))
            record.requestTime = time
            streams[block.stream] = records.count
            records.append(record)
        case .serverToClient:
            guard let index = streams[block.stream], records[index].response == nil,
                let status = pseudo(":status").flatMap({ Int($0) })
            else { return }
            let head = HTTPResponseHead(
                version: "HTTP/2", status: status, reason: "", headers: HTTPHeaders(regular),
                requestMethod: records[index].request?.method)
            guard !head.isInterim else { return }
            records[index].response = head
            records[index].responseTime = time
            if (200...299).contains(status), let name = records[index].connectProtocol ?? connectTunnelName(index) {
                records[index].upgraded = name.lowercasedASCII
            }
        }
    }

    private func connectTunnelName(_ index: Int) -> String? {
        records[index].request?.method == "CONNECT" ? "connect-tunnel" : nil
    }

    mutating func streamEnded(_ summary: HTTP2StreamSummary, at time: Timestamp) {
        guard let index = streams[summary.stream] else { return }
        records[index].closedAt = time
        if records[index].responseBodyLength == 0,
            (records[index].response?.status ?? 0) >= Self.minimumStatusKeepingBody
        {
            records[index].responseBody = Array(summary.responseBody.prefix(AuditLimits.maxBodyPreviewBytes))
            records[index].responseBodyLength = summary.responseBodyBytes
        }
    }

    /// Runs `body` on the exchange an event of `stream` (or of the switched bytes) is
    /// about: the stream's, else the one that switched, else the latest.
    mutating func withTarget(stream: UInt32?, _ body: (inout ExchangeRecord) -> Void) {
        let index = stream.flatMap { streams[$0] } ?? tunnel ?? records.indices.last
        guard let index else { return }
        body(&records[index])
    }

    mutating func closed(_ summary: ConnectionSummary, ending: LegEnding) {
        for index in records.indices {
            records[index].closeReason = summary.reason
            records[index].ending = ending
            if records[index].closedAt == nil { records[index].closedAt = summary.end }
            // Decrypted offsets are not TCP offsets: no tunnel byte count for them.
            if let offsets = records[index].switchOffsets, !records[index].decrypted {
                records[index].tunnelBytes = PerDirection(
                    clientToServer: summary.clientToServer.deliveredBytes.subtractingClamped(offsets.clientToServer),
                    serverToClient: summary.serverToClient.deliveredBytes.subtractingClamped(offsets.serverToClient))
            }
        }
    }
}

extension UInt64 {
    fileprivate func subtractingClamped(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
