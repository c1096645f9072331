import Pipeline

/// The records in the stage files' column order, through `StageWriter`. The order is the
/// one of `Records.swift`'s `write(to: CopyTextWriter)`: a test compares the bytes of both.
extension InstitutionRecord {
    func write(to w: StageWriter) throws(ExtractError) {
        try w.field(number); try w.field(name); try w.field(type); try w.field(district); try w.field(cluster)
        try w.field(places); try w.field(opened); try w.field(closed); try w.field(line)
        try w.endRecord()
    }
}

extension AssignmentRecord {
    func write(to w: StageWriter) throws(ExtractError) {
        try w.field(staffID); try w.field(institution); try w.field(from); try w.field(to); try w.field(line)
        try w.endRecord()
    }
}

extension EnrolmentRecord {
    func write(to w: StageWriter) throws(ExtractError) {
        try w.field(childKey); try w.field(birth); try w.field(institution); try w.field(from); try w.field(to); try w.field(line)
        try w.endRecord()
    }
}

extension CaseEventRecord {
    func write(to w: StageWriter) throws(ExtractError) {
        try w.field(caseID); try w.field(childKey); try w.field(birth); try w.field(event.rawValue); try w.field(day)
        try w.field(paragraph); try w.field(source); try w.field(reason); try w.field(line)
        try w.endRecord()
    }
}

extension RejectRecord {
    func write(to w: StageWriter) throws(ExtractError) {
        try w.field(file); try w.field(line); try w.field(field); try w.field(reason.rawValue); try w.field(message)
        try w.endRecord()
    }
}
