/// Where a 64-bit key's probe starts in a power-of-two open-addressing table (`mask` is its
/// size less one): Fibonacci hashing, a multiply and a shift. The tables on extract's hot
/// path (`Pseudonymiser`, `Register`) use it instead of `Hasher`'s SipHash.
@inline(__always) func slotHash(_ key: UInt64, mask: Int) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
}
