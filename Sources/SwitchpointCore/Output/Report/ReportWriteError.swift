#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An export could not be written: which, where, and the system's reason.
public struct ReportWriteError: Error, CustomStringConvertible {
    public var what: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot write the \(what) to \(path): \(String(cString: strerror(errno)))"
    }
}
