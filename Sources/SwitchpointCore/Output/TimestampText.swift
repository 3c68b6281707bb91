/// Human timestamps without Foundation: UTC calendar time with microseconds.
enum TimestampText {
    /// `2026-11-21 23:40:01.123456 UTC`
    static func utc(_ timestamp: Timestamp) -> String {
        let micros = timestamp.nanoseconds / 1000
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        return "\(year)-\(two(month))-\(two(day)) \(two(Int(secondOfDay / 3600))):\(two(Int(secondOfDay / 60 % 60))):\(two(Int(secondOfDay % 60))).\(JSONLine.zeroPadded(Int(fraction), width: 6)) UTC"
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

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `+1.234567` seconds relative to `origin`.
    static func relative(_ timestamp: Timestamp, to origin: Timestamp) -> String {
        let delta = timestamp.seconds(since: origin)
        return (delta < 0 ? "" : "+") + JSONLine.fixed(delta, decimals: 6)
    }

    /// `1.8 ms`, `312 µs`, `2.41 s`.
    static func duration(milliseconds: Double) -> String {
        if milliseconds < 1 { return JSONLine.fixed(milliseconds * 1000, decimals: 0) + " µs" }
        if milliseconds < 1000 { return JSONLine.fixed(milliseconds, decimals: milliseconds < 10 ? 2 : 1) + " ms" }
        return JSONLine.fixed(milliseconds / 1000, decimals: 2) + " s"
    }
}
