import Pipeline

/// The per-load statistics the metrics views read (`StatsFile`), from the facts in memory,
/// to the letter of `metrics.md` and of what `warehouse.compute_stats` (migration 003, dropped since) computed from the
/// warehouse before: exposure per cohort at three grains (the whole window, calendar year,
/// district), distinct children exposed, first events attributed to the cohort counted in
/// the year and district of their day with their ages, notifications on exposure days, and
/// cases opened on an exposure day and closed. Medians are exact (`percentile_cont(0.5)`).
///
/// Transform knows every exposure interval and first event; the warehouse had to rescan
/// millions of fact rows (distinct children over 64-character keys) to find the same. As
/// there, a cell exists where the cohort has exposure days; events count only in such cells
/// (attributed events always fall in one: they are on exposure days).
struct CohortStats {
    /// Ages in months: `age_days / 30.4375`.
    static let daysPerMonth = 30.4375
    /// Closing reasons that count as "concern resolved" (`metrics.md`).
    static let resolvedReasons: Set<String> = ["bekymring_ophoert", "familien_selv"]

    /// One cell: a cohort at one grain's key.
    struct Cell {
        var present = false
        var children = 0
        var exposureDays = 0
        var detected = 0
        var investigationAges: [Int32] = []
        var measureAges: [Int32] = []
        var notifications = 0
        var closed = 0
        var resolved = 0
        /// The last child counted in `children` (children come grouped).
        var lastChild: Int32 = -1
    }

    private(set) var total = [Cell](repeating: Cell(), count: 2)
    /// [cohort][year − firstYear]
    private(set) var byYear: [[Cell]]
    /// [cohort][district index]
    private(set) var byDistrict: [[Cell]]
    let firstYear: Int32
    let districts: [String]
    /// District index of each institution.
    private let districtOf: [Int]
    /// [cohort]: notifications per source (vocabulary id; -1 NULL), cases closed per reason.
    private(set) var notificationsBySource: [[Int32: Int]] = [[:], [:]]
    private(set) var closedByReason: [[Int32: Int]] = [[:], [:]]

    init(_ facts: Facts) {
        // By bytes, as the facts and views group them: a String would take canonically
        // equivalent names (`Å`, `A` + ring) for one district.
        let names = Array(Set(facts.institutions.map { Array($0.district.utf8) })).sorted { $0.lexicographicallyPrecedes($1) }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        districts = names.map { String(decoding: $0, as: UTF8.self) }
        districtOf = facts.institutions.map { index[Array($0.district.utf8)]! }
        let years = facts.exposure.lazy.map(\.year)
        firstYear = years.min() ?? 0
        let yearCount = Int((years.max() ?? firstYear) - firstYear + 1)
        byYear = [[Cell]](repeating: [Cell](repeating: Cell(), count: yearCount), count: 2)
        byDistrict = [[Cell]](repeating: [Cell](repeating: Cell(), count: names.count), count: 2)

        for x in facts.exposure {
            let c = x.cohort == .control ? 0 : 1
            let y = Int(x.year - firstYear), d = districtOf[Int(x.institution)]
            Self.addExposure(&total[c], x)
            Self.addExposure(&byYear[c][y], x)
            Self.addExposure(&byDistrict[c][d], x)
        }
        for f in facts.firstEvents {
            guard case let .attributed(cohort, institution) = f.attribution else { continue }
            let c = cohort == .control ? 0 : 1
            let y = Int(Int32(f.day.year) - firstYear), d = districtOf[Int(institution)]
            Self.addFirst(&total[c], f); Self.addFirst(&byDistrict[c][d], f)
            if byYear[c].indices.contains(y) { Self.addFirst(&byYear[c][y], f) }
        }
        for e in facts.caseEvents where e.type == .notification && e.status.code < 2 {
            let c = Int(e.status.code)
            let y = Int(Int32(e.day.year) - firstYear), d = districtOf[Int(e.status.institution)]
            total[c].notifications += 1; byDistrict[c][d].notifications += 1
            if byYear[c].indices.contains(y) { byYear[c][y].notifications += 1 }
            notificationsBySource[c][e.source, default: 0] += 1
        }
        let resolved = Set(facts.vocabulary.indices.filter { Self.resolvedReasons.contains(facts.vocabulary[$0]) }.map(Int32.init))
        for k in facts.cases where k.closed != nil {
            guard case let .attributed(cohort, institution) = k.attribution else { continue }
            let c = cohort == .control ? 0 : 1
            let y = Int(Int32(k.opened.year) - firstYear), d = districtOf[Int(institution)]
            let r = resolved.contains(k.closingReason) ? 1 : 0
            total[c].closed += 1; byDistrict[c][d].closed += 1
            total[c].resolved += r; byDistrict[c][d].resolved += r
            if byYear[c].indices.contains(y) { byYear[c][y].closed += 1; byYear[c][y].resolved += r }
            closedByReason[c][k.closingReason, default: 0] += 1
        }
    }

