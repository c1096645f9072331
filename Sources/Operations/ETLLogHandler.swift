import Extract
import Foundation
import Logging

package struct ETLLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    private let format: LogFormat
    private let hints: CommandHints?

    package init(label: String, format: LogFormat, hints: CommandHints? = nil) {
        self.format = format
        self.hints = hints
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        // Masked before rendering, where a tab or a line break in a value is still itself.
        let message = hints?.completing(event.message.description) ?? event.message.description
        let line = Self.render(level: event.level, message: "\(CPRInText.masking(message))",
                               metadata: metadata.merging(event.metadata ?? [:]) { $1 }.mapValues(Self.masked), format: format)
        // The throwing write: the other one traps on a closed pipe, which etl, ignoring SIGPIPE,
        // meets when its log's reader went away (`etl run | tee`, Ctrl-C).
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }

    /// A metadata value with every CPR-shaped number in its text masked.
    package static func masked(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(CPRInText.masking(text))
        case .stringConvertible(let v):
            CPRInText.masking(v.description) == v.description ? value : .string(CPRInText.masking(v.description))
        case .array(let values): .array(values.map(masked))
        case .dictionary(let values): .dictionary(values.mapValues(masked))
        }
    }

    /// One log line, without its line end.
    ///
    /// Text, every line alike: `HH:mm:ss level   [run stage] message key=value …` on one
    /// line, the bracket holding whichever of the run and stage the line has, the other metadata
    /// sorted by key, a value quoted (JSON-style) when it holds a space, quote, `=` or a
    /// control character. JSON: one object a line with `time`, `level`, `event` and the
    /// metadata, numbers and booleans as such (see `jsonValue`).
    static func render(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata, format: LogFormat) -> String {
        switch format {
        case .json:
            var object: [String: Any] = ["time": iso.format(Date()), "level": level.rawValue, "event": message.description]
            for (key, value) in metadata { object[key] = key == "run" ? "\(value)" : jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .text:
            let context = ["run", "stage"].compactMap { metadata[$0].map { "\($0)" } }
            let rest = metadata.filter { $0.key != "stage" && $0.key != "run" }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(textValue($0.value))" }
            return ([clock.format(Date()), level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)]
                    + (context.isEmpty ? [] : ["[\(context.joined(separator: " "))]"]) + [oneLine(message.description)] + rest)
                .joined(separator: " ")
        }
    }

    /// A message on one line: a line break and the indentation after it become one space.
    private static func oneLine(_ text: String) -> String {
        // Then whatever else a terminal would act on (an escape sequence in a name from outside).
        Echo.showable(text.contains(where: \.isNewline) ? text.replacing(/\s*\R\s*/, with: " ") : text)
    }

    /// A metadata value in JSON: a Swift number or Bool as one; text that is exactly a JSON
    /// number (no leading zeros, so `007` stays text) or `true`/`false` as one too, since
    /// most call sites interpolate (`"\(seconds)"`); anything else as text. An integer a
    /// double cannot hold exactly (beyond 2^53) stays text: jq before 1.7 and JavaScript read
    /// such a number as another. The run id is always text (`render`), as in `etl runs --json`.
    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): typed(text)
        case .stringConvertible(let value):
            switch value {
            case let flag as Bool: flag
            case let number as any BinaryInteger: typed(number.description)
            case let number as Double where number.isFinite: number
            case let number as Float where number.isFinite: Double(number)
            default: typed(value.description)
            }
        case .array(let values): values.map(jsonValue)
        case .dictionary(let values): values.mapValues(jsonValue)
        }
    }

    private static func typed(_ text: String) -> Any {
        switch text {
        case "true": return true
        case "false": return false
        default: break
        }
        guard text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil else { return text }
        if let integer = Int64(text) { return integer.magnitude <= 1 << 53 ? integer : text }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) { return text }   // beyond Int64
        if let number = Double(text), number.isFinite { return number }
        return text
    }

    /// A value in a text line: as it is, or quoted when it would not read back as one value.
    static func textValue(_ value: Logger.MetadataValue) -> String {
        // As the message: nothing a terminal acts on (JSON's escapes leave C1 and bidi controls).
        let text = Echo.showable("\(value)")
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0.value != 0x7F }
        guard !plain else { return text }
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data()
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    // Format styles are values: the threads that log at once (extract's) share them safely.
    /// `2026-11-21T02:30:00.123Z`
    static let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    /// `02:30:00`, local time.
    private static let clock = Date.VerbatimFormatStyle(
        format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)",
        timeZone: .current, calendar: Calendar(identifier: .gregorian))
}
