/// Human timestamps without Foundation, written straight into an output buffer: UTC
/// calendar time with microseconds, relative seconds, short durations.
enum TimestampText {
    /// `2026-11-21 23:40:01.123456 UTC`
    static func utc(_ timestamp: Timestamp) -> String {
        string { $0.append(utc: timestamp) }
    }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civil(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthPrime + 2) / 5 + 1)
        let month = Int(monthPrime < 10 ? monthPrime + 3 : monthPrime - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `+1.234567` seconds relative to `origin`.
    static func relative(_ timestamp: Timestamp, to origin: Timestamp) -> String {
        string { $0.append(relative: timestamp, to: origin) }
    }

    /// `1.8 ms`, `312 µs`, `2.41 s`.
    static func duration(milliseconds: Double) -> String {
        string { $0.append(duration: milliseconds) }
    }

    private static func string(_ write: (OutputBuffer) -> Void) -> String {
        let buffer = OutputBuffer(capacity: 64)
        write(buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}

extension OutputBuffer {
    /// Relative times below this many nanoseconds (about 13 days) are exact as doubles, so
    /// the integer path of `append(relative:to:)` prints what the double path would.
    static let exactRelativeNanoseconds: UInt64 = 1 << 50

    /// `2026-11-21 23:40:01.123456 UTC`
    func append(utc timestamp: Timestamp) {
        append(dateTime: timestamp)
        append(" UTC")
    }

    /// `2026-11-21 23:40:01.123456` (UTC, as tcpdump -tttt prints local time); with
    /// `separator: "T"` the date and time of ISO 8601 (the HAR's, which adds the `Z`).
    func append(dateTime timestamp: Timestamp, separator: UInt8 = UInt8(ascii: " ")) {
        let micros = timestamp.nanoseconds / 1000
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = TimestampText.civil(fromDays: days)
        append(decimal: year)
        append(UInt8(ascii: "-"))
        append(zeroPadded: month, width: 2)
        append(UInt8(ascii: "-"))
        append(zeroPadded: day, width: 2)
        append(separator)
        append(zeroPadded: Int(secondOfDay / 3600), width: 2)
        append(UInt8(ascii: ":"))
        append(zeroPadded: Int(secondOfDay / 60 % 60), width: 2)
        append(UInt8(ascii: ":"))
        append(zeroPadded: Int(secondOfDay % 60), width: 2)
        append(UInt8(ascii: "."))
        append(zeroPadded: Int(fraction), width: 6)
    }

    /// `+1.234567` seconds from `origin` (a minus sign when earlier).
    func append(relative timestamp: Timestamp, to origin: Timestamp) {
        // Whole microseconds apart (every line of a microsecond capture): in integers, the
        // digits the floating-point path below gives them, at a fraction of its cost.
        let nanoseconds = timestamp.nanoseconds &- origin.nanoseconds
        if nanoseconds % 1000 == 0, nanoseconds.magnitude < Self.exactRelativeNanoseconds {
            let micros = nanoseconds / 1000
            append(UInt8(ascii: micros < 0 ? "-" : "+"))
            append(decimal: micros.magnitude / 1_000_000)
            append(UInt8(ascii: "."))
            append(fixedDigits: micros.magnitude % 1_000_000, width: 6)
            return
        }
        let delta = timestamp.seconds(since: origin)
        if !(delta < 0) { append(UInt8(ascii: "+")) }
        append(fixed: delta, decimals: 6)
    }

    /// `1.8 ms`, `312 µs`, `2.41 s`.
    func append(duration milliseconds: Double) {
        if milliseconds < 1 {
            append(fixed: milliseconds * 1000, decimals: 0)
            append(" µs")
        } else if milliseconds < 1000 {
            append(fixed: milliseconds, decimals: milliseconds < 10 ? 2 : 1)
            append(" ms")
        } else {
            append(fixed: milliseconds / 1000, decimals: 2)
            append(" s")
        }
    }

    /// Epoch seconds with microsecond precision, from integers so that large epoch values
    /// keep every digit.
    func append(epochSeconds timestamp: Timestamp) {
        let micros = timestamp.nanoseconds / 1000
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        if micros < 0 && fraction != 0 {
            append(UInt8(ascii: "-"))
            append(decimal: -(micros / 1_000_000))
            append(UInt8(ascii: "."))
            append(zeroPadded: Int(-fraction), width: 6)
        } else {
            append(decimal: seconds)
            append(UInt8(ascii: "."))
            append(fixedDigits: UInt64(fraction), width: 6)
        }
    }
}