    private static func addExposure(_ cell: inout Cell, _ x: ExposureFact) {
        cell.present = true
        cell.exposureDays += Int(x.days)
        if cell.lastChild != x.child { cell.children += 1; cell.lastChild = x.child }
    }

    private static func addFirst(_ cell: inout Cell, _ f: FirstEventFact) {
        switch f.kind {
        case .case: cell.detected += 1
        case .investigation: cell.investigationAges.append(f.ageDays)
        case .measure: cell.measureAges.append(f.ageDays)
        }
    }

    // MARK: - Writing

    func writeCohortStats(to w: StageFileWriter) throws(StageFileError) {
        let cohorts = [Cohort.control, .treatment]
        for c in 0..<2 where total[c].present {
            try row(w, "total", cohorts[c], year: nil, district: nil, total[c])
        }
        for c in 0..<2 {
            for (y, cell) in byYear[c].enumerated() where cell.present {
                try row(w, "year", cohorts[c], year: Int(firstYear) + y, district: nil, cell)
            }
        }
        for c in 0..<2 {
            for (d, cell) in byDistrict[c].enumerated() where cell.present {
                try row(w, "district", cohorts[c], year: nil, district: districts[d], cell)
            }
        }
    }

    private func row(_ w: StageFileWriter, _ grain: String, _ cohort: Cohort, year: Int?, district: String?,
                     _ cell: Cell) throws(StageFileError) {
        w.field(grain); w.field(cohort.rawValue); w.field(year); w.field(district)
        w.field(cell.children); w.field(cell.exposureDays); w.field(cell.detected)
        Self.ages(w, cell.investigationAges)
        Self.ages(w, cell.measureAges)
        w.field(cell.notifications); w.field(cell.closed); w.field(cell.resolved)
        try w.endRecord()
    }

    /// count, mean, median, sample variance of ages in months (NULL where undefined), as
    /// PostgreSQL's `avg`, `percentile_cont(0.5)` and `var_samp` give them, from exact sums.
    private static func ages(_ w: StageFileWriter, _ ages: [Int32]) {
        let n = ages.count
        w.field(n)
        guard n > 0 else { w.null(); w.null(); w.null(); return }
        var sum = 0, squares: Int128 = 0
        for a in ages { sum += Int(a); squares += Int128(a) * Int128(a) }
        w.field(double: Double(sum) / daysPerMonth / Double(n))
        let sorted = ages.sorted()
        // percentile_cont: interpolate between the two middle values (lo + (hi − lo) · ½).
        let lo = Double(sorted[(n - 1) / 2]) / daysPerMonth, hi = Double(sorted[n / 2]) / daysPerMonth
        w.field(double: n % 2 == 1 ? lo : lo + (hi - lo) * 0.5)
        if n < 2 { w.null(); return }
        let numerator = Int128(n) * squares - Int128(sum) * Int128(sum)
        w.field(double: Double(numerator) / Double(n * (n - 1)) / (daysPerMonth * daysPerMonth))
    }

    func writeNotificationStats(to w: StageFileWriter, vocabulary: [String]) throws(StageFileError) {
        try Self.counts(w, notificationsBySource, vocabulary)
    }

    func writeClosureStats(to w: StageFileWriter, vocabulary: [String]) throws(StageFileError) {
        try Self.counts(w, closedByReason, vocabulary)
    }

    /// cohort, text (NULL for -1), count; by cohort, then text (NULL first).
    private static func counts(_ w: StageFileWriter, _ byCohort: [[Int32: Int]], _ vocabulary: [String]) throws(StageFileError) {
        for (c, cohort) in [Cohort.control, .treatment].enumerated() {
            let keys = byCohort[c].keys.sorted { a, b in
                a < 0 ? b >= 0 : (b >= 0 && bytewiseLess(vocabulary[Int(a)], vocabulary[Int(b)]))
            }
            for k in keys {
                w.field(cohort.rawValue); w.field(k < 0 ? nil : vocabulary[Int(k)]); w.field(byCohort[c][k]!)
                try w.endRecord()
            }
        }
    }
}
