/// The offline text timeline's blocks: each connection's lines are held until it closes,
/// then printed as one block. Held text shares one budget; past it the oldest held block is
/// printed so far and its connection goes on in a new block headed `conn N (continued)`.
///
/// It sees only finished lines (what the printer formatted for one event), so the same
/// assembler serves the one-thread printer and the merge of a sharded run: which blocks are
/// printed when depends on every connection's text, and only the merge sees all of it.
final class TextBlockAssembler {
    /// One connection's unprinted block. A struct in the table (no object per block).
    private struct Held {
        let buffer: OutputBuffer
        /// Tells this block from an earlier one of the same connection in `heldOrder`;
        /// compared for equality only, so 32 bits suffice.
        let generation: Int32
    }

    /// Block buffers kept for reuse, and how large a kept one may stay.
    static let spareBlockLimit = 64
    static let spareBlockCapacity = 16 << 10
    /// Room for a header line: most blocks are a header and a line or two, so a new block is
    /// sized to its first lines rather than to a fixed kilobyte (a flood holds thousands).
    static let headerLineRoom = 160
    /// Stale `heldOrder` entries tolerated before a compaction pass.
    static let heldOrderSlack = 4096

    private let writer: LineWriter
    private let colour: Bool
    private let budget: Int
    private var blocks: [ConnectionID: Held] = [:]
    /// The previous call's connection and block: lines come in runs per connection.
    private var recent: (connection: ConnectionID, held: Held)?
    /// Held blocks in the order they were started (entries of printed blocks are stale).
    private var heldOrder: [(connection: ConnectionID, generation: Int32)] = []
    private var heldOrderHead = 0
    private var heldBytes = 0
    private var generations: Int32 = 0
    private var spareBlocks: [OutputBuffer] = []

    init(writer: LineWriter, colour: Bool, budget: Int) {
        self.writer = writer
        self.colour = colour
        self.budget = budget
    }

    /// One event's lines for a held connection. `header` is the connection's header line
    /// (without its newline) with its first lines; without it a connection that has no
    /// block gets the `(continued)` marker. `closes` prints the block afterwards.
    func held(_ connection: ConnectionID, header: UnsafeRawBufferPointer?, lines: UnsafeRawBufferPointer, closes: Bool) {
        if !lines.isEmpty {
            let block: OutputBuffer
            if let recent, recent.connection == connection {
                block = recent.held.buffer
            } else if let found = blocks[connection] {
                block = found.buffer
                recent = (connection, found)
            } else {
                block = startBlock(connection, expected: Self.headerLineRoom + lines.count)
                if let header {
                    block.append(header)
                } else {
                    if colour { block.append("\u{1b}[1m") }
                    block.append("conn ")
                    block.append(decimal: connection)
                    block.append(" (continued)")
                    if colour { block.append("\u{1b}[0m") }
                }
                block.append(0x0a)
                heldBytes += block.count
            }
            block.append(lines)
            heldBytes += lines.count
        }
        if closes { printBlock(connection) }
        while heldBytes > budget, let oldest = oldestHeld() {
            printBlock(oldest)
        }
    }

    /// Lines that go out at once (tagged lines, the interleaved timeline).
    func direct(_ lines: UnsafeRawBufferPointer) {
        guard !lines.isEmpty else { return }
        writer.write(lines: lines)
    }

    /// The end of the input: every held block, in connection order.
    func finish() {
        for connection in blocks.keys.sorted() { printBlock(connection) }
    }

    private func startBlock(_ connection: ConnectionID, expected: Int) -> OutputBuffer {
        generations &+= 1
        let held = Held(buffer: spareBlocks.popLast() ?? OutputBuffer(capacity: expected), generation: generations)
        blocks[connection] = held
        recent = (connection, held)
        compactHeldOrderIfStale()
        heldOrder.append((connection, generations))
        return held.buffer
    }

    private func isHeld(_ entry: (connection: ConnectionID, generation: Int32)) -> Bool {
        blocks[entry.connection]?.generation == entry.generation
    }

    /// Entries of blocks printed at their close stay in `heldOrder` until the budget walks
    /// past them; when they outnumber the live ones, they are dropped in one pass (order
    /// kept), so the list follows the blocks held, not every connection ever seen.
    private func compactHeldOrderIfStale() {
        let listed = heldOrder.count - heldOrderHead
        guard listed > Self.heldOrderSlack, listed > 2 * blocks.count else { return }
        heldOrder = heldOrder[heldOrderHead...].filter(isHeld)
        heldOrderHead = 0
    }

    private func oldestHeld() -> ConnectionID? {
        while heldOrderHead < heldOrder.count {
            let entry = heldOrder[heldOrderHead]
            heldOrderHead += 1
            if heldOrderHead > Self.heldOrderSlack && heldOrderHead * 2 > heldOrder.count {
                heldOrder.removeFirst(heldOrderHead)
                heldOrderHead = 0
            }
            if isHeld(entry) { return entry.connection }
        }
        return nil
    }

    private func printBlock(_ connection: ConnectionID) {
        guard let held = blocks.removeValue(forKey: connection) else { return }
        if recent?.connection == connection { recent = nil }
        let block = held.buffer
        heldBytes -= block.count
        block.append(0x0a)   // a blank line after each block
        writer.write(lines: block)
        block.removeAll()
        if spareBlocks.count < Self.spareBlockLimit {
            block.shrink(toAtMost: Self.spareBlockCapacity)
            spareBlocks.append(block)
        }
    }
}
