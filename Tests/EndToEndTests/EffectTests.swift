import Foundation
import Testing
import Operations
import Pipeline
import SyntheticDrop

/// The whole pipeline on synthetic municipalities of about 20,000 children whose effect is
/// known: the figures read back from the metrics views must find it — and find none when
/// there is none.
@Suite struct EffectTests {
    struct Comparison {
        let estimate: Double, low: Double, high: Double
        func holds(_ value: Double) -> Bool { low <= value && value <= high }
    }

    func comparisons(_ h: Harness) throws -> [String: Comparison] {
        var out: [String: Comparison] = [:]
        for row in try h.connect().query("SELECT comparison, estimate, ci_low, ci_high FROM metrics.cohort_comparison") {
            out[row.string(0)!] = Comparison(estimate: try row.double(1)!, low: try row.double(2)!, high: try row.double(3)!)
        }
        return out
    }

    @Test func theInjectedEffectIsFoundInTheViews() throws {
        let h = try Harness()
        let (drop, truth) = try h.drop(children: 20_000)
        let summary = try h.runner().runNew(drop: drop, inbox: nil, force: false, asOf: nil)
        #expect(summary.published)
        // Drop → published ends at the publish's commit, before the report and the run's end.
        #expect(summary.secondsToPublished.map { $0 > 0 && $0 < summary.seconds } == true)
        #expect(summary.rejected == 0)
        let c = try comparisons(h)
        #expect(c["detection_rate_per_1000"]!.holds(2), "\(c["detection_rate_per_1000"]!)")
        #expect(!c["detection_rate_per_1000"]!.holds(1))
        #expect(c["mean_age_first_investigation_months"]!.holds(-4), "\(c["mean_age_first_investigation_months"]!)")
        #expect(c["mean_age_first_measure_months"]!.holds(-7.5), "\(c["mean_age_first_measure_months"]!)")
        #expect(!c["mean_age_first_measure_months"]!.holds(0))

        // The warehouse counts exactly what the generator knows it made.
        let t = truth.truth
        let counts = try h.rows("""
            SELECT cohort, children_exposed, detected, investigated, measured FROM warehouse.cohort_figures
            WHERE grain = 'total' ORDER BY cohort DESC
            """)
        #expect(counts == [
            ["treatment", "\(t.childrenExposed.treatment)", "\(t.detected.treatment)", "\(t.investigated.treatment)", "\(t.measured.treatment)"],
            ["control", "\(t.childrenExposed.control)", "\(t.detected.control)", "\(t.investigated.control)", "\(t.measured.control)"],
        ])
        let days = try h.rows("SELECT cohort, sum(days) FROM warehouse.exposure JOIN etl.published USING (load_id) GROUP BY cohort ORDER BY cohort DESC")
        #expect(days == [["treatment", "\(t.exposureDays.treatment)"], ["control", "\(t.exposureDays.control)"]])
    }

    /// Neither an effect nor a selection (selection alone: `EvaluationTests`).
    @Test func noEffectIsFoundWhenThereIsNone() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: 20_000, effect: .none, selection: 1)
        _ = try h.runner().runNew(drop: drop, inbox: nil, force: false, asOf: nil)
        let c = try comparisons(h)
        #expect(c["detection_rate_per_1000"]!.holds(1), "\(c["detection_rate_per_1000"]!)")
        #expect(c["mean_age_first_investigation_months"]!.holds(0), "\(c["mean_age_first_investigation_months"]!)")
        #expect(c["mean_age_first_measure_months"]!.holds(0), "\(c["mean_age_first_measure_months"]!)")
    }

    @Test func aDirtyDropRejectsEveryInjectedRecordAndStillFindsTheEffect() throws {
        let h = try Harness()
        let (drop, summary) = try h.drop(children: 20_000, dirty: 0.01)
        #expect(summary.injected.count > 100)
        let run = try h.runner().runNew(drop: drop, inbox: nil, force: false, asOf: nil)
        #expect(run.rejected == summary.injected.count)

        let reason: [DirtyKind: RejectReason] = [
            .nonexistentDate: .nonexistentDate, .invalidCPR: .invalidCPR, .unknownEventType: .unknownEventType,
            .unknownInstitution: .unknownInstitution, .endBeforeStart: .endBeforeStart,
            .wrongColumnCount: .wrongColumnCount, .strayQuote: .malformedField, .duplicateInstitution: .duplicateInstitution]
        var expected: [String: Int] = [:]
        for bad in summary.injected { expected["\(bad.file)/\(reason[bad.kind]!.rawValue)", default: 0] += 1 }
        var found: [String: Int] = [:]
        for row in try h.rows("SELECT subject, reason, records FROM warehouse.data_quality WHERE category = 'rejected'") {
            found["\(row[0]!)/\(row[1]!)"] = Int(row[2]!)
        }
        #expect(found == expected)
        // Each reject names the line the generator put the bad record on.
        let lines = Set(try h.rows("SELECT file, line FROM etl.rejects").map { "\($0[0]!):\($0[1]!)" })
        for bad in summary.injected where bad.line != nil { #expect(lines.contains("\(bad.file):\(bad.line!)")) }

        let c = try comparisons(h)
        #expect(c["detection_rate_per_1000"]!.holds(2))
        #expect(c["mean_age_first_investigation_months"]!.holds(-4))
        #expect(c["mean_age_first_measure_months"]!.holds(-7.5))
    }
}
