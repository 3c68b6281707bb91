@testable import SwitchpointCore

/// The audit's split and pairing: each 12-byte record of the input is one exchange
/// (file, server, method and target, key, times, status, a few messages); the first
/// byte picks --front/--back patterns, also parsed from the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let servers = [
        Endpoint(address: IPAddress("10.0.0.2")!, port: 8080), Endpoint(address: IPAddress("10.0.0.3")!, port: 9001),
        Endpoint(address: IPAddress("::1")!, port: 80), Endpoint(address: IPAddress("10.0.0.2")!, port: 9001),
    ]
    let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    let targets = ["/", "/echo", "/a", "/b"]
    let methods = ["GET", "POST"]
    var files: [[ExchangeRecord]] = [[], []]
    var index = 1
    var connection = 0
    while index + 12 <= bytes.count {
        let record = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 12)])
        index += 12
        connection += 1
        let file = Int(record[0] & 1)
        var exchange = ExchangeRecord(
            file: file + 1, connection: connection, client: client, server: servers[Int(record[0] >> 1) & 3])
        var fields = [HTTPField(name: "Host", value: "a")]
        if record[1] & 0x80 != 0 { fields.append(HTTPField(name: "Sec-WebSocket-Key", value: "k\(record[1] & 7)")) }
        if record[1] & 0x40 != 0 {
            fields += [
                HTTPField(name: "Upgrade", value: record[1] & 0x20 != 0 ? "h2c" : "websocket"),
                HTTPField(name: "Connection", value: "Upgrade"),
            ]
        }
        exchange.request = HTTPRequestHead(
            method: methods[Int(record[2] & 1)], target: targets[Int(record[2] >> 1) & 3],
            version: record[2] & 0x80 != 0 ? "HTTP/1.0" : "HTTP/1.1", headers: HTTPHeaders(fields))
        exchange.requestTime = Timestamp(nanoseconds: Int64(record[3]) * 1_000_000)
        if record[4] != 0 {
            exchange.responseTime = Timestamp(nanoseconds: Int64(record[3]) * 1_000_000 + Int64(record[4]) * 100_000)
            let statuses = [101, 200, 400, 502, 504, 426, 101, 101]
            exchange.response = HTTPResponseHead(
                version: "HTTP/1.1", status: statuses[Int(record[5] & 7)], reason: "x", headers: HTTPHeaders())
        }
        if record[5] & 0x80 != 0 { exchange.upgraded = "websocket" }
        for message in 0..<Int(record[6] & 7) {
            let digest = UInt64(record[7 + message % 4])
            exchange.add(
                ExchangeRecord.Message(
                    direction: message & 1 == 0 ? .clientToServer : .serverToClient, length: digest & 3,
                    digest: digest,
                    timestamp: Timestamp(nanoseconds: Int64(record[3]) * 1_000_000 + Int64(message) * 1000)))
        }
        if record[11] & 1 != 0 { exchange.closeFrames.append((.clientToServer, UInt16(record[11]) * 4)) }
        if record[11] & 2 != 0 {
            exchange.closedAt = Timestamp(nanoseconds: Int64(record[3]) * 1_000_000 + Int64(record[11]) * 1_000_000)
        }
        files[file].append(exchange)
    }
    var options = ProxyAuditor.Options()
    let patterns = [nil, ":8080", "[::1]:80", "10.0.0.2:9001", "*:9001", ":99999"]
    options.front = patterns[Int(bytes[0]) % patterns.count]
    options.back = patterns[Int(bytes[0] >> 4) % patterns.count]
    let auditor = ProxyAuditor(options: options)
    let twoFiles = auditor.audit(records: files)
    precondition(twoFiles.pairs.count <= files[0].count + files[1].count, "more pairs than exchanges")
    _ = auditor.audit(records: [files[0] + files[1]])
    // The host:port parser on the raw input.
    _ = HostPort(String(decoding: bytes, as: UTF8.self))
    return 0
}
