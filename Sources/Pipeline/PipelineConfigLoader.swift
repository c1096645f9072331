import Foundation

extension PipelineConfig {
    /// Reads and checks a pipeline file. Unknown keys, missing mappings and bad values are
    /// refused with the file, line and key, so a typo never silently falls back to a default.
    package static func load(path: String) throws -> PipelineConfig {
        try parse(try ConfigMap.text(path: path, of: "pipeline file"), path: path)
    }

    package static func parse(_ text: String, path: String) throws -> PipelineConfig {
        let top = try ConfigMap.top(text, path: path)
        try top.allow(["municipality", "window", "as_of", "reject_threshold", "small_cell_minimum",
                       "keep_runs", "database", "pseudonym_key", "sources", "evaluation", "report"])

        let window = try top.map("window")
        try window.allow(["from", "to"])
        let windowFrom = try window.day("from")
        let windowTo = try window.optionalDay("to")
        if let windowTo, windowTo < windowFrom {
            throw window.error("to", "the window ends before it starts (\(windowFrom))")
        }

        let threshold = try top.double("reject_threshold", default: 0.05)
        guard (0...1).contains(threshold) else { throw top.error("reject_threshold", "must be a share between 0 and 1") }
        let minimum = try top.int("small_cell_minimum", default: 5)
        // The warehouse keeps it as an integer (a value beyond one failed in the load, an adversarial review).
        guard (1...PipelineConfig.largestSmallCellMinimum).contains(minimum) else {
            throw top.error("small_cell_minimum", "must be from 1 (which suppresses nothing) to 1000000")
        }
        let keep = try top.int("keep_runs", default: 7)
        guard keep >= 1 else { throw top.error("keep_runs", "must be 1 or more") }

        var key = KeySource(environmentVariable: "ETL_PSEUDONYM_KEY", file: nil)
        if top.has("pseudonym_key") {
            let k = try top.map("pseudonym_key")
            try k.allow(["env", "file"])
            key.environmentVariable = try k.optionalString("env") ?? key.environmentVariable
            key.file = try k.optionalString("file")
        }

        var evaluation = EvaluationSettings()
        if top.has("evaluation") {
            let e = try top.map("evaluation")
            try e.allow(["period", "control_group"])
            if e.has("period") { evaluation.period = try e.choice("period", EvaluationPeriodLength.self) }
            if e.has("control_group") { evaluation.controlGroup = try e.choice("control_group", EvaluationControlGroup.self) }
        }

        let sourcesMap = try top.map("sources")
        try sourcesMap.allow(SourceKind.allCases.map(\.rawValue))
        func source(_ kind: SourceKind) throws -> Source {
            try Source.parse(sourcesMap.map(kind.rawValue), kind: kind)
        }

        var report = ReportSettings()
        if top.has("report") {
            let r = try top.map("report")
            try r.allow(["language", "out", "committee"])
            report.language = r.has("language") ? try r.choice("language", ReportLanguage.self) : nil
            report.out = try r.optionalString("out")
            report.committee = try r.optionalString("committee")
            if let committee = report.committee, committee.trimmingCharacters(in: .whitespaces).isEmpty {
                throw r.error("committee", "give the committee's name, or leave the key out")
            }
        }

        return PipelineConfig(
            path: path,
            municipality: try top.string("municipality"),
            windowFrom: windowFrom, windowTo: windowTo,
            asOf: try top.optionalDay("as_of"),
            rejectThreshold: threshold, smallCellMinimum: minimum, keepRuns: keep,
            database: try top.optionalString("database"),
            pseudonymKey: key,
            sources: Sources(institutions: try source(.institutions), assignments: try source(.assignments),
                             enrolments: try source(.enrolments), caseEvents: try source(.caseEvents)),
            evaluation: evaluation, report: report)
    }
}

