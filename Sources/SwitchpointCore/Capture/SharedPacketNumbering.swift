import NIOConcurrencyHelpers

/// Packet numbers shared by the captures of one `--workers` run: each worker's capture
/// thread takes the next number as it reads a packet, under the same lock as the write to
/// the shared `-w` file, so a `frame` in the output is that packet's number in the file
/// (as Wireshark counts it) and not its place among one worker's packets.
final class SharedPacketNumbering: @unchecked Sendable {
    private let lock = NIOLock()
    private var last: UInt64 = 0

    /// Numbers `packet` and writes it to `dump`, in one step.
    func number(_ packet: inout RawPacket, writingTo dump: PcapDumpWriter?) {
        lock.withLockVoid {
            last += 1
            packet.capture.packetNumber = last
            dump?.write(packet)
        }
    }
}
