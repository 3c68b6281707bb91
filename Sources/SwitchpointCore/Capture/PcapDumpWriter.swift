import CPcap
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

    init(handle: OpaquePointer, path: String, users: Int = 1) throws(CaptureError) {
        openUsers = users
        guard let dumper = pcap_dump_open(handle, path) else {
            let message = pcap_geterr(handle).map { String(cString: $0) } ?? "unknown error"
            throw .cannotOpenFile(path: path, message: message)
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
        guard !closed, let base = packet.bytes.baseAddress else { return }
        let nanoseconds = packet.capture.timestamp.nanoseconds
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(nanoseconds / 1_000_000_000)
        header.ts.tv_usec = Int(nanosecond ? nanoseconds % 1_000_000_000 : nanoseconds % 1_000_000_000 / 1000)
        header.caplen = bpf_u_int32(packet.bytes.count)
        header.len = bpf_u_int32(packet.originalLength)
        pcap_dump(
            UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header,
            base.assumingMemoryBound(to: UInt8.self))
    }

    func flush() {
        lock.withLock {
            if !closed { pcap_dump_flush(dumper) }
        }
    }

    /// One user is done; the last one closes the file.
    func close() {
        lock.withLock {
            guard !closed else { return }
            openUsers -= 1
            guard openUsers <= 0 else {
                pcap_dump_flush(dumper)
                return
            }
            closed = true
            pcap_dump_close(dumper)
        }
    }
}
