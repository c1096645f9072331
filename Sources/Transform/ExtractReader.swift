import Foundation
import Pipeline

/// Reads extract's stage files and checks them against extract's manifest.
struct ExtractReader: Sendable {
    let run: RunFolder
    /// Extract's manifest, when there is one: its sizes and row counts must still hold.
    let manifest: StageManifest?

    /// Without extract's manifest (files written by hand, as in tests) the inputs are
    /// checksummed here; a manifest that is there but unreadable is an error, not ignored.
    init(run: RunFolder) throws(TransformError) {
        self.run = run
        guard FileManager.default.fileExists(atPath: run.manifest(.extract)) else { manifest = nil; return }
        do { manifest = try StageManifest.read(from: run.manifest(.extract)) } catch let e as StageFileError {
            throw TransformError(e)
        } catch {
            throw .stageFile(path: run.manifest(.extract), line: nil, message: "\(error)")
        }
    }

    func path(_ name: String) -> String { run.file(.extract, name) }

    /// Every record of a small file, decoded by its record type's codec.
    func readAll<R>(_ name: String, _ decode: (StageRecord, String, Int) throws -> R) throws(TransformError) -> [R] {
        var out: [R] = []
        try scan(name) { record, path, line in out.append(try decode(record, path, line)) }
        return out
    }

    /// Streams each record of a file, one at a time.
    func scan(_ name: String, _ body: (StageRecord, String, Int) throws -> Void) throws(TransformError) {
        let p = path(name)
        do {
            try StageFileReader.forEach(path: p, expected: manifest?.output(name)?.checksum) { record, line in try body(record, p, line) }
        } catch let e as StageFileError {
            throw TransformError(e)
        } catch {
            throw .stageFile(path: p, line: nil, message: "\(error)")
        }
    }

    /// How many records a file holds: extract's manifest says, else count its lines.
    /// Lets the big tables be allocated once, at their size.
    func rowCount(_ name: String) -> Int {
        if let listed = manifest?.output(name) { return listed.rows }
        var lines = 0
        try? FileChunks.forEach(in: path(name)) { chunk in for b in chunk where b == 0x0A { lines += 1 } }
        return lines
    }

    /// Size and checksum of an input. Extract checksummed its files moments ago: when its
    /// manifest lists the file, sizes and rows must match (a truncated or swapped file
    /// does not) and its checksum is taken; else the file is checksummed here.
    func checksum(_ name: String, rowsRead: Int) throws(TransformError) -> (bytes: Int64, checksum: FileChecksum) {
        let p = path(name)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value ?? -1
        guard let listed = manifest?.output(name) else {
            do { return (bytes, .xxh128(try XXH128Sum.file(p))) } catch { throw TransformError(error) }
        }
        guard listed.bytes == bytes, listed.rows == rowsRead else {
            throw .extractFileChanged(path: p, expected: "\(listed.rows) rows, \(listed.bytes) bytes",
                                      found: "\(rowsRead) rows, \(bytes) bytes")
        }
        return (bytes, listed.checksum)
    }
}
