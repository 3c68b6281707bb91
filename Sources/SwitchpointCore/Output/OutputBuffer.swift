/// A growable byte buffer that printers format into: numbers, timestamps and hex are
/// written straight as bytes, so a line costs no `String` building. Wire text goes in only
/// through the escapers (`appendTerminalEscaped`, `appendJSONEscaped`); `append(trusted:)`
/// is for switchpoint's own words.
///
/// A class with manual storage rather than `[UInt8]`: appends skip the uniqueness check an
/// array pays on every byte.
package final class OutputBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    package private(set) var count = 0
    /// How `appendJSONEscaped` escapes (every JSON string written into this buffer):
    /// `--json-ascii` sets `.ascii` on the output's buffer.
    package var jsonEscaping = JSONEscaping.standard

    package init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    package var isEmpty: Bool { count == 0 }

    /// The bytes written so far (valid until the next append or removal).
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    package func removeAll() {
        count = 0
    }

    /// Drops the bytes from `index` on (a line that turned out not to be printed).
    func truncate(to index: Int) {
        count = min(count, max(0, index))
    }

    /// Gives back memory above `limit` once a burst is over.
    func shrink(toAtMost limit: Int) {
        guard capacity > limit, count <= limit else { return }
        reallocate(capacity: limit)
    }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toAtLeast: count + extra) }
    }

    /// Above this size a buffer grows by a quarter, not by double: a held block near the
    /// pending-text budget must not allocate twice the budget.
    static let doublingLimit = 1 << 20

    @usableFromInline
    func grow(toAtLeast minimum: Int) {
        var newCapacity = capacity
        while newCapacity < minimum {
            newCapacity += newCapacity < Self.doublingLimit ? newCapacity : newCapacity / 4
        }
        reallocate(capacity: newCapacity)
    }

    private func reallocate(capacity newCapacity: Int) {
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = newCapacity
    }

    // MARK: Raw appends

    @inline(__always)
    package func append(_ byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    package func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let length = bytes.count
        reserve(length)
        let target = base + count
        if length <= Self.smallCopyLimit {
            // Keys, separators and short words: inline copies beat a call to memcpy.
            Self.copySmall(source, length, to: UnsafeMutableRawPointer(target))
        } else {
            target.update(from: source.assumingMemoryBound(to: UInt8.self), count: length)
        }
        count += length
    }

    /// Appends at most this long are copied inline (`copySmall`), not through memcpy.
    static let smallCopyLimit = 16

    /// Copies `length` bytes (at most `smallCopyLimit`) with two overlapping word loads and
    /// stores, each inside the range: keys and words are 2 to 16 bytes, and a byte loop
    /// cost five instructions a byte.
    @inline(__always)
    static func copySmall(_ source: UnsafeRawPointer, _ length: Int, to target: UnsafeMutableRawPointer) {
        if length >= 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self), toByteOffset: length - 8,
                as: UInt64.self)
        } else if length >= 4 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self), toByteOffset: length - 4,
                as: UInt32.self)
        } else {
            var index = 0
            while index < length {
                target.storeBytes(
                    of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
    }

    /// Copies a literal's bytes to `position` (any length).
    @inline(__always)
    private func copy(_ text: StaticString, length: Int, to position: Int) {
        let target = UnsafeMutableRawPointer(base + position)
        if length <= Self.smallCopyLimit {
            Self.copySmall(UnsafeRawPointer(text.utf8Start), length, to: target)
        } else {
            target.copyMemory(from: UnsafeRawPointer(text.utf8Start), byteCount: length)
        }
    }

    package func append(_ other: OutputBuffer) {
        append(other.bytes)
    }

    /// A literal of switchpoint's own (ASCII or UTF-8 such as `→`).
    @inline(__always)
    package func append(_ text: StaticString) {
        // withUTF8Buffer also handles one-scalar literals, which have no pointer form.
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Text switchpoint wrote itself (names, codes, numbers already formatted): no escaping.
    package func append(trusted text: String) {
        text.withUTF8Bytes { append($0) }
    }

    package func append(repeating byte: UInt8, count repeats: Int) {
        guard repeats > 0 else { return }
        reserve(repeats)
        (base + count).update(repeating: byte, count: repeats)
        count += repeats
    }

    // MARK: Numbers

    /// "00" "01" … "99": numbers are written two digits at a time.
    private static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// Decimal digits of `value` (1 for 0).
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        // Comparisons rather than a loop: most numbers printed (connections, frames,
        // offsets, lengths) have under ten digits, and every JSON line writes several.
        if value < 100_000 {
            if value < 100 { return value < 10 ? 1 : 2 }
            if value < 1000 { return 3 }
            return value < 10_000 ? 4 : 5
        }
        if value < 10_000_000_000 {
            if value < 10_000_000 { return value < 1_000_000 ? 6 : 7 }
            if value < 100_000_000 { return 8 }
            return value < 1_000_000_000 ? 9 : 10
        }
        var digits = 11
        var threshold: UInt64 = 100_000_000_000
        while digits < 20 && value >= threshold {
            digits += 1
            threshold &*= 10
        }
        return digits
    }

    package func append(decimal value: UInt64) {
        let digits = Self.digitCount(value)
        reserve(digits)
        writeDigits(value, count: digits, at: count)
        count += digits
    }

    /// Writes the last `digits` decimal digits of `value` ending at `start + digits`.
    @inline(__always)
    private func writeDigits(_ value: UInt64, count digits: Int, at start: Int) {
        Self.writeDigits(value, count: digits, into: base + start)
    }

    /// Writes the last `digits` decimal digits of `value` at `target`.
    @inline(__always)
    static func writeDigits(_ value: UInt64, count digits: Int, into target: UnsafeMutablePointer<UInt8>) {
        let pairs = UnsafeRawPointer(digitPairs.utf8Start)
        let raw = UnsafeMutableRawPointer(target)
        var remaining = value
        var index = digits
        // Four digits per 64-bit division, split in 32 bits; each pair is one 16-bit copy.
        while index >= 4 {
            let four = UInt32(truncatingIfNeeded: remaining % 10_000)
            remaining /= 10_000
            let high = Int(four / 100) &* 2
            let low = Int(four % 100) &* 2
            index -= 4
            raw.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: high, as: UInt16.self), toByteOffset: index, as: UInt16.self)
            raw.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: low, as: UInt16.self), toByteOffset: index + 2, as: UInt16.self)
        }
        if index >= 2 {
            let pair = Int(remaining % 100) &* 2
            remaining /= 100
            index -= 2
            raw.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: pair, as: UInt16.self), toByteOffset: index, as: UInt16.self)
        }
        if index > 0 {
            target[0] = UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30
        }
    }

    /// Exactly `width` digits of a value below 10^width (zeros in front): the fraction of a
    /// timestamp.
    @inline(__always)
    func append(fixedDigits value: UInt64, width: Int) {
        reserve(width)
        writeDigits(value, count: width, at: count)
        count += width
    }

    package func append(decimal value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(decimal: value.magnitude.toUInt64)
        } else {
            append(decimal: UInt64(value))
        }
    }

    package func append(decimal value: Int64) {
        append(decimal: Int(value))
    }

    /// `value` with at least `width` digits, zeros in front.
    package func append(zeroPadded value: Int, width: Int) {
        let magnitude = value.magnitude.toUInt64
        let digits = Self.digitCount(magnitude)
        if value < 0 { append(UInt8(ascii: "-")) }
        if digits < width {
            append(fixedDigits: magnitude, width: width)
        } else {
            append(decimal: magnitude)
        }
    }

    /// Fixed-point with `decimals` digits, the same digits as `JSONLine.fixed`.
    package func append(fixed value: Double, decimals: Int) {
        guard value.isFinite else { return append("null") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return append(trusted: String(value)) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        if value < 0 && whole != 0 { append(UInt8(ascii: "-")) }
        if decimals == 0 { return append(decimal: whole) }
        append(decimal: whole / divisor)
        append(UInt8(ascii: "."))
        append(zeroPadded: Int(whole % divisor), width: decimals)
    }

    private static var hexDigits: StaticString { "0123456789abcdef" }

    /// The lower-case hex digit for a value below 16.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? value &+ 0x30 : value &+ 0x57
    }

    @inline(__always)
    package func append(hexByte byte: UInt8) {
        reserve(2)
        base[count] = Self.hexDigit(byte >> 4)
        base[count + 1] = Self.hexDigit(byte & 0xf)
        count += 2
    }

    /// Hex digits with no padding (`1f`, `0`).
    package func append(hex value: UInt32) {
        var started = false
        var shift = 28
        while shift >= 0 {
            let digit = UInt8(truncatingIfNeeded: value >> UInt32(shift)) & 0xf
            if digit != 0 || started || shift == 0 {
                append(Self.hexDigit(digit))
                started = true
            }
            shift -= 4
        }
    }

    /// `0a 1b ff`: bytes as two hex digits each, separated by spaces.
    package func append(spacedHex bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let length = bytes.count
        reserve(length * 3)
        guard let source = bytes.baseAddress else { return }
        let digits = Self.hexDigits.utf8Start
        var target = base + count
        var index = 0
        while index < length {
            let byte = source.load(fromByteOffset: index, as: UInt8.self)
            target[0] = digits[Int(byte >> 4)]
            target[1] = digits[Int(byte & 0xf)]
            target[2] = UInt8(ascii: " ")
            target += 3
            index += 1
        }
        count += length * 3 - 1  // no space after the last byte
    }

    package func append(spacedHex bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(spacedHex: $0) }
    }
}

