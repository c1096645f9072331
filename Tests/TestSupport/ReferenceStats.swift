import Pipeline

/// The per-load statistics (`StatsFile`) of fact rows, aggregated the plain way, as
/// `metrics.md` reads (and as `warehouse.compute_stats` did in SQL): the reference that
/// transform's `CohortStats` is held to, and the stats of hand-written fact fixtures.
/// A cell exists where its cohort has exposure days.
package struct ReferenceStats {
    package init() {}

    package var exposure: [(child: String, cohort: String, year: Int, district: String, days: Int)] = []
    package var firsts: [(kind: String, day: Day, age: Int, cohort: String, district: String)] = []
    package var notes: [(cohort: String, source: String?, district: String, day: Day)] = []
    package var closed: [(cohort: String, reason: String, district: String, opened: Day)] = []

    package func writeCohortStats(_ w: ReferenceStageWriter) throws {
        typealias Key = (grain: String, year: Int?, district: String?)
        func keys(_ year: Int, _ district: String) -> [Key] { [("total", nil, nil), ("year", year, nil), ("district", nil, district)] }
        func same(_ a: Key, _ b: Key) -> Bool { a.grain == b.grain && a.year == b.year && a.district == b.district }
        var cells: [(cohort: String, key: Key)] = []
        for x in exposure {
            for k in keys(x.year, x.district) where !cells.contains(where: { $0.cohort == x.cohort && same($0.key, k) }) {
                cells.append((x.cohort, k))
            }
        }
        for (cohort, key) in cells {
            let inCell: (String, Int, String) -> Bool = { c, year, district in c == cohort && keys(year, district).contains { same($0, key) } }
            let xs = exposure.filter { inCell($0.cohort, $0.year, $0.district) }
            let fs = firsts.filter { inCell($0.cohort, $0.day.year, $0.district) }
            let ns = notes.filter { inCell($0.cohort, $0.day.year, $0.district) }
            let cs = closed.filter { inCell($0.cohort, $0.opened.year, $0.district) }
            w.field(key.grain); w.field(cohort); w.field(key.year); w.field(key.district)
            w.field(Set(xs.map(\.child)).count); w.field(xs.reduce(0) { $0 + $1.days })
            w.field(fs.filter { $0.kind == "case" }.count)
            for kind in ["investigation", "measure"] {
                let months = fs.filter { $0.kind == kind }.map { Double($0.age) / 30.4375 }.sorted()
                let n = months.count
                w.field(n)
                let mean = n == 0 ? nil : months.reduce(0, +) / Double(n)
                let median = n == 0 ? nil : (n % 2 == 1 ? months[n / 2] : (months[n / 2 - 1] + months[n / 2]) / 2)
                let variance = n < 2 ? nil : months.reduce(0) { $0 + ($1 - mean!) * ($1 - mean!) } / Double(n - 1)
                for v in [mean, median, variance] { w.field(v.map { "\($0)" }) }
            }
            w.field(ns.count); w.field(cs.count)
            w.field(cs.filter { ["bekymring_ophoert", "familien_selv"].contains($0.reason) }.count)
            try w.endRecord()
        }
    }

    package func writeNotificationStats(_ w: ReferenceStageWriter) throws {
        for pair in Set(notes.map { "\($0.cohort)\t\($0.source ?? "")" }).sorted() {
            let parts = pair.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            w.field(parts[0]); w.field(parts[1].isEmpty ? nil : parts[1])
            w.field(notes.filter { $0.cohort == parts[0] && ($0.source ?? "") == parts[1] }.count)
            try w.endRecord()
        }
    }

    package func writeClosureStats(_ w: ReferenceStageWriter) throws {
        for pair in Set(closed.map { "\($0.cohort)\t\($0.reason)" }).sorted() {
            let parts = pair.split(separator: "\t")
            w.field(String(parts[0])); w.field(String(parts[1]))
            w.field(closed.filter { $0.cohort == parts[0] && $0.reason == parts[1] }.count)
            try w.endRecord()
        }
    }
}
