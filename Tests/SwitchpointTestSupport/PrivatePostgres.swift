import Foundation
import Testing

/// A private PostgreSQL cluster for one test (scripts/pg-private-cluster): initdb in a
/// temporary folder, a loopback port, stopped by its PID when the test ends.
final class PrivatePostgres {
    static let script = TestEnvironment.projectRoot.appendingPathComponent("scripts/pg-private-cluster")
    /// PostgreSQL will not run as root; the script runs it as `postgres` (Debian's package user).
    static var canRun: Bool { getuid() == 0 }
    static let skipReason: Comment = "needs root (the private cluster runs as the postgres user): skipped"

    let directory: URL
    let port: Int
    var url: String { "postgres://switchpoint@127.0.0.1:\(port)/switchpoint?sslmode=disable" }

    init() throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("switchpoint-pg-\(UUID().uuidString.prefix(8))")
        port = try Self.freeLoopbackPort()
        let started = try run("start", String(port))
        #expect(started.status == 0, "pg-private-cluster start failed: \(started.errorText)")
        guard started.status == 0 else { throw PostgresTestError(description: started.errorText) }
    }

    deinit {
        _ = try? run("stop")
        try? FileManager.default.removeItem(at: directory)
    }

    @discardableResult
    func run(_ action: String, _ arguments: String...) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(
            URL(fileURLWithPath: "/bin/bash"), [Self.script.path, action, directory.path] + arguments,
            timeoutSeconds: 60)
    }

    /// Rows of a query as tab-separated fields (psql -At).
    func query(_ sql: String) throws -> [[String]] {
        let psql = try TestEnvironment.requiredTool("psql", package: "postgresql")
        let result = try TestEnvironment.run(
            psql,
            [
                "-h", "127.0.0.1", "-p", String(port), "-U", "switchpoint", "-d", "switchpoint",
                "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql,
            ])
        #expect(result.status == 0, "psql failed: \(result.errorText)")
        return result.text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func count(_ table: String) throws -> Int {
        Int(try query("SELECT count(*) FROM \(table)").first?.first ?? "") ?? -1
    }

    /// A port nobody listens on, from the kernel (bind to port 0, read it back, release it).
    static func freeLoopbackPort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw PostgresTestError(description: "socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(socketDescriptor, pointer, length) == 0 && getsockname(socketDescriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw PostgresTestError(description: "bind to 127.0.0.1:0 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct PostgresTestError: Error, CustomStringConvertible {
    var description: String
}
