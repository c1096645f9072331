import Foundation
import Yams

/// A YAML mapping of a pipeline or national file with the line of every key, so every
/// refusal names the file, line and key.
package struct ConfigMap {
    package let path: String
    package let key: String
    package let line: Int?
    private var entries: [(key: String, line: Int?, value: Node)] = []

    /// The text of the file at `path` (`what` names it in the error: "pipeline file").
    package static func text(path: String, of what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(path: path, line: nil, key: "(file)", message: "cannot read the \(what); check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(path: path, line: nil, key: "(file)", message: "not UTF-8")
        }
        return text
    }

    /// The file's top-level mapping.
    package static func top(_ text: String, path: String) throws -> ConfigMap {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        } catch {
            throw ConfigFileError(path: path, line: nil, key: "(file)", message: "not valid YAML: \(error)")
        }
        guard let root else { throw ConfigFileError(path: path, line: nil, key: "(file)", message: "the file is empty") }
        return try ConfigMap(root, key: "(top level)", path: path)
    }

    /// Yams' error as `file:line`, with the column and the problem on one line: its own text
    /// quotes the file's lines, which may hold what the file should not have (a CPR number).
    private static func syntaxError(_ error: YamlError, path: String) -> ConfigFileError {
        let found: (problem: String, line: Int?, column: Int?) = switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            ([context.map { "\($0.text) begun on line \($0.mark.line)," }, problem].compactMap { $0 }
                .joined(separator: " "), mark.line, mark.column)
        case let .reader(problem, offset, _, yaml):
            // Yams gives libyaml's byte offset as a distance in Characters, as its own message reads it.
            (problem, offset.map { 1 + yaml.prefix($0).filter(\.isNewline).count }, nil)
        case let .duplicatedKeysInMapping(_, context):
            ("a key given twice", context.mark.line, context.mark.column)
        default:
            ("\(error)", nil, nil)
        }
        let column = found.column.map { " (column \($0))" } ?? ""
        return ConfigFileError(path: path, line: found.line, key: "(file)",
                               message: "not valid YAML\(column): \(found.problem)")
    }

    package init(_ node: Node, key: String, path: String) throws {
        self.path = path
        self.key = key
        self.line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw ConfigFileError(path: path, line: node.mark?.line, key: key, message: "must be a mapping of keys to values")
        }
        for (k, v) in mapping {
            guard let name = k.string else {
                throw ConfigFileError(path: path, line: k.mark?.line, key: key, message: "keys must be text")
            }
            if entries.contains(where: { $0.key == name }) {
                throw ConfigFileError(path: path, line: k.mark?.line, key: qualified(name), message: "given twice")
            }
            entries.append((name, k.mark?.line, v))
        }
    }

    private func qualified(_ name: String) -> String { key.hasPrefix("(") ? name : "\(key).\(name)" }

    package func error(_ name: String, _ message: String, line: Int? = nil) -> ConfigFileError {
        ConfigFileError(path: path, line: line ?? entries.first { $0.key == name }?.line ?? self.line,
                            key: qualified(name), message: message)
    }

    /// The keys in the order written.
    package var keys: [String] { entries.map(\.key) }

    package func line(of name: String) -> Int? { entries.first { $0.key == name }?.line }

    /// Whether the key is written at all, with a value or `null`.
    package func present(_ name: String) -> Bool { entries.contains { $0.key == name } }

    /// Whether the key is written with the value `null` (or `~`, or nothing).
    package func isNull(_ name: String) -> Bool { entries.first { $0.key == name }?.value.null != nil }

    package func has(_ name: String) -> Bool {
        guard let v = entries.first(where: { $0.key == name })?.value else { return false }
        return v.null == nil
    }

    package func allow(_ names: [String]) throws {
        for e in entries where !names.contains(e.key) {
            throw ConfigFileError(path: path, line: e.line, key: qualified(e.key),
                                      message: "unknown key; expected one of \(names.joined(separator: ", "))")
        }
    }

    private func node(_ name: String) throws -> Node {
        guard let v = entries.first(where: { $0.key == name })?.value, v.null == nil else {
            throw ConfigFileError(path: path, line: line, key: qualified(name), message: "missing; this key is required")
        }
        return v
    }

    package func map(_ name: String) throws -> ConfigMap { try ConfigMap(node(name), key: qualified(name), path: path) }

    package func string(_ name: String) throws -> String {
        let v = try node(name)
        guard case .scalar(let s) = v, !s.string.isEmpty else { throw error(name, "must be a non-empty text value") }
        return s.string
    }

    package func optionalString(_ name: String) throws -> String? { has(name) ? try string(name) : nil }

    package func int(_ name: String, default value: Int) throws -> Int {
        guard has(name) else { return value }
        guard let v = try node(name).int else { throw error(name, "must be a whole number") }
        return v
    }

    package func double(_ name: String, default value: Double) throws -> Double {
        guard has(name) else { return value }
        guard let v = try node(name).float else { throw error(name, "must be a number") }
        return v
    }

    package func day(_ name: String) throws -> Day {
        let text = try string(name)
        guard let d = Day(iso: text) else { throw error(name, "'\(text)' is not a date yyyy-mm-dd") }
        return d
    }

    package func optionalDay(_ name: String) throws -> Day? { has(name) ? try day(name) : nil }

    package func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws -> T where T.RawValue == String {
        let text = try string(name)
        guard let v = T(rawValue: text.lowercased()) else {
            throw error(name, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    package func bool(_ name: String, default value: Bool) throws -> Bool {
        guard has(name) else { return value }
        guard let v = try node(name).bool else { throw error(name, "must be true or false") }
        return v
    }

    /// A list of text values, or one value standing for a list of one.
    package func stringList(_ name: String) throws -> [String] {
        let v = try node(name)
        switch v {
        case .scalar(let s): return [s.string]
        case .sequence(let seq):
            return try seq.map { item in
                guard case .scalar(let s) = item else { throw error(name, "must be a list of values", line: item.mark?.line) }
                return s.string
            }
        default: throw error(name, "must be a value or a list of values")
        }
    }

    package func list(_ name: String) throws -> [(text: String, line: Int?)] {
        guard case .sequence(let seq) = try node(name) else { throw error(name, "must be a list") }
        return seq.map { ($0.string ?? "", $0.mark?.line) }
    }

    /// A list of mappings, each named `name[n]` (from 1) in errors.
    package func maps(_ name: String) throws -> [ConfigMap] {
        guard case .sequence(let seq) = try node(name) else { throw error(name, "must be a list") }
        return try seq.enumerated().map { try ConfigMap($1, key: "\(qualified(name))[\($0 + 1)]", path: path) }
    }
}
