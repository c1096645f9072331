import Foundation
import Yams

extension PipelineConfig {
    /// Reads and checks a pipeline file. Unknown keys, missing mappings and bad values are
    /// refused with the file, line and key, so a typo never silently falls back to a default.
    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineConfigError(path: path, line: nil, key: "(file)", message: "cannot read the pipeline file; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineConfigError(path: path, line: nil, key: "(file)", message: "not UTF-8")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> PipelineConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineConfigError(path: path, line: nil, key: "(file)", message: "the file is empty")
            }
            root = node
        } catch let error as PipelineConfigError {
            throw error
        } catch {
            throw PipelineConfigError(path: path, line: nil, key: "(file)", message: "not valid YAML: \(error)")
        }
        let top = try ConfigMap(root, key: "(top level)", path: path)
        try top.allow(["municipality", "window", "as_of", "reject_threshold", "small_cell_minimum",
                       "keep_runs", "database", "pseudonym_key", "sources", "evaluation"])

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
        guard minimum >= 1 else { throw top.error("small_cell_minimum", "must be 1 or more (1 suppresses nothing)") }
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
            evaluation: evaluation)
    }
}

extension PipelineConfig.Source {
    static func parse(_ m: ConfigMap, kind: SourceKind) throws -> Self {
        try m.allow(["file", "format", "delimiter", "encoding", "date_formats", "element", "columns"])
        let format = try m.choice("format", SourceFormat.self)
        let delimiterText = try m.optionalString("delimiter") ?? ";"
        guard delimiterText.utf8.count == 1, let delimiter = delimiterText.utf8.first, delimiter != 0x22,
              delimiter != 0x0A, delimiter != 0x0D else {
            throw m.error("delimiter", "must be one ASCII character other than a quote or a line break")
        }
        let encoding = m.has("encoding") ? try m.choice("encoding", TextEncoding.self) : .utf8
        var dateFormats: [DateFormat] = [.danish, .iso]
        if m.has("date_formats") {
            dateFormats = try m.list("date_formats").map { item in
                guard let f = DateFormat(rawValue: item.text) else {
                    throw m.error("date_formats", "unknown date format '\(item.text)'; one of \(DateFormat.allCases.map(\.rawValue).joined(separator: ", "))", line: item.line)
                }
                return f
            }
            guard !dateFormats.isEmpty else { throw m.error("date_formats", "name at least one date format") }
        }
        let columnsMap = try m.map("columns")
        try columnsMap.allow(kind.fields)
        var columns: [String: String] = [:]
        for field in kind.fields {
            guard columnsMap.has(field) else {
                throw columnsMap.error(field, "missing mapping: name the \(format == .xml ? "attribute or element" : "column") that holds '\(field)'")
            }
            columns[field] = try columnsMap.string(field)
        }
        let defaultElement = kind == .institutions ? "Institution" : "Haendelse"
        let element = try m.optionalString("element") ?? defaultElement
        if format == .csv, m.has("element") { throw m.error("element", "only for XML sources") }
        return Self(kind: kind, file: try m.string("file"), format: format, delimiter: delimiter, encoding: encoding,
                    dateFormats: dateFormats, recordElement: element, columns: columns)
    }
}

/// A YAML mapping with the file and line of every key, for precise errors.
struct ConfigMap {
    let path: String
    let key: String
    let line: Int?
    private var entries: [(key: String, line: Int?, value: Node)] = []

    init(_ node: Node, key: String, path: String) throws {
        self.path = path
        self.key = key
        self.line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw PipelineConfigError(path: path, line: node.mark?.line, key: key, message: "must be a mapping of keys to values")
        }
        for (k, v) in mapping {
            guard let name = k.string else {
                throw PipelineConfigError(path: path, line: k.mark?.line, key: key, message: "keys must be text")
            }
            if entries.contains(where: { $0.key == name }) {
                throw PipelineConfigError(path: path, line: k.mark?.line, key: qualified(name), message: "given twice")
            }
            entries.append((name, k.mark?.line, v))
        }
    }

    private func qualified(_ name: String) -> String { key.hasPrefix("(") ? name : "\(key).\(name)" }

    func error(_ name: String, _ message: String, line: Int? = nil) -> PipelineConfigError {
        PipelineConfigError(path: path, line: line ?? entries.first { $0.key == name }?.line ?? self.line,
                            key: qualified(name), message: message)
    }

    func has(_ name: String) -> Bool {
        guard let v = entries.first(where: { $0.key == name })?.value else { return false }
        return v.null == nil
    }

    func allow(_ names: [String]) throws {
        for e in entries where !names.contains(e.key) {
            throw PipelineConfigError(path: path, line: e.line, key: qualified(e.key),
                                      message: "unknown key; expected one of \(names.joined(separator: ", "))")
        }
    }

    private func node(_ name: String) throws -> Node {
        guard let v = entries.first(where: { $0.key == name })?.value, v.null == nil else {
            throw PipelineConfigError(path: path, line: line, key: qualified(name), message: "missing; this key is required")
        }
        return v
    }

    func map(_ name: String) throws -> ConfigMap { try ConfigMap(node(name), key: qualified(name), path: path) }

    func string(_ name: String) throws -> String {
        let v = try node(name)
        guard case .scalar(let s) = v, !s.string.isEmpty else { throw error(name, "must be a non-empty text value") }
        return s.string
    }

    func optionalString(_ name: String) throws -> String? { has(name) ? try string(name) : nil }

    func int(_ name: String, default value: Int) throws -> Int {
        guard has(name) else { return value }
        guard let v = try node(name).int else { throw error(name, "must be a whole number") }
        return v
    }

    func double(_ name: String, default value: Double) throws -> Double {
        guard has(name) else { return value }
        guard let v = try node(name).float else { throw error(name, "must be a number") }
        return v
    }

    func day(_ name: String) throws -> Day {
        let text = try string(name)
        guard let d = Day(iso: text) else { throw error(name, "'\(text)' is not a date yyyy-mm-dd") }
        return d
    }

    func optionalDay(_ name: String) throws -> Day? { has(name) ? try day(name) : nil }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws -> T where T.RawValue == String {
        let text = try string(name)
        guard let v = T(rawValue: text.lowercased()) else {
            throw error(name, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func list(_ name: String) throws -> [(text: String, line: Int?)] {
        guard case .sequence(let seq) = try node(name) else { throw error(name, "must be a list") }
        return seq.map { ($0.string ?? "", $0.mark?.line) }
    }
}
