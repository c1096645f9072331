import Pipeline

/// One field's value, formatted by the file it is written to.
enum Field {
    /// Quoted only when it holds the delimiter, a quote or a line break (RFC 4180).
    case text(String)
    /// Always quoted, as some exporters do for text they consider free-form.
    case quoted(String)
    /// Written exactly as given and never quoted: how malformed fields are made on purpose.
    case raw(String)
    case day(Day?)
    case number(Int)
    case cpr(Int64, dashed: Bool)

    /// The field's text as a reader sees it after unquoting (for malformed records).
    func rendered(dates: DateFormat) -> String {
        switch self {
        case .text(let s), .quoted(let s), .raw(let s): return s
        default:
            var b = [UInt8]()
            switch self {
            case .day(let d): if let d { b.day(d, dates) }
            case .number(let n): b.number(n)
            case .cpr(let v, let dashed): b.cpr(v, dashed: dashed)
            default: break
            }
            return String(decoding: b, as: UTF8.self)
        }
    }
}
