import Foundation

/// The small manifest each stage writes beside its files: what it read, wrote and counted,
/// how long it took, and which program did it. Stewards read it; the next stage checks it.
package struct StageManifest: Codable, Sendable, Equatable {
    package struct InputFile: Codable, Sendable, Equatable {
        package var name: String
        package var bytes: Int64
        package var checksum: FileChecksum
        package var rowsRead: Int
        package var accepted: Int
        package var rejected: Int
        package var rejectedByReason: [String: Int]
        /// Records neither accepted nor rejected, and what was changed on the way, by kind:
        /// `merged_address`, `filtered`, `cpr_in_text:<field>`, `unmapped_value:<field>`.
        /// Absent from manifests written before it existed.
        package var counts: [String: Int]

        package init(name: String, bytes: Int64, checksum: FileChecksum, rowsRead: Int, accepted: Int, rejected: Int,
                    rejectedByReason: [String: Int] = [:], counts: [String: Int] = [:]) {
            self.name = name; self.bytes = bytes; self.checksum = checksum; self.rowsRead = rowsRead
            self.accepted = accepted; self.rejected = rejected; self.rejectedByReason = rejectedByReason
            self.counts = counts
        }

        private enum CodingKeys: String, CodingKey {
            case name, bytes, rowsRead, accepted, rejected, rejectedByReason, counts
        }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try c.decode(String.self, forKey: .name), bytes: try c.decode(Int64.self, forKey: .bytes),
                      checksum: try FileChecksum(from: decoder), rowsRead: try c.decode(Int.self, forKey: .rowsRead),
                      accepted: try c.decode(Int.self, forKey: .accepted), rejected: try c.decode(Int.self, forKey: .rejected),
                      rejectedByReason: try c.decode([String: Int].self, forKey: .rejectedByReason),
                      counts: try c.decodeIfPresent([String: Int].self, forKey: .counts) ?? [:])
        }

        package func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(bytes, forKey: .bytes)
            try checksum.encode(to: encoder)
            try c.encode(rowsRead, forKey: .rowsRead); try c.encode(accepted, forKey: .accepted)
            try c.encode(rejected, forKey: .rejected); try c.encode(rejectedByReason, forKey: .rejectedByReason)
            try c.encode(counts, forKey: .counts)
        }
    }

    package struct OutputFile: Codable, Sendable, Equatable {
        package var name: String
        package var rows: Int
        package var bytes: Int64
        package var checksum: FileChecksum

        package init(name: String, rows: Int, bytes: Int64, checksum: FileChecksum) {
            self.name = name; self.rows = rows; self.bytes = bytes; self.checksum = checksum
        }

        private enum CodingKeys: String, CodingKey { case name, rows, bytes }

        package init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try c.decode(String.self, forKey: .name), rows: try c.decode(Int.self, forKey: .rows),
                      bytes: try c.decode(Int64.self, forKey: .bytes), checksum: try FileChecksum(from: decoder))
        }

        package func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(rows, forKey: .rows); try c.encode(bytes, forKey: .bytes)
            try checksum.encode(to: encoder)
        }
    }

    package var stage: Stage
    package var run: RunID
    package var programVersion: String
    package var startedAt: Date
    package var seconds: Double
    package var asOf: Day?
    package var inputs: [InputFile]
    package var outputs: [OutputFile]
    /// Stage-specific counts, e.g. unattributed first events by reason.
    package var counts: [String: Int]
    /// Extract's: the fingerprint of the pseudonym key it ran under (`PseudonymKey.fingerprint`).
    package var keyFingerprint: String?
    /// Extract's: the pipeline file it ran with, absolute (transform's is in its settings).
    package var pipeline: String?

    package init(stage: Stage, run: RunID, startedAt: Date, seconds: Double, asOf: Day? = nil,
                inputs: [InputFile] = [], outputs: [OutputFile] = [], counts: [String: Int] = [:]) {
        self.stage = stage; self.run = run; self.programVersion = ProgramVersion.current
        self.startedAt = startedAt; self.seconds = seconds; self.asOf = asOf
        self.inputs = inputs; self.outputs = outputs; self.counts = counts
    }

    package func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    package static func read(from path: String) throws -> StageManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StageFileError(path: path, message: "no stage manifest: the stage has not completed for this run; run it first")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(StageManifest.self, from: data) } catch {
            throw StageFileError(path: path, message: "unreadable stage manifest: \(error)")
        }
    }

    package func output(_ name: String) -> OutputFile? { outputs.first { $0.name == name } }
}

/// A file's checksum, under its algorithm's name in a manifest: `sha256` for the exports (as
/// the drop's MANIFEST and `sha256sum` give it), `xxh128` for stage files (`xxh128sum`).
/// Manifests written before stage files had `xxh128` carry `sha256` for them too.
package enum FileChecksum: Sendable, Equatable, Codable {
    case sha256(String)
    case xxh128(String)

    package var hex: String {
        switch self {
        case .sha256(let hex), .xxh128(let hex): return hex
        }
    }

    private enum CodingKeys: String, CodingKey { case sha256, xxh128 }

    /// Read from, and written into, the file's own object.
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let hex = try c.decodeIfPresent(String.self, forKey: .xxh128) { self = .xxh128(hex); return }
        self = .sha256(try c.decode(String.self, forKey: .sha256))
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .sha256(let hex): try c.encode(hex, forKey: .sha256)
        case .xxh128(let hex): try c.encode(hex, forKey: .xxh128)
        }
    }
}

extension Day: Codable {
    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a yyyy-mm-dd date: \(text)"))
        }
        self = day
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }
}

package enum ProgramVersion {
    /// 0.2.0: stage files checksummed with XXH3-128, in manifests 0.1.0 cannot read.
    /// 0.3.0: the views record the version that made them (`Migrator.programVersion`); bumped
    /// whenever sql/views changes, so that an older etl does not replace a newer one's.
    package static let current = "0.3.0"
}
