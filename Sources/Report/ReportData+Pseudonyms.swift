/// Labels holding a CPR number's pseudonym: extract writes a number typed into a text field
/// (a district, an institution number) as `[cpr:` + 16 hex digits of the child's key + `]`,
/// which analysts' views keep so that it still joins. On the committee's page such a label
/// would link a row to one child's rows for whoever holds the warehouse, and the page says it
/// carries no personal data: each is shown as `[CPR 1]`, `[CPR 2]`, … in the order met.
extension ReportData {
    mutating func maskPseudonyms() {
        let pseudonym = /\[cpr:[0-9a-f]{16}\]/
        var labels: [Substring: String] = [:]
        func mask(_ rows: inout [ViewRow]) {
            for r in rows.indices {
                for k in rows[r].key.indices {
                    guard let value = rows[r].key[k].value, value.contains("[cpr:") else { continue }
                    rows[r].key[k].value = value.replacing(pseudonym) { match in
                        if let label = labels[match.output] { return label }
                        let label = "[CPR \(labels.count + 1)]"
                        labels[match.output] = label
                        return label
                    }
                }
            }
        }
        mask(&summary); mask(&byYear); mask(&byDistrict); mask(&comparison); mask(&dataQuality)
        if did != nil {
            mask(&did!.summary); mask(&did!.eventStudy); mask(&did!.status); mask(&did!.leftOut)
        }
    }
}
