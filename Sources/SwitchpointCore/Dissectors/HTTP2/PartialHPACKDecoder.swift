/// An HPACK decoder (RFC 7541) for a connection joined mid-stream, whose dynamic table's
/// earlier entries were never seen. Used only then: a connection whose start was captured
/// is decoded by NIOHPACK.
///
/// The table is modelled as the entries inserted since the join (newest first, at indexes
/// 62…), then a tail of unknown entries of unknown sizes. An index past the known entries
/// is an unknown field; a field inserted after the join is known at its index, so the
/// table heals as the connection goes on. The unknown tail is older than every known
/// entry, so it is evicted first: once a known entry is evicted, or the room left beside
/// the known entries cannot hold any entry (32 bytes of overhead each, §4.1), the tail is
/// gone. Sizes of entries with an unknown part are counted at their known lower bound,
/// so the table never holds less than the real one: a known field is never wrong, at
/// worst one the peer evicted is kept (and never referred to).
///
/// Started with `historyKnown` it is a plain decoder; the differential tests compare it
/// with NIOHPACK that way (same errors, same limits, strings as NIOHPACK makes them).
struct PartialHPACKDecoder {
    /// A decoded field; nil where it came from a table entry of unknown content.
    struct Field: Equatable {
        var name: String?
        var value: String?
        /// The dynamic table index an unknown part came from.
        var unknownIndex: Int?

        var isKnown: Bool { name != nil && value != nil }
    }

    struct Entry {
        var name: String?
        var value: String?
        /// Octets counted for it (§4.1); a lower bound when a part is unknown.
        var size: Int
    }

    enum Failure: Error, Equatable {
        case truncated
        case zeroIndex
        case indexOutOfRange(Int)
        case integerTooLarge
        case invalidHuffman
        case emptyName
        case tableSizeUpdateNotAtStart
        case tableSizeTooLarge(Int)
        case headerListTooLarge
    }

    /// RFC 7541 §4.1: the overhead counted per entry.
    static let entryOverhead = 32
    /// The largest integer accepted (lengths, indexes and sizes are far below it).
    static let maxInteger = Int(UInt32.max)
    /// Continuation bytes an integer may have, the last included (NIOHPACK refuses a tenth).
    static let maxIntegerContinuationBytes = 10
    /// Table size updates a block may start with (§4.2: at most two are ever needed).
    static let maxTableSizeUpdates = 2

    /// Newest last (appending is cheap; eviction takes the first).
    private var entries: [Entry] = []
    private var knownSize = 0
    /// The table may hold entries from before the join after the known ones.
    private(set) var tailUnknown: Bool
    /// The size the encoder chose (a table size update), at most `protocolMaxSize`.
    private var maxSize: Int
    /// SETTINGS_HEADER_TABLE_SIZE of the decoding side (assumed when not seen).
    private let protocolMaxSize: Int
    let maxHeaderListSize: Int

    init(maxTableSize: Int, maxHeaderListSize: Int, historyKnown: Bool) {
        protocolMaxSize = maxTableSize
        maxSize = maxTableSize
        self.maxHeaderListSize = maxHeaderListSize
        tailUnknown = !historyKnown
    }

    /// Known entries in the dynamic table.
    var knownEntries: Int { entries.count }

    /// Decodes one header block.
    mutating func decode(_ block: [UInt8]) throws(Failure) -> [Field] {
        var fields: [Field] = []
        var index = 0
        var listSize = 0
        var sizeUpdates = 0
        while index < block.count {
            let first = block[index]
            if first & 0xe0 == 0x20 {
                guard fields.isEmpty else { throw .tableSizeUpdateNotAtStart }
                sizeUpdates += 1
                guard sizeUpdates <= Self.maxTableSizeUpdates else { throw .tableSizeUpdateNotAtStart }
                let size = try Self.integer(block, at: &index, prefix: 5)
                guard size <= protocolMaxSize else { throw .tableSizeTooLarge(size) }
                resize(to: size)
                continue
            }
            let field = try decodeField(block, at: &index)
            listSize += Self.entryOverhead + (field.name?.utf8.count ?? 0) + (field.value?.utf8.count ?? 0)
            guard listSize <= maxHeaderListSize else { throw .headerListTooLarge }
            fields.append(field)
        }
        return fields
    }

