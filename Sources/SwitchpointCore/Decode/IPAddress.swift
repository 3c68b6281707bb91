/// An IPv4 or IPv6 address held in two words, so flow keys hash and compare without
/// allocating. IPv4 addresses live in the low 32 bits of `low`.
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    package var high: UInt64
    package var low: UInt64
    package var isIPv6: Bool

    package init(ipv4 value: UInt32) {
        high = 0
        low = UInt64(value)
        isIPv6 = false
    }

    package init(ipv6High high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isIPv6 = true
    }

    /// Parses dotted IPv4 or IPv6 text (used by tests and command-line options).
    package init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let words = Self.parseIPv6(String(text)) else { return nil }
            self.init(ipv6High: words.0, low: words.1)
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard let octet = UInt8(part) else { return nil }
                value = value << 8 | UInt32(octet)
            }
            self.init(ipv4: value)
        }
    }

    package var description: String {
        isIPv6 ? ipv6Text : ipv4Text
    }

    private var ipv4Text: String {
        let value = UInt32(truncatingIfNeeded: low)
        return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// RFC 5952 text: lower-case hex, the longest run (2+) of zero groups as `::`.
    private var ipv6Text: String {
        var groups = [UInt16](repeating: 0, count: 8)
        for index in 0..<4 {
            groups[index] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(index)))
            groups[index + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(index)))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                let length = index - runStart
                if length > bestLength && length >= 2 {
                    bestStart = runStart
                    bestLength = length
                }
                runStart = -1
            }
        }
        // IPv4-mapped addresses (::ffff:a.b.c.d) read better in their mixed form.
        if high == 0 && low >> 32 == 0xffff {
            return "::ffff:" + IPAddress(ipv4: UInt32(truncatingIfNeeded: low)).description
        }
        var text = ""
        var index = 0
        while index < 8 {
            if index == bestStart {
                text += "::"
                index += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[index], radix: 16)
            index += 1
        }
        return text
    }

    private static func parseIPv6(_ text: String) -> (UInt64, UInt64)? {
        // Split at the one permitted "::".
        var halves: [String] = []
        let characters = Array(text)
        var index = 0
        var current = ""
        while index < characters.count {
            if characters[index] == ":", index + 1 < characters.count, characters[index + 1] == ":" {
                halves.append(current)
                current = ""
                index += 2
            } else {
                current.append(characters[index])
                index += 1
            }
        }
        halves.append(current)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 {
            high = high << 16 | UInt64(all[index])
            low = low << 16 | UInt64(all[index + 4])
        }
        return (high, low)
    }
}

/// An address and a TCP port.
package struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    package var address: IPAddress
    package var port: UInt16

    package init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `ip:port`, IPv6 as `[ip]:port`.
    package var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
