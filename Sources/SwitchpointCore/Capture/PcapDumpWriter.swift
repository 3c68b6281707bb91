import CPcap
import Foundation
import NIOConcurrencyHelpers

/// Writes packets to a pcap file with libpcap (`-w`), in the capture handle's link type
/// and timestamp precision, so the file reads back exactly as captured. Fanout workers'
/// capture threads share one (`users`): writes are serialised by a lock, and the file is
/// closed when the last user closes it.
final class PcapDumpWriter: @unchecked Sendable {
    private let dumper: OpaquePointer
    private let nanosecond: Bool
    private var closed = false
    private let lock = NIOLock()
    /// Users that have not closed it yet (guarded by `lock`).
    private var openUsers: Int
    private let path: String
    /// Packets handed to libpcap so far, and the first write error (a full disk, EIO):
    /// reported once, after which nothing more is written (guarded by `lock`).
    private var written: UInt64 = 0
    private var failure: String?

    init(handle: OpaquePointer, path: String, users: Int = 1) throws(CaptureError) {
        openUsers = users
        self.path = path
        guard let dumper = pcap_dump_open(handle, path) else {
            let message = pcap_geterr(handle).map { String(cString: $0) } ?? "unknown error"
            throw .cannotWriteFile(path: path, message: message)
        }
        self.dumper = dumper
        nanosecond = pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO)
    }

    deinit {
        if !closed { pcap_dump_close(dumper) }
    }

    func write(_ packet: RawPacket) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed, failure == nil, let base = packet.bytes.baseAddress else { return }
        let nanoseconds = packet.capture.timestamp.nanoseconds
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(nanoseconds / 1_000_000_000)
        header.ts.tv_usec = Int(nanosecond ? nanoseconds % 1_000_000_000 : nanoseconds % 1_000_000_000 / 1000)
        header.caplen = bpf_u_int32(packet.bytes.count)
        header.len = bpf_u_int32(packet.originalLength)
        pcap_dump(
            UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header,
            base.assumingMemoryBound(to: UInt8.self))
        if let file = pcap_dump_file(dumper), ferror(file) != 0 {
            failure = String(cString: strerror(errno))
        } else {
            written += 1
        }
    }

    func flush() {
        lock.withLock {
            if !closed && failure == nil { checkedFlush() }
        }
    }

    /// A flush that records the error of buffered writes reaching the file.
    private func checkedFlush() {
        if pcap_dump_flush(dumper) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    }

    /// The first write error, once the file is closed (nil: every packet was written).
    var writeError: CaptureError? {
        lock.withLock {
            failure.map { .writeFailed(path: path, packetsWritten: written, message: $0) }
        }
    }

    /// One user is done; the last one closes the file.
    func close() {
        lock.withLock {
            guard !closed else { return }
            openUsers -= 1
            guard openUsers <= 0 else {
                checkedFlush()
                return
            }
            if failure == nil { checkedFlush() }
            closed = true
            pcap_dump_close(dumper)
        }
    }
}
