/// The offline text timeline's blocks: each connection's lines are held until it closes,
/// then printed as one block, in connection-number order (a block that closed waits for the
/// lower-numbered ones still open). Held text shares one budget; past it the block at the
/// head of the order is printed so far and its connection goes on in a new block headed
/// `conn N (continued)`, queued behind the others.
///
/// It sees only finished lines (what the printer formatted for one event), so the same
/// assembler serves the one-thread printer and the merge of a sharded run: which blocks are
/// printed when depends on every connection's text, and only the merge sees all of it.
///
/// With `--protocol` or `--severity` each block is judged when it is printed, on what its
/// connection's events showed so far (`ConnectionTraits`): a block printed early under the
/// budget is judged on its part.
final class TextBlockAssembler {
    /// One connection's unprinted block. A struct in the table (no object per block).
    private struct Held {
        /// Retained by hand (when the block starts; released when it is printed, or at
        /// `deinit`): with a strong reference every lookup of the table retained and
        /// released the buffer.
        let buffer: Unmanaged<OutputBuffer>
        /// The connection closed: the block waits only for its turn.
        var closed = false
    }

    /// Block buffers kept for reuse, and how large a kept one may stay.
    static let spareBlockLimit = 64
    static let spareBlockCapacity = 16 << 10
    /// Room for a header line: most blocks are a header and a line or two, so a new block is
    /// sized to its first lines rather than to a fixed kilobyte (a flood holds thousands).
    static let headerLineRoom = 160
    /// Printed entries at the front of `order` tolerated before they are dropped.
    static let orderSlack = 4096

    private let writer: LineWriter
    private let colour: Bool
    private let budget: Int
    private let selection: TimelineSelection
    /// `selection.judgesBlocks`, as a plain flag for the per-event path.
    private let judges: Bool
    private var blocks: [ConnectionID: Held] = [:]
    /// The previous call's connection and block: lines come in runs per connection (the
    /// table holds the block; `printBlock` forgets it).
    private var recent = RecentEntry<ConnectionID, OutputBuffer>()
    /// Connections in the order their blocks print (opening order: connection numbers),
    /// from `orderHead` on; `queued` says which are in it.
    private var order: [ConnectionID] = []
    private var orderHead = 0
    private var queued: Set<ConnectionID> = []
    /// Queued connections that closed without holding a line.
    private var closedEmpty: Set<ConnectionID> = []
    /// With a selection by protocol or severity: what each connection showed so far.
    private var traits: [ConnectionID: ConnectionTraits] = [:]
    private var heldBytes = 0
    /// Some line went out (a block the selection admitted, or a direct line): without
    /// one, a selection matched nothing, and the command says so.
    private(set) var wroteLines = false
    private var spareBlocks: [OutputBuffer] = []

    init(writer: LineWriter, colour: Bool, budget: Int, selection: TimelineSelection = TimelineSelection()) {
        self.writer = writer
        self.colour = colour
        self.budget = budget
        self.selection = selection
        judges = selection.judgesBlocks
    }

    deinit {
        for held in blocks.values { held.buffer.release() }
    }

    /// A connection opened: its block prints after those opened before it.
    func opened(_ connection: ConnectionID) {
        enqueue(connection)
    }