extension UInt {
    @inline(__always)
    var toUInt64: UInt64 { UInt64(self) }
}

extension OutputBuffer {
    /// `,"name":` (no comma before the first key): one reservation and a byte loop, since
    /// every JSON line writes a dozen of these.
    @inline(__always)
    func appendJSONKey(_ name: StaticString, first: Bool) {
        guard name.hasPointerRepresentation else {
            // A one-scalar literal: the slow path.
            if !first { append(UInt8(ascii: ",")) }
            append(UInt8(ascii: "\""))
            append(name)
            append("\":")
            return
        }
        let length = name.utf8CodeUnitCount
        reserve(length + 4)
        count = writeKey(name, length: length, first: first, at: count)
    }

    /// Writes `,"name":` (no comma when `first`) at `position`, in room already reserved;
    /// returns the position after it.
    @inline(__always)
    private func writeKey(_ name: StaticString, length: Int, first: Bool, at position: Int) -> Int {
        var position = position
        if !first {
            base[position] = UInt8(ascii: ",")
            position += 1
        }
        base[position] = UInt8(ascii: "\"")
        position += 1
        copy(name, length: length, to: position)
        position += length
        base[position] = UInt8(ascii: "\"")
        base[position + 1] = UInt8(ascii: ":")
        return position + 2
    }

