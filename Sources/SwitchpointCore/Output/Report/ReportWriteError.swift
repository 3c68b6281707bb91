#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An export could not be written: which, where, and the system's reason.
package struct ReportWriteError: Error, CustomStringConvertible {
    package var what: String
    package var path: String
    package var errno: Int32

    package var description: String {
        "cannot write the \(what) to \(path): \(String(cString: strerror(errno)))"
    }
}
