import Foundation

/// Reads an offline source on its own thread, a batch of packets ahead: libpcap's reads
/// (and the `-w` copy) overlap with decoding and reassembly on the calling thread. Packets
/// come out in the same order with the same numbers and problems; a packet's bytes stay
/// valid until the next call, as the protocol promises.
package final class PrefetchingPacketSource: PacketSource {
    /// Packets read ahead, copied into a batch's arena.
    final class PacketBatch: RecyclableBatch {
        struct Entry {
            var start: Int
            var count: Int
            var originalLength: Int
            var linkType: LinkType
            var capture: CaptureInfo
        }

        /// Packets per batch, bytes per batch, batches in circulation.
        static let batchPackets = 4096
        static let batchBytes = 1 << 20
        static let queueDepth = 4

        var packets: [Entry] = []
        /// Packet bytes; its storage moves only while the reading thread fills it.
        let arena = OutputBuffer(capacity: PacketBatch.batchBytes + 256 * 1024)
        /// What ended the batch early: a problem (reading goes on after it) or the end.
        var problem: CaptureError?
        var isLast = false

        required init() {
            packets.reserveCapacity(Self.batchPackets)
        }

        var isFull: Bool { packets.count >= Self.batchPackets || arena.count >= Self.batchBytes }

        func clear() {
            packets.removeAll(keepingCapacity: true)
            arena.removeAll()
            problem = nil
            isLast = false
        }
    }

    /// The wrapped source, used by the reading thread only once started.
    private final class Reader: @unchecked Sendable {
        let source: PacketSource
        let queue: BatchQueue<PacketBatch>
        init(source: PacketSource, queue: BatchQueue<PacketBatch>) {
            self.source = source
            self.queue = queue
        }

        func run() {
            var batch = queue.takeEmpty()
            while true {
                switch source.next() {
                case .packet(let packet):
                    let start = batch.arena.count
                    batch.arena.append(packet.bytes)
                    batch.packets.append(
                        PacketBatch.Entry(
                            start: start, count: packet.bytes.count, originalLength: packet.originalLength,
                            linkType: packet.linkType, capture: packet.capture))
                    if batch.isFull {
                        queue.send(batch)
                        batch = queue.takeEmpty()
                    }
                case .idle:
                    continue
                case .problem(let problem):
                    batch.problem = problem
                    queue.send(batch)
                    batch = queue.takeEmpty()
                case .end:
                    batch.isLast = true
                    queue.send(batch)
                    return
                }
            }
        }
    }

    package let label: String
    private let queue = BatchQueue<PacketBatch>(depth: PacketBatch.queueDepth)
    private let reader: Reader
    private var current: PacketBatch?
    private var index = 0
    private var started = false
    private var ended = false

    package init(_ source: OfflineCaptureSource) {
        label = source.label
        reader = Reader(source: source, queue: queue)
    }

    package func next() -> PacketReadOutcome {
        if !started {
            started = true
            let reader = reader
            let thread = Thread { reader.run() }
            thread.name = "switchpoint reader"
            thread.start()
        }
        while !ended {
            if current == nil {
                current = queue.receive()
                index = 0
            }
            guard let batch = current else { continue }
            if index < batch.packets.count {
                let entry = batch.packets[index]
                index += 1
                // Valid until this batch is recycled, after the caller moved past the packet.
                let bytes = UnsafeRawBufferPointer(
                    rebasing: batch.arena.bytes[entry.start..<(entry.start + entry.count)])
                return .packet(
                    RawPacket(
                        bytes: bytes, originalLength: entry.originalLength, linkType: entry.linkType,
                        capture: entry.capture))
            }
            let problem = batch.problem
            ended = batch.isLast
            queue.recycle(batch)
            current = nil
            if let problem { return .problem(problem) }
        }
        return .end
    }
}
