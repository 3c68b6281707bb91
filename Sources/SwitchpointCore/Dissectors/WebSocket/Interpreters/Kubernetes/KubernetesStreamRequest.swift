/// What a Kubernetes exec, attach or port-forward request asks for, read from the upgrade
/// request's target: `/api/v1/namespaces/NS/pods/POD/exec?command=sh&command=-c&…`.
package struct KubernetesStreamRequest: Sendable, Equatable {
    /// The subresource: `exec`, `attach` or `portforward`.
    package enum Kind: String, Sendable {
        case exec, attach
        case portForward = "portforward"
    }

    /// Arguments of `command=`, ports of `ports=`: more are counted, not kept.
    package static let maxListItems = 64

    package var kind: Kind
    package var namespace: String?
    package var pod: String?
    package var container: String?
    package var command: [String] = []
    package var stdin: Bool?
    package var tty: Bool?
    /// Port-forward's `ports=` (one query parameter per port, or comma-separated).
    package var ports: [UInt16] = []

    /// Nil unless the path is a pod's exec, attach or portforward subresource.
    package init?(target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let segments = parts[0].split(separator: "/")
        guard let last = segments.last, let kind = Kind(rawValue: String(last)),
            let pods = segments.lastIndex(of: "pods"), pods + 2 == segments.count - 1
        else { return nil }
        self.kind = kind
        pod = Self.percentDecoded(segments[pods + 1])
        if let namespaces = segments.lastIndex(of: "namespaces"), namespaces + 1 < pods {
            namespace = Self.percentDecoded(segments[namespaces + 1])
        }
        if parts.count == 2 { readQuery(parts[1]) }
    }

    private mutating func readQuery(_ query: Substring) {
        for pair in query.split(separator: "&") {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = nameAndValue.count == 2 ? Self.percentDecoded(nameAndValue[1]) : ""
            switch nameAndValue[0] {
            case "command": if command.count < Self.maxListItems { command.append(value) }
            case "container": container = value
            case "stdin": stdin = value == "true" || value == "1"
            case "tty": tty = value == "true" || value == "1"
            case "ports", "port":
                for port in value.split(separator: ",") where ports.count < Self.maxListItems {
                    if let number = UInt16(port) { ports.append(number) }
                }
            default: break
            }
        }
    }

    /// `%XX` and `+` decoded (invalid escapes kept as they are, invalid UTF-8 repaired).
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = HexDigit.value(iterator[iterator.startIndex]),
                let low = HexDigit.value(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

}
