import Glibc

/// Reads the records of a classic pcap file straight out of memory-mapped windows of the
/// file: no copy into libpcap's buffer and no `fread` per record (reading was a third of
/// the reading thread on a 1 GB capture). Only what libpcap would return unchanged is
/// read here: a file in this machine's byte order (no header swapping) and records whose
/// captured length fits the file's snapshot length and the file. At anything else
/// (`irregular`) the caller hands the rest of the file, from that record on, back to
/// libpcap, which then reports or handles it exactly as it always has.
///
/// The mapping slides: one window of the file is mapped at a time, so resident memory
/// stays small however large the file is.
final class MappedPcapRecords {
    /// What `next()` found.
    enum Record {
        /// One record; `data` stays valid until the next call.
        case packet(seconds: Int64, nanoseconds: Int64, captured: Int, original: Int, data: UnsafeRawPointer)
        /// The end of the file, exactly at a record boundary.
        case end
        /// A record this reader leaves to libpcap, starting at this file offset.
        case irregular(offset: Int)
    }

    /// The magic numbers of classic pcap in this machine's byte order (the file's first
    /// four bytes read as a native integer): microsecond and nanosecond timestamps.
    struct Magic: Equatable {
        let rawValue: UInt32
        static let microseconds = Magic(rawValue: 0xA1B2_C3D4)
        static let nanoseconds = Magic(rawValue: 0xA1B2_3C4D)
    }

    /// Sizes of the file header and of a record header (pcap file format).
    static let fileHeaderSize = 24
    static let recordHeaderSize = 16
    /// The snapshot-length field's offset in the file header.
    static let snaplenOffset = 16
    /// libpcap's largest snapshot length for ordinary link types: a record claiming more
    /// is its error to report.
    static let largestSnaplen = 262_144
    /// Bytes mapped at once. A window starts at the page of the first record that did not
    /// fit the previous one, so it must hold the largest record plus a page.
    static let windowSize = 8 << 20

    private let descriptor: Int32
    private let fileSize: Int
    private let snaplen: Int
    private let nanosecondTimestamps: Bool
    private let pageSize: Int
    private var window: UnsafeMutableRawPointer?
    private var windowStart = 0
    private var windowLength = 0
    /// The file offset of the next record: the bytes read so far.
    private(set) var offset = fileHeaderSize

    /// Opens `path` when it is a classic pcap file this reader can take whole; nil otherwise
    /// (pcapng, swapped byte order, a pipe, anything odd: libpcap reads those).
    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        var header = [UInt8](repeating: 0, count: Self.fileHeaderSize)
        let headerRead = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Self.fileHeaderSize, 0) }
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
            headerRead == Self.fileHeaderSize
        else {
            close(descriptor)
            return nil
        }
        let magic = Magic(rawValue: header.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        let snaplen = Int(
            header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: Self.snaplenOffset, as: UInt32.self) })
        guard magic == .microseconds || magic == .nanoseconds, (1...Self.largestSnaplen).contains(snaplen) else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.fileSize = Int(status.st_size)
        self.snaplen = snaplen
        self.nanosecondTimestamps = magic == .nanoseconds
        self.pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
    }

    deinit {
        unmapWindow()
        close(descriptor)
    }

    func next() -> Record {
        guard offset + Self.recordHeaderSize <= fileSize else {
            return offset == fileSize ? .end : .irregular(offset: offset)
        }
        guard offset + Self.recordHeaderSize <= windowStart + windowLength || mapWindow(at: offset),
            let window
        else {
            return .irregular(offset: offset)
        }
        let record = UnsafeRawPointer(window) + (offset - windowStart)
        let seconds = record.loadUnaligned(as: UInt32.self)
        let fraction = record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let captured = Int(record.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let original = Int(record.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let end = offset + Self.recordHeaderSize + captured
        guard captured <= snaplen, end <= fileSize else { return .irregular(offset: offset) }
        if end > windowStart + windowLength {
            guard mapWindow(at: offset), let moved = self.window else { return .irregular(offset: offset) }
            return packet(
                at: UnsafeRawPointer(moved) + (offset - windowStart), seconds: seconds, fraction: fraction,
                captured: captured, original: original, end: end)
        }
        return packet(
            at: record, seconds: seconds, fraction: fraction, captured: captured, original: original, end: end)
    }

    private func packet(
        at record: UnsafeRawPointer, seconds: UInt32, fraction: UInt32, captured: Int, original: Int,
        end: Int
    ) -> Record {
        offset = end
        let nanoseconds = nanosecondTimestamps ? Int64(fraction) : Int64(fraction) * 1000
        return .packet(
            seconds: Int64(seconds), nanoseconds: nanoseconds, captured: captured, original: original,
            data: record + Self.recordHeaderSize)
    }

    /// Maps the window that holds the record at `recordOffset` whole (when the file does).
    private func mapWindow(at recordOffset: Int) -> Bool {
        unmapWindow()
        let start = recordOffset - recordOffset % pageSize
        let length = min(Self.windowSize, fileSize - start)
        guard length > 0 else { return false }
        // MAP_POPULATE: the window's pages are mapped in one call rather than one fault each.
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, off_t(start))
        guard let mapped, mapped != MAP_FAILED else { return false }
        window = mapped
        windowStart = start
        windowLength = length
        return true
    }

    private func unmapWindow() {
        if let window { munmap(window, windowLength) }
        window = nil
        windowLength = 0
    }
}
