/// A capture timestamp in nanoseconds since the Unix epoch.
///
/// libpcap is opened with nanosecond precision so that microsecond and nanosecond files
/// land on one scale; all comparisons (idle expiry, ordering) use capture time, never the
/// wall clock.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    public static let zero = Timestamp(nanoseconds: 0)

    /// Epoch seconds as a floating-point value (what JSON lines carry).
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    public func seconds(since earlier: Timestamp) -> Double {
        Double(nanoseconds &- earlier.nanoseconds) / 1e9
    }

    /// Milliseconds from `earlier` to `self`.
    public func milliseconds(since earlier: Timestamp) -> Double {
        Double(nanoseconds &- earlier.nanoseconds) / 1e6
    }

    /// Nanoseconds from `earlier` to `self`; wrapping, since capture files may carry any
    /// timestamp (a pcapng `tv_sec` far in the future must not trap).
    public func nanoseconds(since earlier: Timestamp) -> Int64 {
        nanoseconds &- earlier.nanoseconds
    }

    public func adding(nanoseconds delta: Int64) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds &+ delta)
    }
}
