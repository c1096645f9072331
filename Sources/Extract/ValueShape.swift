import Pipeline

/// What a value that is not what its field wants looks like, for reject messages that say
/// what probably happened ("a name in the number field: are two columns swapped?").
enum ValueShape: Equatable {
    case name, date, cprNumber, other

    init(_ v: ArraySlice<UInt8>) {
        if CPRInText.first(in: v) != nil {
            self = .cprNumber
        } else if DateFormat.allCases.contains(where: { $0.parse(v) != nil || $0.matchesShape(v) }) {
            self = .date
        } else {
            // Letters (any byte of a multi-byte UTF-8 character counts as one) in the majority.
            let letters = v.reduce(0) { $0 + (($1 | 0x20) >= 0x61 && ($1 | 0x20) <= 0x7A || $1 >= 0x80 ? 1 : 0) }
            self = letters >= 3 && letters * 2 > v.count ? .name : .other
        }
    }

    /// "a name", "a date", … as a message says it; nil for `other`.
    var phrase: String? {
        switch self {
        case .name: "a name"
        case .date: "a date"
        case .cprNumber: "a CPR number"
        case .other: nil
        }
    }
}
