import Extract
import Foundation
import Pipeline

/// The as-of date of a run: `--as-of`, else the pipeline file's `as_of`, else the export
/// date on an XML export's root, else a drop folder named `yyyy-mm-dd` (or `yyyy-mm-dd-N`),
/// else today (UTC), with a warning (`PipelineRunner`).
///
/// A date after today (UTC; tomorrow is allowed, for another time zone's midnight) is
/// refused: it is the end of every open interval, so it would move every figure
/// (`udtraeksdato="9999-12-31"` did, and made the load 400 times slower), and every later
/// night's drop, of an earlier day, would be refused as older than the published run. The
/// flag and the pipeline file overrule the drop's, so a wrong one can be set aside without a
/// new export.
package enum AsOf {
    /// The day a drop folder is named by: `yyyy-mm-dd`, a later one of the day with a number (`2026-11-30-2`).
    package static func day(ofFolder name: String) -> Day? { Day(iso: name.prefix(10)) }

    package static func resolve(explicit: Day?, config: PipelineConfig, drop: Drop, today: Date = Date()) throws -> (day: Day, from: String) {
        let now = day(of: today)
        for (day, from) in [(explicit, "--as-of"), (config.asOf, "pipeline file")] {
            guard let day else { continue }
            // A typo (2027 for 2026) was taken with a warning, and stopped every later night (an adversarial review).
            guard day <= now + 1 else {
                throw OperationsError.usage("the as-of date \(day) (\(from == "--as-of" ? "--as-of" : "`as_of` in \(config.path)")) is after tomorrow "
                                            + "(today is \(now), UTC; one day ahead is taken, for another time zone's midnight): every open interval would run to it, and each later night's drop, of an earlier day, "
                                            + "would be refused. Give the day the exports were made")
            }
            return (day, from)
        }
        let named = String(drop.name.prefix(10))
        for (day, from) in [(ExportDate.read(drop: drop.url, config: config), "udtraeksdato"), (day(ofFolder: drop.name), "drop folder name")] {
            guard let day else { continue }
            let said = from == "udtraeksdato" ? "the drop's udtraeksdato" : "the drop folder's name"
            guard day <= now + 1 else {
                throw OperationsError.usage("\(drop.url.path): \(said) says \(day), after tomorrow (today is \(now), UTC; one day ahead is taken, for another time zone's midnight): no export is made in the future, "
                                            + "and every open interval would run to that day. Ask for a corrected export, or set `as_of` in the pipeline file (or --as-of)")
            }
            // The window's end when the pipeline file gives none: before its start, transform would stop.
            guard config.windowTo != nil || day >= config.windowFrom else {
                throw OperationsError.usage("\(drop.url.path): \(said) says \(day), before the evaluation window starts (\(config.windowFrom), "
                                            + "`window` in the pipeline file), and the window ends at the as-of date. Ask for a corrected export, "
                                            + "or set `as_of` in the pipeline file (or --as-of)")
            }
            return (day, from)
        }
        // A folder named as a date, but no day that exists (a typo): not today in silence.
        if DateFormat.iso.matchesShape(Array(named.utf8)[...]) {
            throw OperationsError.usage("\(drop.url.path): the drop folder's name \(drop.name) has the shape of a date but names no day, "
                                        + "and the drop gives no udtraeksdato. Rename the folder, or set `as_of` in the pipeline file (or --as-of)")
        }
        return (now, "today")
    }

    /// The day (UTC) of `date`.
    static func day(of date: Date) -> Day { Day(rawValue: Int32((date.timeIntervalSince1970 / 86400).rounded(.down))) }
}
