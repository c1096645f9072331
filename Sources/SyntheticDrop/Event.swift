import Pipeline

enum Kilde: Int, CaseIterable {
    case daginstitution, daginstitutionsraadgiver, skole, sundhedspleje, politi, foraeldre, andre

    var code: String {
        ["daginstitution", "daginstitutionsraadgiver", "skole", "sundhedspleje", "politi", "foraeldre", "andre"][rawValue]
    }
}

enum Aarsag: Int, CaseIterable {
    case bekymringOphoert, familienSelv, flyttet, andenSag, andet

    var code: String { ["bekymring_ophoert", "familien_selv", "flyttet", "anden_sag", "andet"][rawValue] }
}

/// One event of a synthetic case, as `sagshaendelser` records it.
struct Event {
    /// `S-YYYY-NNNNNN` as YYYY × 1,000,000 + NNNNNN.
    var caseNumber: Int
    var type: EventType
    var day: Day
    var paragraf: String
    var kilde: Kilde?
    var aarsag: Aarsag?
    /// Index into `Names.notes`, or -1.
    var note: Int
}
