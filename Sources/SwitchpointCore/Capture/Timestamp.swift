/// A capture timestamp in nanoseconds since the Unix epoch.
///
/// libpcap is opened with nanosecond precision so that microsecond and nanosecond files
/// land on one scale; all comparisons (idle expiry, ordering) use capture time, never the
/// wall clock.
package struct Timestamp: Hashable, Comparable, Sendable {
    package var nanoseconds: Int64

    package init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    package init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    package static let zero = Timestamp(nanoseconds: 0)

    /// Epoch seconds as a floating-point value (what JSON lines carry).
    package var seconds: Double { Double(nanoseconds) / 1e9 }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    package func seconds(since earlier: Timestamp) -> Double {
        Double(nanoseconds &- earlier.nanoseconds) / 1e9
    }

    /// Milliseconds from `earlier` to `self`.
    package func milliseconds(since earlier: Timestamp) -> Double {
        Double(nanoseconds &- earlier.nanoseconds) / 1e6
    }

    /// Nanoseconds from `earlier` to `self`; wrapping, since capture files may carry any
    /// timestamp (a pcapng `tv_sec` far in the future must not trap).
    package func nanoseconds(since earlier: Timestamp) -> Int64 {
        nanoseconds &- earlier.nanoseconds
    }

    package func adding(nanoseconds delta: Int64) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds &+ delta)
    }
}