extension PipelineConfig.Source {
    static func parse(_ m: ConfigMap, kind: SourceKind) throws -> Self {
        try m.allow(["file", "format", "delimiter", "encoding", "date_formats", "element", "columns",
                     "reject_threshold", "nummer_pattern", "values", "filter", "max_field_lines", "allow_link_outside_drop"])
        let format = try m.choice("format", SourceFormat.self)
        let delimiterText = try m.optionalString("delimiter") ?? ";"
        guard delimiterText.utf8.count == 1, let delimiter = delimiterText.utf8.first, delimiter != 0x22,
              delimiter != 0x0A, delimiter != 0x0D else {
            // `'\t'` in single quotes is two characters to YAML: a steward wrote it so for a tab.
            let tab = delimiterText == "\\t" ? ": a tab is written \"\\t\", in double quotes" : ""
            throw m.error("delimiter", "must be one ASCII character other than a quote or a line break\(tab)")
        }
        if format == .xml, m.has("delimiter") { throw m.error("delimiter", "only for CSV sources") }
        var encoding = TextEncoding.utf8
        if m.has("encoding") {
            let name = try m.string("encoding")
            guard let named = TextEncoding(named: name) else {
                throw m.error("encoding", "'\(name)' is not one of \(TextEncoding.allCases.map(\.rawValue).joined(separator: ", ")) (or an alias: utf8, cp1252, latin1)")
            }
            encoding = named
        }
        // The contract: CSV dates are dd-mm-yyyy or ISO, XML dates ISO only (an independent
        // check found 01-01-2020 in an XML export loaded as a day).
        var dateFormats: [DateFormat] = format == .xml ? [.iso] : [.danish, .iso]
        if m.has("date_formats") {
            dateFormats = try m.list("date_formats").map { item in
                guard let f = DateFormat(rawValue: item.text) else {
                    throw m.error("date_formats", "unknown date format '\(item.text)'; one of \(DateFormat.allCases.map(\.rawValue).joined(separator: ", "))", line: item.line)
                }
                return f
            }
            guard !dateFormats.isEmpty else { throw m.error("date_formats", "name at least one date format") }
        }
        let (columns, columnLines) = try parseColumns(m.map("columns"), kind: kind, format: format)
        let defaultElement = kind == .institutions ? "Institution" : "Haendelse"
        let element = try m.optionalString("element") ?? defaultElement
        if format == .csv, m.has("element") { throw m.error("element", "only for XML sources") }

        var source = Self(kind: kind, file: try m.string("file"), format: format, delimiter: delimiter, encoding: encoding,
                          dateFormats: dateFormats, recordElement: element, columns: columns)
        source.columnLines = columnLines
        if m.has("reject_threshold") {
            let t = try m.double("reject_threshold", default: 0)
            guard (0...1).contains(t) else { throw m.error("reject_threshold", "must be a share between 0 and 1") }
            source.rejectThreshold = t
        }
        if m.has("nummer_pattern") {
            guard kind == .institutions else {
                throw m.error("nummer_pattern", "only for the register (sources.institutioner): it checks the institution numbers")
            }
            let pattern = try m.string("nummer_pattern")
            do { _ = try Regex(pattern) } catch {
                throw m.error("nummer_pattern", "'\(pattern)' is not a regular expression: \(error)")
            }
            source.numberPattern = pattern
        }
        if m.has("values") { source.values = try parseValues(m.map("values"), kind: kind, columns: columns) }
        if m.has("filter") { source.filter = try parseFilter(m.map("filter")) }
        if m.has("max_field_lines") {
            guard format == .csv else { throw m.error("max_field_lines", "only for CSV sources") }
            let n = try m.int("max_field_lines", default: 20)
            guard n >= 1 else { throw m.error("max_field_lines", "must be 1 or more (1: no line breaks inside a field)") }
            source.maxFieldLines = n
        }
        source.allowLinkOutsideDrop = try m.bool("allow_link_outside_drop", default: false)
        return source
    }

    /// Every required field mapped; an optional one may be left out or mapped to `null`.
    private static func parseColumns(_ m: ConfigMap, kind: SourceKind, format: SourceFormat) throws
        -> ([String: String], [String: Int]) {
        try m.allow(kind.fields)
        var columns: [String: String] = [:], lines: [String: Int] = [:]
        let what = format == .xml ? "attribute or element" : "column"
        for field in kind.fields {
            guard m.has(field) else {
                if kind.requiredFields.contains(field) {
                    let optional = kind.fields.filter { !kind.requiredFields.contains($0) }
                    throw m.error(field, "missing mapping: name the \(what) that holds '\(field)' (required; "
                                  + "of this export only \(optional.joined(separator: ", ")) may be left out or mapped to null)")
                }
                continue
            }
            columns[field] = try m.string(field)
            lines[field] = m.line(of: field)
        }
        for (field, column) in columns {
            if let other = columns.first(where: { $0.key < field && $0.value == column }) {
                throw m.error(field, "'\(column)' is mapped to '\(other.key)' too; each \(what) gives one field")
            }
        }
        return (columns, lines)
    }

