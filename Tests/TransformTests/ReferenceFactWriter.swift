import TestSupport
import Pipeline
@testable import Transform

/// The fact files written field by field with TestSupport's `ReferenceStageWriter`: the reference
/// the stage's own byte-copying writer (`FactRows`) must match byte for byte.
enum ReferenceFactWriter {
    static func write(_ file: FactFile, _ facts: Facts, to path: String) throws(TransformError) -> Int {
        do {
            let w = try ReferenceStageWriter(path: path)
            switch file {
            case .institutions: try institutions(facts, w)
            case .children: try children(facts, w)
            case .enrolments: try enrolments(facts, w)
            case .coverage: try coverage(facts, w)
            case .exposure: try exposure(facts, w)
            case .caseEvents: try caseEvents(facts, w)
            case .firstEvents: try firstEvents(facts, w)
            case .cases: try cases(facts, w)
            case .evaluationPanel: try evaluationPanel(facts, w)
            }
            try w.close()
            return w.rows
        } catch let e as StageFileError {
            throw TransformError(e)
        } catch {
            throw .stageFile(path: path, line: nil, message: "write failed: \(error)")
        }
    }

    private static func institutions(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for r in f.institutions {
            w.field(r.number); w.field(r.name); w.field(r.type); w.field(r.district); w.field(r.cluster)
            w.field(r.places); w.field(r.opened); w.field(r.closed)
            try w.endRecord()
        }
    }

    private static func children(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for (i, (key, birth)) in zip(f.childKeys, f.births).enumerated() {
            w.field(key); w.field(birth); w.field(i)
            try w.endRecord()
        }
    }

    private static func enrolments(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for e in f.enrolments {
            w.field(f.number(e.institution)); w.field(e.from); w.field(e.to); w.field(Int(e.child))
            try w.endRecord()
        }
    }

    private static func coverage(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for c in f.coverage {
            w.field(f.number(c.institution)); w.field(c.from); w.field(c.to)
            try w.endRecord()
        }
    }

    private static func exposure(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for x in f.exposure {
            w.field(x.cohort.rawValue); w.field(Int(x.year))
            w.field(f.number(x.institution)); w.field(f.district(x.institution)); w.field(Int(x.days)); w.field(Int(x.child))
            try w.endRecord()
        }
    }

    private static func caseEvents(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for e in f.caseEvents {
            w.field(f.caseIDs[Int(e.caseRef)]); w.field(e.type.rawValue)
            w.field(e.day); w.field(f.text(e.paragraph)); w.field(f.text(e.source)); w.field(f.text(e.reason))
            w.field(Int(e.ageDays))
            attribution(e.attribution, f, w)
            w.field(Int(e.child))
            try w.endRecord()
        }
    }

    private static func firstEvents(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for e in f.firstEvents {
            w.field(e.kind.rawValue); w.field(e.day); w.field(Int(e.ageDays))
            attribution(e.attribution, f, w)
            w.field(Int(e.child))
            try w.endRecord()
        }
    }

    private static func cases(_ f: Facts, _ w: ReferenceStageWriter) throws {
        for c in f.cases {
            w.field(f.caseIDs[Int(c.caseRef)]); w.field(c.opened)
            w.field(Int(c.ageDays))
            attribution(c.attribution, f, w)
            w.field(c.closed); w.field(f.text(c.closingReason)); w.field(Int(c.child))
            try w.endRecord()
        }
    }

    private static func evaluationPanel(_ f: Facts, _ w: ReferenceStageWriter) throws {
        let p = f.panel
        for i in f.institutions.indices {
            for (k, period) in p.periods.periods.enumerated() {
                let c = p.cell(Int32(i), k + 1)
                w.field(f.institutions[i].number); w.field(k + 1); w.field(period.lowerBound); w.field(period.upperBound)
                w.field(Int(p.groups[i])); w.field(Int(p.exposureDays[c])); w.field(Int(p.children[c]))
                for kind in p.events { w.field(Int(kind[c])) }
                try w.endRecord()
            }
        }
    }

    /// cohort, institution, district, unattributed_reason: the first three or the last is NULL.
    private static func attribution(_ a: Attribution, _ f: Facts, _ w: ReferenceStageWriter) {
        switch a {
        case let .attributed(cohort, institution):
            w.field(cohort.rawValue); w.field(f.number(institution)); w.field(f.district(institution))
            w.field(nil as String?)
        case let .unattributed(reason):
            w.field(nil as String?); w.field(nil as String?); w.field(nil as String?); w.field(reason.rawValue)
        }
    }
}
