import Pipeline

/// Days already read, by their ten bytes of text. A night's millions of dates are a few
/// thousand distinct days, so most are found here with a multiply and two compares, where
/// reading the layout and placing the day in the calendar took about 150 instructions
/// (docs/benchmarks.md). Direct-mapped: a slot holds the last text that hashed to it. Only
/// days read successfully are kept, so a text found here reads as that day in the source's
/// layouts. A value, owned by one validator and so by one thread.
struct DayCache {
    /// Two words a slot: the text's first eight bytes; then bit 63 (filled), the last two
    /// bytes in bits 32–47 and the day in the low 32 bits.
    private var slots: [UInt64]
    private static let slotBits = 14

    init() { slots = Array(repeating: 0, count: 2 << Self.slotBits) }

    /// The day read before from `text`, if it is ten bytes and still in its slot.
    @inline(__always)
    func day(_ text: UnsafeRawBufferPointer) -> Day? {
        guard let (head, tail) = Self.key(text) else { return nil }
        return slots.withUnsafeBufferPointer { s in
            let i = Self.slot(head, tail)
            guard s[i] == head, s[i &+ 1] >> 32 == 1 << 31 | tail else { return nil }
            return Day(rawValue: Int32(truncatingIfNeeded: s[i &+ 1]))
        }
    }

    /// Keeps `day` as what `text` reads as (texts of other lengths are not kept).
    @inline(__always)
    mutating func keep(_ text: UnsafeRawBufferPointer, as day: Day) {
        guard let (head, tail) = Self.key(text) else { return }
        let i = Self.slot(head, tail)
        slots.withUnsafeMutableBufferPointer { s in
            s[i] = head
            s[i &+ 1] = 1 << 63 | tail << 32 | UInt64(UInt32(bitPattern: day.rawValue))
        }
    }

    @inline(__always)
    private static func key(_ text: UnsafeRawBufferPointer) -> (head: UInt64, tail: UInt64)? {
        guard text.count == 10, let p = text.baseAddress else { return nil }
        return (p.loadUnaligned(as: UInt64.self), UInt64(p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
    }

    /// The index of the slot's first word.
    @inline(__always)
    private static func slot(_ head: UInt64, _ tail: UInt64) -> Int {
        Int(truncatingIfNeeded: ((head ^ tail &* 0x1_0001) &* 0x9E37_79B9_7F4A_7C15) >> (64 - UInt64(slotBits))) &* 2
    }
}
