import Foundation
import Pipeline
import Postgres
import Yams

extension NationalFile {
    /// Reads and checks a national file: unknown keys, missing values, a password in a
    /// connection string, two municipalities with one name or code are refused with the
    /// file, line and key, as pipeline files are.
    package static func load(path: String) throws -> NationalFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NationalFileError(path: path, line: nil, key: "(file)", message: "cannot read the national file; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NationalFileError(path: path, line: nil, key: "(file)", message: "not UTF-8")
        }
        return try parse(text, path: path)
    }

    package static func parse(_ text: String, path: String) throws -> NationalFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw NationalFileError(path: path, line: nil, key: "(file)", message: "the file is empty")
            }
            root = node
        } catch let error as NationalFileError {
            throw error
        } catch {
            throw NationalFileError(path: path, line: nil, key: "(file)", message: "not valid YAML: \(error)")
        }
        let top = try YAMLMap(root, key: "(top level)", path: path)
        try top.allow(["database", "small_cell_minimum", "evaluation", "keep_snapshots", "connect_timeout", "municipalities"])
        let minimum = try top.int("small_cell_minimum", default: 5)
        guard minimum >= 1 else { throw top.error("small_cell_minimum", "must be 1 or more") }
        let keep = try top.int("keep_snapshots", default: 7)
        guard keep >= 1 else { throw top.error("keep_snapshots", "must be 1 or more") }
        let timeout = try top.int("connect_timeout", default: 10)
        guard timeout >= 1 else { throw top.error("connect_timeout", "must be 1 second or more") }
        var period = EvaluationPeriodLength.quarter
        if top.has("evaluation") {
            let e = try top.map("evaluation")
            try e.allow(["period"])
            if e.has("period") {
                let text = try e.string("period")
                guard let p = EvaluationPeriodLength(rawValue: text) else {
                    throw e.error("period", "'\(text)' is not one of \(EvaluationPeriodLength.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                period = p
            }
        }

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var members: [Member] = []
        for entry in try top.list("municipalities") {
            let m = try YAMLMap(entry, key: "municipalities[\(members.count + 1)]", path: path)
            try m.allow(["name", "code", "feed", "password_env", "password_file"])
            let name = try m.string("name")
            let code = try m.string("code")
            guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw m.error("code", "'\(code)' is not a municipality code (three digits, e.g. \"101\"; quote it to keep its leading zeros)")
            }
            let feed = try m.string("feed")
            guard let info = ConnectionInfo.parse(feed) else {
                throw m.error("feed", "not a libpq connection string or URL (postgresql://national_feed@host:5432/etl)")
            }
            if info["password"] != nil {
                throw m.error("feed", "holds a password; passwords never go in this file: name the environment variable (password_env) or the file (password_file) that holds it")
            }
            if info["host"] == nil && info["hostaddr"] == nil {
                throw m.error("feed", "names no host; the coordinator's server connects to the municipality's over TCP")
            }
            let password: PasswordSource
            switch (m.has("password_env"), m.has("password_file")) {
            case (true, false): password = .environment(try m.string("password_env"))
            case (false, true):
                let given = try m.string("password_file")
                password = .file(given.hasPrefix("/") ? given : folder.appendingPathComponent(given).standardizedFileURL.path)
            case (true, true): throw m.error("password_file", "give password_env or password_file, not both")
            case (false, false): throw m.error("name", "no password: name the environment variable (password_env) or file (password_file) that holds \(name)'s feed password")
            }
            if let other = members.first(where: { $0.name == name }) {
                throw m.error("name", "\(name) is listed twice (also at line \(other.line.map(String.init) ?? "?"))")
            }
            if let other = members.first(where: { $0.code == code }) {
                throw m.error("code", "code \(code) is \(other.name)'s already (line \(other.line.map(String.init) ?? "?"))")
            }
            members.append(Member(name: name, code: code, feed: feed, password: password, line: m.line))
        }
        guard !members.isEmpty else { throw top.error("municipalities", "list at least one municipality") }
        return NationalFile(path: path, database: try top.optionalString("database"), smallCellMinimum: minimum,
                            period: period, keepSnapshots: keep, connectTimeout: timeout, municipalities: members)
    }
}

/// A YAML mapping with the line of every key, for errors that point at the file.
struct YAMLMap {
    let path: String
    let key: String
    let line: Int?
    private var entries: [(key: String, line: Int?, value: Node)] = []

    init(_ node: Node, key: String, path: String) throws {
        self.path = path
        self.key = key
        line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw NationalFileError(path: path, line: node.mark?.line, key: key, message: "must be a mapping of keys to values")
        }
        for (k, v) in mapping {
            guard let name = k.string else {
                throw NationalFileError(path: path, line: k.mark?.line, key: key, message: "keys must be text")
            }
            if entries.contains(where: { $0.key == name }) {
                throw NationalFileError(path: path, line: k.mark?.line, key: qualified(name), message: "given twice")
            }
            entries.append((name, k.mark?.line, v))
        }
    }

    private func qualified(_ name: String) -> String { key.hasPrefix("(") ? name : "\(key).\(name)" }

    func error(_ name: String, _ message: String) -> NationalFileError {
        NationalFileError(path: path, line: entries.first { $0.key == name }?.line ?? line, key: qualified(name), message: message)
    }

    func has(_ name: String) -> Bool {
        guard let v = entries.first(where: { $0.key == name })?.value else { return false }
        return v.null == nil
    }

    func allow(_ names: [String]) throws {
        for e in entries where !names.contains(e.key) {
            throw NationalFileError(path: path, line: e.line, key: qualified(e.key),
                                    message: "unknown key; expected one of \(names.joined(separator: ", "))")
        }
    }

    private func node(_ name: String) throws -> Node {
        guard let v = entries.first(where: { $0.key == name })?.value, v.null == nil else {
            throw NationalFileError(path: path, line: line, key: qualified(name), message: "missing; this key is required")
        }
        return v
    }

    func map(_ name: String) throws -> YAMLMap { try YAMLMap(node(name), key: qualified(name), path: path) }

    func string(_ name: String) throws -> String {
        guard case .scalar(let s) = try node(name), !s.string.isEmpty else { throw error(name, "must be a non-empty text value") }
        return s.string
    }

    func optionalString(_ name: String) throws -> String? { has(name) ? try string(name) : nil }

    func int(_ name: String, default value: Int) throws -> Int {
        guard has(name) else { return value }
        guard let v = try node(name).int else { throw error(name, "must be a whole number") }
        return v
    }

    func list(_ name: String) throws -> [Node] {
        guard case .sequence(let seq) = try node(name) else { throw error(name, "must be a list") }
        return Array(seq)
    }
}
