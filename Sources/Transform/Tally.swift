/// The manifest's counts over the fact rows, tallied in arrays (not by string key per row:
/// millions of rows), then named once.
enum Tally {
    static func counts(firstEvents: [FirstEventFact], events: [CaseEventFact], exposure: [ExposureFact]) -> [String: Int] {
        // First events: [kind][status code] (0 control, 1 treatment, 2+ reason, as packed).
        var first = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 3)
        for f in firstEvents { first[f.kind.order][Int(PackedAttribution(f.attribution).code)] += 1 }
        var byStatus = [Int](repeating: 0, count: 5)
        for e in events { byStatus[Int(e.status.code)] += 1 }
        var days = [0, 0]
        for x in exposure { days[x.cohort == .control ? 0 : 1] += Int(x.days) }

        var counts: [String: Int] = [:]
        let statuses: [Attribution] = [.attributed(.control, institution: 0), .attributed(.treatment, institution: 0)]
            + UnattributedReason.allCases.map { .unattributed($0) }
        for kind in FirstEventKind.allCases {
            for (code, status) in statuses.enumerated() {
                switch status {
                case let .attributed(cohort, _): counts[TransformCounts.attributed(kind, cohort)] = first[kind.order][code]
                case let .unattributed(reason): counts[TransformCounts.unattributed(kind, reason)] = first[kind.order][code]
                }
            }
        }
        for (code, status) in statuses.enumerated() { counts[TransformCounts.caseEvents(status)] = byStatus[code] }
        counts[TransformCounts.exposureDays(.control)] = days[0]
        counts[TransformCounts.exposureDays(.treatment)] = days[1]
        return counts
    }
}
