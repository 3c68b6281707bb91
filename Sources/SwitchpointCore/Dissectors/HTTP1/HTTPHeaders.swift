/// One header field as it appeared on the wire (name case kept).
package struct HTTPField: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in wire order; lookups ignore case, lists follow RFC 9110 §5.6.1.
package struct HTTPHeaders: Sendable, Equatable {
    package var fields: [HTTPField] = []

    package init(_ fields: [HTTPField] = []) {
        self.fields = fields
    }

    package func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// All values joined as one comma list (repeated headers combine, §5.3).
    package func combined(_ name: String) -> String? {
        let all = values(name)
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }

    package func contains(_ name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The comma-separated elements of every `name` header, trimmed, empty ones dropped,
    /// case kept (callers compare case-insensitively where the grammar says so).
    package func listElements(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }
            .map { $0.trimmingOWS }
            .filter { !$0.isEmpty }
    }

    /// Whether a token list (e.g. `Connection`) holds `token`, case-insensitively.
    package func listContains(_ name: String, token: String) -> Bool {
        listElements(name).contains { $0.lowercasedASCII == token.lowercasedASCII }
    }
}

package struct HTTPRequestHead: Sendable, Equatable {
    package var method: String
    package var target: String
    package var version: String
    package var headers: HTTPHeaders

    package var isHTTP10: Bool { version == "HTTP/1.0" }

    /// The protocols an `Upgrade` header offers, in preference order.
    package var offeredProtocols: [String] { headers.listElements("Upgrade") }
    /// `Connection` names `upgrade`, as RFC 9110 §7.8 requires for an upgrade request.
    package var connectionUpgrade: Bool { headers.listContains("Connection", token: "upgrade") }
}

package struct HTTPResponseHead: Sendable, Equatable {
    package var version: String
    package var status: Int
    package var reason: String
    package var headers: HTTPHeaders
    /// The method of the request this answers, when known (HEAD and CONNECT change framing).
    package var requestMethod: String?

    package var isInterim: Bool { (100...199).contains(status) && status != 101 }
}

extension StringProtocol {
    /// Case-insensitive equality for ASCII letters, without building lower-cased copies.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a != b && Self.foldedASCII(a) != Self.foldedASCII(b) { return false }
            default: return false
            }
        }
    }

    private static func foldedASCII(_ byte: UInt8) -> UInt8 {
        (0x41...0x5a).contains(byte) ? byte + 0x20 : byte
    }

    /// ASCII-only lower-casing: header names and tokens are ASCII, and this avoids the
    /// Unicode machinery of `lowercased()`.
    var lowercasedASCII: String {
        String(decoding: utf8.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Drops optional white space (SP / HTAB) at both ends.
    var trimmingOWS: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