    private mutating func decodeField(_ block: [UInt8], at index: inout Int) throws(Failure) -> Field {
        let first = block[index]
        if first & 0x80 != 0 {
            let position = try Self.integer(block, at: &index, prefix: 7)
            guard position != 0 else { throw .zeroIndex }
            return try lookup(position)
        }
        let indexing = first & 0xc0 == 0x40
        // 01xxxxxx: 6-bit name index, added to the table; 0000xxxx / 0001xxxx: 4-bit, not added.
        let nameIndex = try Self.integer(block, at: &index, prefix: indexing ? 6 : 4)
        var field: Field
        if nameIndex == 0 {
            let name = try Self.string(block, at: &index)
            guard !name.utf8.isEmpty else { throw .emptyName }
            field = Field(name: name, value: nil)
        } else {
            field = try lookup(nameIndex)
            if field.name != nil { field.unknownIndex = nil }
        }
        field.value = try Self.string(block, at: &index)
        if indexing { insert(field) }
        return field
    }

    /// The field at a table index (static 1…61, then dynamic).
    private func lookup(_ position: Int) throws(Failure) -> Field {
        if position <= HPACKStaticTable.entries.count {
            let entry = HPACKStaticTable.entries[position - 1]
            return Field(name: entry.name, value: entry.value)
        }
        let age = position - HPACKStaticTable.firstDynamicIndex
        if age < entries.count {
            let entry = entries[entries.count - 1 - age]
            let known = entry.name != nil && entry.value != nil
            return Field(name: entry.name, value: entry.value, unknownIndex: known ? nil : position)
        }
        guard tailUnknown else { throw .indexOutOfRange(position) }
        return Field(name: nil, value: nil, unknownIndex: position)
    }

    /// §4.4: evicts from the oldest end until the entry fits; one larger than the table
    /// empties it.
    private mutating func insert(_ field: Field) {
        let size = Self.entryOverhead + (field.name?.utf8.count ?? 0) + (field.value?.utf8.count ?? 0)
        if knownSize + size > maxSize {
            // The unknown entries, older than every known one, were evicted before them.
            tailUnknown = false
            evict(toFit: maxSize - size)
        }
        guard size <= maxSize else {
            entries.removeAll()
            knownSize = 0
            return
        }
        entries.append(Entry(name: field.name, value: field.value, size: size))
        knownSize += size
        healTail()
    }

    /// §4.3: a smaller maximum evicts entries.
    private mutating func resize(to size: Int) {
        maxSize = size
        if knownSize > size {
            tailUnknown = false
            evict(toFit: size)
        }
        healTail()
    }

    private mutating func evict(toFit limit: Int) {
        var drop = 0
        while knownSize > max(0, limit) && drop < entries.count {
            knownSize -= entries[drop].size
            drop += 1
        }
        entries.removeFirst(drop)
    }

    /// No room for even an empty entry beside the known ones: nothing older is left.
    private mutating func healTail() {
        if maxSize - knownSize < Self.entryOverhead { tailUnknown = false }
    }

    // MARK: Primitives (§5)

    /// §5.1: an integer with an N-bit prefix, of at most `maxIntegerContinuationBytes`
    /// continuation bytes (NIOHPACK's bound: a 64-bit shift) and at most `maxInteger`.
    static func integer(_ block: [UInt8], at index: inout Int, prefix: Int) throws(Failure) -> Int {
        guard index < block.count else { throw .truncated }
        let mask = (1 << prefix) - 1
        var value = Int(block[index]) & mask
        index += 1
        guard value == mask else { return value }
        var continuation = 0
        while true {
            guard index < block.count else { throw .truncated }
            let byte = block[index]
            index += 1
            let bits = Int(byte & 0x7f)
            let shift = 7 * continuation
            if bits != 0 {
                guard shift < 32, bits << shift <= maxInteger - value else { throw .integerTooLarge }
                value += bits << shift
            }
            continuation += 1
            guard continuation < maxIntegerContinuationBytes else { throw .integerTooLarge }
            if byte & 0x80 == 0 { return value }
        }
    }

    /// §5.2: a string literal, Huffman-coded or not. Bytes that are not UTF-8 are shown as
    /// U+FFFD, as NIOHPACK makes its strings.
    static func string(_ block: [UInt8], at index: inout Int) throws(Failure) -> String {
        guard index < block.count else { throw .truncated }
        let huffman = block[index] & 0x80 != 0
        let length = try integer(block, at: &index, prefix: 7)
        guard length <= block.count - index else { throw .truncated }
        let bytes = block[index..<index + length]
        index += length
        guard huffman else { return String(decoding: bytes, as: UTF8.self) }
        do {
            return String(decoding: try HPACKHuffman.decode(bytes), as: UTF8.self)
        } catch {
            throw .invalidHuffman
        }
    }
}
