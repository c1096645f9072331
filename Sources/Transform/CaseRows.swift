import Pipeline

/// One row per case id with a `sag_oprettet` (`FactFile.cases`).
///
/// Cases are keyed by sagsnummer across children, so this runs after the per-child pass,
/// over events already in output order and attributed.
enum CaseRows {
    /// `events` in output order; `caseCount` distinct case ids (refs ranked by id bytes).
    static func build(events: [CaseEventFact], caseCount: Int) -> (cases: [CaseFact], withoutOpening: Int) {
        var opening = [Int32](repeating: -1, count: caseCount)
        var closing = [Int32](repeating: -1, count: caseCount)
        var seen = [Bool](repeating: false, count: caseCount)
        for (i, e) in events.enumerated() {
            let c = Int(e.caseRef)
            seen[c] = true
            switch e.type {
            case .caseOpened:
                // The earliest sag_oprettet; on one day, the first line read.
                if opening[c] < 0 || earlier(e, than: events[Int(opening[c])]) { opening[c] = Int32(i) }
            case .caseClosed:
                // The latest sag_afsluttet by day, then by line (the last one written wins).
                if closing[c] < 0 || earlier(events[Int(closing[c])], than: e) { closing[c] = Int32(i) }
            default:
                break
            }
        }
        var cases: [CaseFact] = []
        var withoutOpening = 0
        for c in 0..<caseCount {
            guard opening[c] >= 0 else {
                if seen[c] { withoutOpening += 1 }
                continue
            }
            let o = events[Int(opening[c])]
            let close = closing[c] >= 0 ? events[Int(closing[c])] : nil
            cases.append(CaseFact(caseRef: Int32(c), child: o.child, opened: o.day, ageDays: o.ageDays,
                                  attribution: o.attribution, closed: close?.day, closingReason: close?.reason ?? -1))
        }
        return (cases, withoutOpening)
    }

    private static func earlier(_ a: CaseEventFact, than b: CaseEventFact) -> Bool {
        (a.day.rawValue, a.line) < (b.day.rawValue, b.line)
    }
}