    /// One event's lines for a held connection. `header` is the connection's header line
    /// (without its newline) with its first lines; without it a connection that has no
    /// block gets the `(continued)` marker. `closes` ends the block (printed in its turn);
    /// `shown` is what the event said about its connection (for `--protocol`/`--severity`).
    func held(
        _ connection: ConnectionID, header: UnsafeRawBufferPointer?, lines: UnsafeRawBufferPointer, closes: Bool,
        shown: ConnectionTraits = []
    ) {
        if !lines.isEmpty, let recentBlock = recent.object(for: connection) {
            recentBlock._withUnsafeGuaranteedRef { $0.append(lines) }
            heldBytes += lines.count
        } else if !lines.isEmpty {
            let block: Unmanaged<OutputBuffer>
            if let found = blocks[connection] {
                block = found.buffer
                recent.remember(connection, block)
            } else {
                block = startBlock(connection, expected: Self.headerLineRoom + lines.count)
                let started = block._withUnsafeGuaranteedRef { block in
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
                    return block.count
                }
                heldBytes += started
            }
            block._withUnsafeGuaranteedRef { $0.append(lines) }
            heldBytes += lines.count
        }
        if judges && !shown.isEmpty { traits[connection, default: []].formUnion(shown) }
        if closes {
            if blocks[connection] != nil {
                blocks[connection]?.closed = true
            } else if queued.contains(connection) {
                closedEmpty.insert(connection)
            }
            recent.forget(connection)
            printReady()
        }
        while heldBytes > budget, orderHead < order.count {
            printHeadEarly()
        }
    }

    /// Lines that go out at once (tagged lines, the interleaved timeline).
    func direct(_ lines: UnsafeRawBufferPointer) {
        guard !lines.isEmpty else { return }
        wroteLines = true
        writer.write(lines: lines)
    }

    /// The end of the input: every held block, in order.
    func finish() {
        while orderHead < order.count {
            let connection = order[orderHead]
            orderHead += 1
            printBlock(connection, closed: true)
        }
        for connection in blocks.keys.sorted() { printBlock(connection, closed: true) }
        order.removeAll()
        orderHead = 0
        queued.removeAll()
        closedEmpty.removeAll()
    }

    private func enqueue(_ connection: ConnectionID) {
        guard queued.insert(connection).inserted else { return }
        order.append(connection)
    }

    private func startBlock(_ connection: ConnectionID, expected: Int) -> Unmanaged<OutputBuffer> {
        let held = Held(buffer: Unmanaged.passRetained(spareBlocks.popLast() ?? OutputBuffer(capacity: expected)))
        blocks[connection] = held
        recent.remember(connection, held.buffer)
        enqueue(connection)
        return held.buffer
    }

    /// Prints the closed blocks at the head of the order.
    private func printReady() {
        while orderHead < order.count {
            let connection = order[orderHead]
            if let held = blocks[connection] {
                guard held.closed else { return }
            } else if closedEmpty.remove(connection) == nil {
                return  // open, nothing to show yet
            }
            dequeueHead()
            printBlock(connection, closed: true)
        }
    }

    /// Over budget: the head of the order prints what it has (its connection, if still
    /// open, goes on in a `(continued)` block at the back), then whatever is ready after it.
    private func printHeadEarly() {
        let connection = order[orderHead]
        dequeueHead()
        let closed: Bool
        if let held = blocks[connection] {
            closed = held.closed
        } else {
            closed = closedEmpty.remove(connection) != nil
        }
        printBlock(connection, closed: closed)
        printReady()
    }

    private func dequeueHead() {
        queued.remove(order[orderHead])
        orderHead += 1
        if orderHead > Self.orderSlack && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// Writes (or, when the selection rejects its connection, drops) a block. `closed`:
    /// the connection is over, so what was recorded about it goes too.
    private func printBlock(_ connection: ConnectionID, closed: Bool) {
        let shown = judges ? traits[connection] ?? [] : []
        if closed && judges { traits[connection] = nil }
        guard let held = blocks.removeValue(forKey: connection) else { return }
        recent.forget(connection)
        let block = held.buffer.takeRetainedValue()
        heldBytes -= block.count
        if !judges || selection.admits(shown) {
            wroteLines = wroteLines || !block.isEmpty
            block.append(0x0a)  // a blank line after each block
            writer.write(lines: block)
        }
        block.removeAll()
        if spareBlocks.count < Self.spareBlockLimit {
            block.shrink(toAtMost: Self.spareBlockCapacity)
            spareBlocks.append(block)
        }
    }
}
