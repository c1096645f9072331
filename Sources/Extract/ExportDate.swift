import Foundation
import Pipeline

/// The export date a drop carries on the root of its XML exports (`udtraeksdato`), read
/// before extract (the run's as-of date is chosen when it starts) by the reader extract
/// uses, which stops at the first record.
package enum ExportDate {
    /// The date on the first XML source that has one; nil when none has. A file that cannot
    /// be read is passed over: extract, which reads it next, says what is wrong with it.
    package static func read(drop: URL, config: PipelineConfig) -> Day? {
        struct FirstRecord: Error {}
        for source in config.sources.all where source.format == .xml {
            let path = drop.appendingPathComponent(source.file).path
            guard let reader = try? SourceReader(source: source, path: path, pipeline: config.path, drop: drop) else { continue }
            _ = try? reader.forEachRecord { _ in throw FirstRecord() }
            if let day = reader.exportDate { return day }
        }
        return nil
    }
}
