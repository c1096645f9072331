import Foundation

/// Where the PostgreSQL server programs (initdb, pg_ctl, postgres) live on this machine.
package struct ServerBinaries: Sendable {
    /// The real directory holding all three programs (symlinks resolved, because pg_ctl
    /// looks for `postgres` beside its own real path).
    package let directory: String

    package var initdb: String { directory + "/initdb" }
    package var pgCtl: String { directory + "/pg_ctl" }
    package var postgres: String { directory + "/postgres" }

    /// Finds the programs: in `searchPath` if given, else the directories of `PATH`, then
    /// `/usr/lib/postgresql/<version>/bin` from the highest version down (Debian/Ubuntu
    /// install the server there, off PATH). With `majorVersion` (an existing cluster's),
    /// a directory of that version is preferred, since a cluster only runs on its own major.
    package static func locate(searchPath: [String]? = nil, majorVersion: Int? = nil) throws -> ServerBinaries {
        let candidates = uniqueRealDirectories(searchPath ?? defaultSearchPath())
        guard let first = candidates.first else {
            let looked = searchPath.map { $0.joined(separator: ":") } ?? "PATH and /usr/lib/postgresql/*/bin"
            throw PostgresError(
                .serverBinariesMissing, "initdb, pg_ctl and postgres were not found in \(looked)",
                hint: "install the PostgreSQL server (apt-get install postgresql), or name a database with --database or DATABASE_URL")
        }
        if let majorVersion, let match = candidates.first(where: { version(of: $0) == majorVersion }) {
            return ServerBinaries(directory: match)
        }
        return ServerBinaries(directory: first)
    }

    /// The major version these programs are, from `pg_ctl --version` ("pg_ctl (PostgreSQL) 15.4").
    package var majorVersion: Int? { Self.version(of: directory) }

    private static func version(of directory: String) -> Int? {
        guard let result = try? Subprocess.run(directory + "/pg_ctl", ["--version"]), result.status == 0,
              let number = result.output.split(separator: ")").last?.trimmingCharacters(in: .whitespaces)
        else { return nil }
        return Int(number.prefix { $0.isNumber })
    }

    private static func defaultSearchPath() -> [String] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versioned = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let byVersion = versioned.compactMap { name in Double(name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
            .map { "/usr/lib/postgresql/\($0.1)/bin" }
        return path + byVersion
    }

    /// Directories where initdb is found, as the real directory holding all three programs.
    private static func uniqueRealDirectories(_ directories: [String]) -> [String] {
        var seen = Set<String>()
        return directories.compactMap { directory in
            guard let real = realpath(directory + "/initdb", nil) else { return nil }
            defer { free(real) }
            let realDirectory = (String(cString: real) as NSString).deletingLastPathComponent
            let complete = ["initdb", "pg_ctl", "postgres"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: realDirectory + "/" + $0)
            }
            guard complete, seen.insert(realDirectory).inserted else { return nil }
            return realDirectory
        }
    }
}
