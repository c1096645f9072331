/// The stages of a run, in order.
package enum Stage: String, Sendable, CaseIterable, Codable, Comparable {
    case extract, transform, load

    package static func < (a: Stage, b: Stage) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