    /// `,"name":true` or `,"name":"c2s"` (`quoted`): a field whose value is one of
    /// switchpoint's own words, its key and value written in one reservation.
    @inline(__always)
    func appendJSONField(_ name: StaticString, first: Bool, word: StaticString, quoted: Bool) {
        guard name.hasPointerRepresentation, word.hasPointerRepresentation else {
            appendJSONKey(name, first: first)
            if quoted { append(UInt8(ascii: "\"")) }
            append(word)
            if quoted { append(UInt8(ascii: "\"")) }
            return
        }
        let length = name.utf8CodeUnitCount
        let wordLength = word.utf8CodeUnitCount
        reserve(length + wordLength + 6)
        var position = writeKey(name, length: length, first: first, at: count)
        if quoted {
            base[position] = UInt8(ascii: "\"")
            position += 1
        }
        copy(word, length: wordLength, to: position)
        position += wordLength
        if quoted {
            base[position] = UInt8(ascii: "\"")
            position += 1
        }
        count = position
    }

    /// `{"ts":S.ffffff,"conn":N,"type":"T","frame":N[,"frame_first":N][,"dir":"c2s"]
    /// [,"offset":N]`, the head of every JSON event line, in one reservation; false (nothing
    /// written) for what the field-by-field path must write: a time before 1970, a negative
    /// connection, a one-scalar type name.
    @inline(__always)
    func appendJSONEventHead(
        timestamp: Timestamp, connection: Int, type: StaticString, packet: UInt64, firstPacket: UInt64? = nil,
        direction: Direction? = nil, offset: UInt64? = nil
    ) -> Bool {
        guard timestamp.nanoseconds >= 0, connection >= 0, type.hasPointerRepresentation else { return false }
        let micros = UInt64(timestamp.nanoseconds / 1000)
        let seconds = micros / 1_000_000
        let secondDigits = Self.digitCount(seconds)
        let connectionDigits = Self.digitCount(UInt64(connection))
        let packetDigits = Self.digitCount(packet)
        let typeLength = type.utf8CodeUnitCount
        // Room for the optional fields too: 16 bytes of key and 20 digits each.
        reserve(148 + secondDigits + connectionDigits + typeLength + packetDigits)
        var position = count
        copy("{\"ts\":", length: 6, to: position)
        position += 6
        writeDigits(seconds, count: secondDigits, at: position)
        position += secondDigits
        base[position] = UInt8(ascii: ".")
        writeDigits(micros % 1_000_000, count: 6, at: position + 1)
        position += 7
        copy(",\"conn\":", length: 8, to: position)
        position += 8
        writeDigits(UInt64(connection), count: connectionDigits, at: position)
        position += connectionDigits
        copy(",\"type\":\"", length: 9, to: position)
        position += 9
        copy(type, length: typeLength, to: position)
        position += typeLength
        copy("\",\"frame\":", length: 10, to: position)
        position += 10
        writeDigits(packet, count: packetDigits, at: position)
        position += packetDigits
        if let firstPacket {
            copy(",\"frame_first\":", length: 15, to: position)
            position += 15
            let digits = Self.digitCount(firstPacket)
            writeDigits(firstPacket, count: digits, at: position)
            position += digits
        }
        if let direction {
            copy(direction == .clientToServer ? ",\"dir\":\"c2s\"" : ",\"dir\":\"s2c\"", length: 12, to: position)
            position += 12
        }
        if let offset {
            copy(",\"offset\":", length: 10, to: position)
            position += 10
            let digits = Self.digitCount(offset)
            writeDigits(offset, count: digits, at: position)
            position += digits
        }
        count = position
        return true
    }

    /// Writes a run of fields through `body` into `room` bytes reserved at once.
    @inline(__always)
    func withReserved(_ room: Int, _ body: (inout ReservedWriter) -> Void) {
        reserve(room)
        var writer = ReservedWriter(base: base, position: count, end: count + room)
        body(&writer)
        count = writer.position
    }

    /// `,"name":-123`: an integer field, its key and digits written in one reservation
    /// (the JSON timeline writes half a dozen per line).
    @inline(__always)
    func appendJSONField(_ name: StaticString, first: Bool, magnitude: UInt64, negative: Bool) {
        guard name.hasPointerRepresentation else {
            appendJSONKey(name, first: first)
            if negative { append(UInt8(ascii: "-")) }
            append(decimal: magnitude)
            return
        }
        let length = name.utf8CodeUnitCount
        let digits = Self.digitCount(magnitude)
        reserve(length + digits + 5)
        var position = writeKey(name, length: length, first: first, at: count)
        if negative {
            base[position] = UInt8(ascii: "-")
            position += 1
        }
        writeDigits(magnitude, count: digits, at: position)
        count = position + digits
    }
}
