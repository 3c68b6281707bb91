/// A growable byte buffer that printers format into: numbers, timestamps and hex are
/// written straight as bytes, so a line costs no `String` building. Wire text goes in only
/// through the escapers (`appendTerminalEscaped`, `appendJSONEscaped`); `append(trusted:)`
/// is for switchpoint's own words.
///
/// A class with manual storage rather than `[UInt8]`: appends skip the uniqueness check an
/// array pays on every byte.
public final class OutputBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    public private(set) var count = 0
    /// How `appendJSONEscaped` escapes (every JSON string written into this buffer):
    /// `--json-ascii` sets `.ascii` on the output's buffer.
    public var jsonEscaping = JSONEscaping.standard

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    public var isEmpty: Bool { count == 0 }

    /// The bytes written so far (valid until the next append or removal).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public func removeAll() {
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
    public func append(_ byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        base[count] = byte
        count += 1
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    public func append(_ other: OutputBuffer) {
        append(other.bytes)
    }

    /// A literal of switchpoint's own (ASCII or UTF-8 such as `→`).
    @inline(__always)
    public func append(_ text: StaticString) {
        // withUTF8Buffer also handles one-scalar literals, which have no pointer form.
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Text switchpoint wrote itself (names, codes, numbers already formatted): no escaping.
    public func append(trusted text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func append(repeating byte: UInt8, count repeats: Int) {
        guard repeats > 0 else { return }
        reserve(repeats)
        (base + count).update(repeating: byte, count: repeats)
        count += repeats
    }

    // MARK: Numbers

    public func append(decimal value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        reserve(digits)
        var remaining = value
        var index = count + digits
        repeat {
            index -= 1
            base[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30
            remaining /= 10
        } while remaining > 0
        count += digits
    }

    public func append(decimal value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(decimal: value.magnitude.toUInt64)
        } else {
            append(decimal: UInt64(value))
        }
    }

    public func append(decimal value: Int64) {
        append(decimal: Int(value))
    }

    /// `value` with at least `width` digits, zeros in front.
    public func append(zeroPadded value: Int, width: Int) {
        var digits = 1
        var probe = value.magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        if value < 0 { append(UInt8(ascii: "-")) }
        append(repeating: UInt8(ascii: "0"), count: width - digits)
        append(decimal: value.magnitude.toUInt64)
    }

    /// Fixed-point with `decimals` digits, the same digits as `JSONLine.fixed`.
    public func append(fixed value: Double, decimals: Int) {
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

    /// The lower-case hex digit for a value below 16.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? value &+ 0x30 : value &+ 0x57
    }

    @inline(__always)
    public func append(hexByte byte: UInt8) {
        reserve(2)
        base[count] = Self.hexDigit(byte >> 4)
        base[count + 1] = Self.hexDigit(byte & 0xf)
        count += 2
    }

    /// Hex digits with no padding (`1f`, `0`).
    public func append(hex value: UInt32) {
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
    public func append(spacedHex bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count * 3)
        var position = count
        for byte in bytes {
            base[position] = Self.hexDigit(byte >> 4)
            base[position + 1] = Self.hexDigit(byte & 0xf)
            base[position + 2] = UInt8(ascii: " ")
            position += 3
        }
        count = position - 1   // no space after the last byte
    }

    public func append(spacedHex bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(spacedHex: $0) }
    }
}

extension UInt {
    @inline(__always)
    var toUInt64: UInt64 { UInt64(self) }
}
