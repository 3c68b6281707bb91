import Foundation
import PostgresNIO

/// Where `--pg URL` sends events: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (`postgresql://` too), `?sslmode=disable|prefer|require|verify-full` (default prefer, as
/// libpq), and `?host=/run/postgresql` or a percent-encoded path as host for a Unix socket.
package struct PostgresTarget: Sendable, CustomStringConvertible {
    package static let defaultPort = 5432

    package var host: String
    package var port: Int
    package var user: String
    var password: String?
    package var database: String?
    package var sslMode: String

    package init(url text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresTargetError(
                description: "--pg takes postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (got something else)")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        host = query["host"] ?? components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? "127.0.0.1"
        if host.isEmpty { host = "127.0.0.1" }
        port = components.port ?? query["port"].flatMap { Int($0) } ?? Self.defaultPort
        guard (1...Int(UInt16.max)).contains(port) else {
            throw PostgresTargetError(description: "--pg: the port must be between 1 and 65535")
        }
        user = components.user ?? query["user"] ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres"
        password = components.password ?? query["password"] ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw PostgresTargetError(description: "--pg: sslmode must be disable, prefer, require or verify-full")
        }
    }

    /// The target without its password (for messages).
    package var description: String {
        "postgres://\(user)@\(host.hasPrefix("/") ? "[\(host)]" : host):\(port)/\(database ?? "")"
    }

    func configuration() throws -> PostgresConnection.Configuration {
        if host.hasPrefix("/") {
            return PostgresConnection.Configuration(
                unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user,
                password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable":
            tls = .disable
        case "verify-full":
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            // libpq's prefer and require encrypt without checking the certificate.
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            tls = sslMode == "require" ? .require(context) : .prefer(context)
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password,
            database: database, tls: tls)
    }
}

package struct PostgresTargetError: Error, CustomStringConvertible {
    package var description: String
}