    private static func parseValues(_ m: ConfigMap, kind: SourceKind, columns: [String: String]) throws
        -> [String: PipelineConfig.ValueMap] {
        guard !kind.mappableFields.isEmpty else {
            throw ConfigFileError(path: m.path, line: m.line, key: m.key, message: "this export has no field whose values can be mapped")
        }
        try m.allow(kind.mappableFields)
        var out: [String: PipelineConfig.ValueMap] = [:]
        for field in m.keys {
            guard columns[field] != nil else { throw m.error(field, "'\(field)' is not mapped under columns; map it first") }
            let rules = try m.map(field)
            try rules.allow(["exact", "contains", "default"])
            var map = PipelineConfig.ValueMap()
            // A rule's value of a closed field is a word of the contract: a typo (`anden` for
            // `andre`) was loaded as a category of its own (a new steward's trial).
            let vocabulary = ContractVocabulary.values[field]
            // A required field emptied by a rule rejects every record it matches as "empty"
            // though the export has a value, and the export is blamed (a re-test).
            let required = kind.requiredFields.contains(field) ? field : nil
            if rules.has("exact") { map.exact = try parseRules(rules.map("exact"), vocabulary: vocabulary, required: required) }
            if rules.has("contains") { map.contains = try parseRules(rules.map("contains"), vocabulary: vocabulary, required: required) }
            if rules.isNull("default") {
                if let required { throw rules.error("default", Self.emptiesRequired(required)) }
                map.fallback = .empty
            } else if rules.has("default") {
                map.fallback = .value(try checkWord(try rules.string("default"), vocabulary, rules, "default"))
            }
            guard !map.exact.isEmpty || !map.contains.isEmpty || rules.present("default") else {
                throw m.error(field, "give at least one of exact, contains, default")
            }
            out[field] = map
        }
        return out
    }

    /// `value`, given at `key` of `m`, as the word of the field's `vocabulary` it is in any case
    /// (as values compare); any value when the field has none.
    private static func checkWord(_ value: String, _ vocabulary: Set<String>?, _ m: ConfigMap, _ key: String) throws -> String {
        guard let vocabulary else { return value }
        let word = value.trimmingCharacters(in: .whitespaces).lowercased()
        guard vocabulary.contains(word) else {
            throw m.error(key, "'\(value)' is no value of the contract here: one of \(vocabulary.sorted().joined(separator: ", "))")
        }
        return word
    }

    static func emptiesRequired(_ field: String) -> String {
        "null would empty \(field), which every record needs: such records would be rejected as empty. "
            + "Map the value to a word of the contract, or leave such records out with filter: skip"
    }

    /// `{export value: contract value}` pairs in the order written; a null value empties the
    /// field (not one that is `required`).
    private static func parseRules(_ m: ConfigMap, vocabulary: Set<String>?, required: String?) throws -> [PipelineConfig.ValueMap.Rule] {
        guard !m.keys.isEmpty else { throw ConfigFileError(path: m.path, line: m.line, key: m.key, message: "give at least one value") }
        var seen: [String: String] = [:]
        return try m.keys.map { key in
            let folded = key.trimmingCharacters(in: .whitespaces).lowercased()
            guard !folded.isEmpty else { throw m.error(key, "an empty value cannot be matched") }
            if let other = seen[folded] { throw m.error(key, "the same as '\(other)' (values are compared without regard to case)") }
            seen[folded] = key
            if m.isNull(key), let required { throw m.error(key, emptiesRequired(required)) }
            guard !m.isNull(key) else { return .init(match: key, value: nil) }
            return .init(match: key, value: try checkWord(try m.string(key), vocabulary, m, key))
        }
    }

    private static func parseFilter(_ m: ConfigMap) throws -> PipelineConfig.RowFilter {
        try m.allow(["keep", "skip"])
        func conditions(_ name: String) throws -> [PipelineConfig.RowFilter.Condition] {
            guard m.has(name) else { return [] }
            let c = try m.map(name)
            guard !c.keys.isEmpty else { throw m.error(name, "name at least one column") }
            return try c.keys.map { column in
                let values = try c.stringList(column)
                guard !values.isEmpty else { throw c.error(column, "give at least one value") }
                return .init(column: column, values: values, line: c.line(of: column))
            }
        }
        let filter = PipelineConfig.RowFilter(keep: try conditions("keep"), skip: try conditions("skip"))
        guard !filter.keep.isEmpty || !filter.skip.isEmpty else {
            throw ConfigFileError(path: m.path, line: m.line, key: m.key, message: "give keep, skip or both")
        }
        return filter
    }
}
