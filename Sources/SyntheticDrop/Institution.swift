import Pipeline

enum InstitutionType: Int, CaseIterable {
    case vuggestue, boernehave, integreret

    var code: String {
        switch self {
        case .vuggestue: return "vuggestue"
        case .boernehave: return "boernehave"
        case .integreret: return "integreret"
        }
    }
}

struct Institution {
    var number: Int
    var name: String
    var type: InstitutionType
    var district: Int
    var cluster: String
    var places: Int
    var opened: Day
    var closed: Day?
    /// Days with a social worker attached, merged and sorted, open ends at the as-of date.
    var coverage: [ClosedRange<Int32>] = []

    func isOpen(on d: Day) -> Bool { opened <= d && (closed.map { d <= $0 } ?? true) }
}
