import Extract
import Foundation
import Pipeline
import Postgres

extension NationalFile {
    /// Reads and checks a national file: unknown keys, missing values, a password in a
    /// connection string, two municipalities with one name or code are refused with the
    /// file, line and key, as pipeline files are.
    package static func load(path: String) throws -> NationalFile {
        try parse(try ConfigMap.text(path: path, of: "national file"), path: path)
    }

    package static func parse(_ text: String, path: String) throws -> NationalFile {
        let top = try ConfigMap.top(text, path: path)
        try top.allow(["database", "small_cell_minimum", "evaluation", "keep_snapshots", "connect_timeout", "read_timeout",
                       "municipalities"])
        let minimum = try top.int("small_cell_minimum", default: 5)
        guard (1...PipelineConfig.largestSmallCellMinimum).contains(minimum) else {
            throw top.error("small_cell_minimum", "must be from 1 to 1000000")
        }
        let keep = try top.int("keep_snapshots", default: 7)
        guard keep >= 1 else { throw top.error("keep_snapshots", "must be 1 or more") }
        let timeout = try top.int("connect_timeout", default: 10)
        guard (1...3600).contains(timeout) else { throw top.error("connect_timeout", "must be from 1 to 3600 seconds") }
        let readTimeout = try top.int("read_timeout", default: 300)
        guard (1...86_400).contains(readTimeout) else { throw top.error("read_timeout", "must be from 1 to 86400 seconds (a day)") }
        var period = EvaluationPeriodLength.quarter
        if top.has("evaluation") {
            let e = try top.map("evaluation")
            try e.allow(["period"])
            if e.has("period") { period = try e.choice("period", EvaluationPeriodLength.self) }
        }

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var members: [Member] = []
        for m in try top.maps("municipalities") {
            try m.allow(["name", "code", "feed", "password_env", "password_file"])
            let name = try m.string("name")
            // Shown on every line the coordinator prints and kept in the national figures.
            guard !Echo.unfitAsName(name) else {
                throw m.error("name", "'\(Echo.name(name))' holds control or format characters (a bidi mark) or a CPR number: write the municipality's name")
            }
            // The coordinator indexes names; 2.7 KB of one failed `sync` with PostgreSQL's bare error (a re-test).
            guard name.utf8.count <= 100 else { throw m.error("name", "longer than 100 bytes: write the municipality's name") }
            let code = try m.string("code")
            guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw m.error("code", "'\(code)' is not a municipality code (three digits, e.g. \"101\"; quote it to keep its leading zeros)")
            }
            let feed = try m.string("feed")
            guard let info = ConnectionInfo.parse(feed) else {
                throw m.error("feed", "not a libpq connection string or URL (postgresql://national_feed@host:5432/etl)")
            }
            if ConnectionInfo.secrets.contains(where: { info[$0] != nil }) {
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
                            period: period, keepSnapshots: keep, connectTimeout: timeout, readTimeout: readTimeout,
                            municipalities: members)
    }
}
