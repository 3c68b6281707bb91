import Foundation

/// Live capture: key log files that grow while switchpoint runs (browsers append a
/// connection's secrets as it connects). A lookup that misses re-reads what was appended
/// since the last read, at most once per `minimumInterval`; offline nothing is followed.
/// Shared by every connection's session (a class, under a lock: lookups may come from the
/// analysis thread while the capture thread runs).
package final class TLSKeyLogFollower: @unchecked Sendable {
    /// Named limit: re-reads happen at most this often, and only after a lookup missed.
    package static let minimumIntervalNanoseconds: UInt64 = 200_000_000
    /// Named limit: bytes read from one file per re-read (a connection adds a few hundred).
    static let maxReadBytes = 16 << 20

    private struct File {
        let path: String
        /// Where the next read starts: after the last whole line read so far.
        var offset: UInt64
    }

    private let lock = NSLock()
    private var files: [File]
    private var appended = TLSKeyLog()
    private var lastRead: UInt64?
    private let now: @Sendable () -> UInt64

    /// `paths` with the offset already read (what `TLSKeyLog.add(contentsOf:)` returned).
    package init(
        paths: [(path: String, offset: UInt64)],
        now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) {
        files = paths.map { File(path: $0.path, offset: $0.offset) }
        self.now = now
    }

    private var rereadCount = 0

    /// Re-reads done so far (for tests of the rate bound).
    package var rereads: Int {
        lock.lock()
        defer { lock.unlock() }
        return rereadCount
    }

    /// What the files gained since they were first read, for this client random.
    func secrets(clientRandom: [UInt8]) -> TLSClientSecrets? {
        lock.lock()
        defer { lock.unlock() }
        return appended.secrets(clientRandom: clientRandom)
    }

    /// Reads what was appended, unless the last read was less than the interval ago.
    func reread() {
        lock.lock()
        defer { lock.unlock() }
        let time = now()
        if let lastRead, time &- lastRead < Self.minimumIntervalNanoseconds { return }
        lastRead = time
        rereadCount += 1
        for index in files.indices {
            readAppended(&files[index])
        }
    }

    private func readAppended(_ file: inout File) {
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return }
        // A file that shrank was truncated or replaced: read it again from the start.
        if size < file.offset { file.offset = 0 }
        guard size > file.offset, (try? handle.seek(toOffset: file.offset)) != nil,
            let data = try? handle.read(upToCount: Self.maxReadBytes), !data.isEmpty
        else { return }
        // Only whole lines: the writer may be in the middle of one.
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return }
        let whole = data[data.startIndex...lastNewline]
        appended.add(text: String(decoding: whole, as: UTF8.self), source: file.path)
        file.offset += UInt64(whole.count)
    }
}
