import Foundation
import Pipeline

/// Reads extract's stage files and checks them against extract's manifest.
struct ExtractReader: Sendable {
    let run: RunFolder
    /// Extract's manifest, when there is one: its sizes and row counts must still hold.
    let manifest: StageManifest?

    init(run: RunFolder) {
        self.run = run
        manifest = FileManager.default.fileExists(atPath: run.manifest(.extract))
            ? try? StageManifest.read(from: run.manifest(.extract)) : nil
    }

    func path(_ name: String) -> String { run.file(.extract, name) }

    /// Every record of a file, decoded by Pipeline's own decoders.
    func readAll<R>(_ name: String, _ decode: ([ArraySlice<UInt8>], String, Int) throws -> R) throws(TransformError) -> [R] {
        var out: [R] = []
        try forEach(name, decode) { out.append($0) }
        return out
    }

    /// Streams the records: one at a time in memory, the big files never whole.
    func forEach<R>(_ name: String, _ decode: ([ArraySlice<UInt8>], String, Int) throws -> R,
                    _ body: (R) -> Void) throws(TransformError) {
        let p = path(name)
        do {
            var reader = try CopyTextReader(path: p)
            try reader.forEach { fields, line in body(try decode(fields, p, line)) }
        } catch let e as StageFileError {
            throw TransformError(e)
        } catch {
            throw .stageFile(path: p, line: nil, message: "\(error)")
        }
    }

    /// The manifest entry for an input: size and checksum, checked against extract's manifest.
    func describe(_ name: String, rowsRead: Int, accepted: Int, skippedByReason: [String: Int]) throws(TransformError) -> StageManifest.InputFile {
        let p = path(name)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value ?? -1
        let sha256: String
        if let listed = manifest?.output(name) {
            // Extract checksummed it moments ago; sizes and rows catch a truncated or swapped file.
            guard listed.bytes == bytes, listed.rows == rowsRead else {
                throw .extractFileChanged(path: p, expected: "\(listed.rows) rows, \(listed.bytes) bytes",
                                          found: "\(rowsRead) rows, \(bytes) bytes")
            }
            sha256 = listed.sha256
        } else {
            sha256 = try SHA256Hasher.file(p)
        }
        let rejected = skippedByReason.values.reduce(0, +)
        return .init(name: name, bytes: bytes, sha256: sha256, rowsRead: rowsRead, accepted: accepted,
                     rejected: rejected, rejectedByReason: skippedByReason)
    }
}
