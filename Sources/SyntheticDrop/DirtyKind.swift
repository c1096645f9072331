/// A kind of bad record the contract says must be rejected (`exports.md`, "Bad input").
package enum DirtyKind: String, Sendable, CaseIterable, Comparable {
    /// A date of the right shape that does not exist, e.g. `31-02-2015`.
    case nonexistentDate
    /// A CPR number of 9 digits, or whose date does not exist (`310213-xxxx`).
    case invalidCPR
    /// A `haendelse` / `type` outside the contract's list.
    case unknownEventType
    /// An institution number that is not in the register.
    case unknownInstitution
    /// `udmeldt` / `til` before `indmeldt` / `fra`.
    case endBeforeStart
    /// One field too few or too many.
    case wrongColumnCount
    /// A `"` inside an unquoted date field (`01-0"3-2015`): malformed under RFC 4180, and
    /// not a date under any lenient reading either. It never opens a quoted field, so the
    /// rest of the file reads normally.
    case strayQuote
    /// A register entry repeating an institution number already read; the first is kept.
    case duplicateInstitution

    package static func < (a: DirtyKind, b: DirtyKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
