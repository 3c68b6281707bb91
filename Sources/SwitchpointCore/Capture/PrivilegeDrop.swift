#if canImport(Glibc)
    import Glibc
#endif

/// `-Z USER`: after the interface (and the `-w` file) is open, run as USER, as tcpdump does.
package enum PrivilegeDrop {
    package enum Failure: Error, CustomStringConvertible {
        case unknownUser(String)
        case failed(String, Int32)

        package var description: String {
            switch self {
            case .unknownUser(let user): "-Z: no such user \(TerminalText.escape(user))"
            case .failed(let step, let code): "-Z: \(step) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    package static func switchUser(to user: String) throws(Failure) {
        guard let entry = getpwnam(user) else { throw .unknownUser(user) }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        guard initgroups(user, gid) == 0 else { throw .failed("initgroups", errno) }
        guard setgid(gid) == 0 else { throw .failed("setgid", errno) }
        guard setuid(uid) == 0 else { throw .failed("setuid", errno) }
        // Make sure there is no way back.
        if setuid(0) == 0 && uid != 0 { throw .failed("dropping root for good", EPERM) }
    }
}
