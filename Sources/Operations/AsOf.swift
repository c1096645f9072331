import Extract
import Foundation
import Pipeline

/// The as-of date of a run: `--as-of`, else the pipeline file's `as_of`, else the export
/// date on an XML export's root, else a drop folder named `yyyy-mm-dd`, else today (UTC).
///
/// A date the drop gives (its export date, its folder's name) that lies after today is
/// refused: it is the end of every open interval, so it would move every figure
/// (`udtraeksdato="9999-12-31"` did, and made the load 400 times slower). The flag and the
/// pipeline file overrule it, so a wrong one can be set aside without a new export.
package enum AsOf {
    package static func resolve(explicit: Day?, config: PipelineConfig, drop: Drop, today: Date = Date()) throws -> (day: Day, from: String) {
        if let explicit { return (explicit, "--as-of") }
        if let day = config.asOf { return (day, "pipeline file") }
        let now = day(of: today)
        for (day, from) in [(ExportDate.read(drop: drop.url, config: config), "udtraeksdato"), (Day(iso: drop.name), "drop folder name")] {
            guard let day else { continue }
            guard day <= now + 1 else {
                throw OperationsError.usage("\(drop.url.path): the drop's \(from) says \(day), after today (\(now), UTC): no export is made in the future, "
                                            + "and every open interval would run to that day. Ask for a corrected export, or set `as_of` in the pipeline file (or --as-of)")
            }
            // The window's end when the pipeline file gives none: before its start, transform would stop.
            guard config.windowTo != nil || day >= config.windowFrom else {
                throw OperationsError.usage("\(drop.url.path): the drop's \(from) says \(day), before the evaluation window starts (\(config.windowFrom), "
                                            + "`window` in the pipeline file), and the window ends at the as-of date. Ask for a corrected export, "
                                            + "or set `as_of` in the pipeline file (or --as-of)")
            }
            return (day, from)
        }
        // A folder named as a date, but no day that exists (a typo): not today in silence.
        if DateFormat.iso.matchesShape(Array(drop.name.utf8)[...]) {
            throw OperationsError.usage("\(drop.url.path): the drop folder's name \(drop.name) has the shape of a date but names no day, "
                                        + "and the drop gives no udtraeksdato. Rename the folder, or set `as_of` in the pipeline file (or --as-of)")
        }
        return (now, "today")
    }

    /// What to tell of an as-of date the flag or the pipeline file set after today (UTC), nil
    /// for any other: taken, as a steward may mean it, but a typo (2027 for 2026) would stop
    /// every later night, whose drops are then of an earlier day (a steward's trial).
    package static func warning(_ day: Day, from: String, today: Date = Date()) -> String? {
        let now = Self.day(of: today)
        guard day > now + 1 else { return nil }
        return "the as-of date \(day) (\(from)) is after today (\(now), UTC): every open interval runs to it, and each later "
            + "night's drop, of an earlier day, is refused until a run is published with --force. Check the date"
    }

    private static func day(of date: Date) -> Day { Day(rawValue: Int32((date.timeIntervalSince1970 / 86400).rounded(.down))) }
}
