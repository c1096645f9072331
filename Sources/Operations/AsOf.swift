import Extract
import Foundation
import Pipeline

/// The as-of date of a run: `--as-of`, else the pipeline file's `as_of`, else the export
/// date on an XML export's root, else a drop folder named `yyyy-mm-dd`, else today (UTC).
package enum AsOf {
    package static func resolve(explicit: Day?, config: PipelineConfig, drop: Drop, today: Date = Date()) -> (day: Day, from: String) {
        if let explicit { return (explicit, "--as-of") }
        if let day = config.asOf { return (day, "pipeline file") }
        if let day = ExportDate.read(drop: drop.url, config: config) { return (day, "udtraeksdato") }
        if let day = Day(iso: drop.name) { return (day, "drop folder name") }
        return (Day(rawValue: Int32((today.timeIntervalSince1970 / 86400).rounded(.down))), "today")
    }
}
