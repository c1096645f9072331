import Pipeline
import TestSupport
@testable import Transform

/// A day from ISO text; test literals only.
func D(_ iso: String) -> Day { Day(iso: iso)! }

func institution(_ number: String, district: String, line: Int = 0) -> InstitutionRecord {
    InstitutionRecord(number: number, name: "Institution \(number)", type: "integreret", district: district,
                      cluster: nil, places: 40, opened: D("2000-01-01"), closed: nil, line: line)
}

func assignment(_ inst: String, _ from: String, _ to: String?, staff: String = "w1", line: Int = 0) -> AssignmentRecord {
    AssignmentRecord(staffID: staff, institution: inst, from: D(from), to: to.map(D), line: line)
}

func spell(_ child: String, born: String, _ inst: String, _ from: String, _ to: String?, line: Int = 0) -> EnrolmentRecord {
    EnrolmentRecord(childKey: child, birth: D(born), institution: inst, from: D(from), to: to.map(D), line: line)
}

func event(_ caseID: String, _ child: String, born: String, _ type: EventType, _ day: String,
           source: String? = nil, reason: String? = nil, line: Int) -> CaseEventRecord {
    CaseEventRecord(caseID: caseID, childKey: child, birth: D(born), event: type, day: D(day),
                    paragraph: type == .investigationStarted ? "50" : nil, source: source, reason: reason, line: line)
}

/// Readable renderings of fact rows, so expectations read like the files.
extension Facts {
    func render(_ a: Attribution) -> String {
        switch a {
        case let .attributed(cohort, i): "\(cohort.rawValue)/\(number(i))/\(district(i))"
        case let .unattributed(reason): reason.rawValue
        }
    }

    /// "child cohort year institution days", in output order.
    var exposureLines: [String] {
        exposure.map { "\(childKeys[Int($0.child)]) \($0.cohort.rawValue) \($0.year) \(number($0.institution)) \($0.days)" }
    }

    /// "child kind day age attribution", in output order.
    var firstEventLines: [String] {
        firstEvents.map { "\(childKeys[Int($0.child)]) \($0.kind.rawValue) \($0.day) \($0.ageDays) \(render($0.attribution))" }
    }

    /// "case child opened age attribution closed reason", in output order.
    var caseLines: [String] {
        cases.map {
            "\(caseIDs[Int($0.caseRef)]) \(childKeys[Int($0.child)]) \($0.opened) \($0.ageDays) \(render($0.attribution))"
                + " \($0.closed?.iso ?? "-") \(text($0.closingReason) ?? "-")"
        }
    }

    /// "line: age attribution" per case event, keyed by the event's line.
    var caseEventStatus: [Int: String] {
        Dictionary(uniqueKeysWithValues: caseEvents.map { (Int($0.line), "\($0.ageDays) \(render($0.attribution))") })
    }

    var coverageLines: [String] { coverage.map { "\(number($0.institution)) \($0.from) \($0.to)" } }
}


extension Facts {
    /// The panel as `ReferenceModel.panel` renders it.
    var panelCells: (cells: [String: String], groups: [String: Int]) {
        var cells: [String: String] = [:], groups: [String: Int] = [:]
        for (i, inst) in institutions.enumerated() {
            groups[inst.number] = Int(panel.groups[i])
            for p in stride(from: 1, through: panel.periods.count, by: 1) {
                let c = panel.cell(Int32(i), p)
                cells["\(inst.number) \(p)"] = "\(panel.exposureDays[c]) \(panel.children[c]) "
                    + panel.events.map { String($0[c]) }.joined(separator: " ")
            }
        }
        return (cells, groups)
    }
}
