import Foundation
import Logging

/// How `etl` writes its log lines (to standard error): for a person at a terminal, or one
/// JSON object a line for cron and log shippers. Neither ever holds a CPR number: stages
/// log counts and pseudonymised or masked values only.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

public struct ETLLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let format: LogFormat

    public init(label: String, format: LogFormat) {
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = Self.render(level: event.level, message: event.message,
                               metadata: metadata.merging(event.metadata ?? [:]) { $1 }, format: format)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// One log line, without its line end.
    static func render(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata, format: LogFormat) -> String {
        switch format {
        case .json:
            var object: [String: Any] = ["time": iso.string(from: Date()), "level": level.rawValue, "event": message.description]
            for (key, value) in metadata { object[key] = json(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .text:
            let stage = metadata["stage"].map { "[\($0)] " } ?? ""
            let rest = metadata.filter { $0.key != "stage" && $0.key != "run" }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "\(clock.string(from: Date())) \(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))"
                + "\(stage)\(message)\(rest.isEmpty ? "" : " " + rest)"
        }
    }

    private static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): Int(s).map { $0 as Any } ?? s
        case .stringConvertible(let c): (c as? Int).map { $0 as Any } ?? (c as? Double).map { $0 as Any } ?? c.description
        case .array(let a): a.map(json)
        case .dictionary(let d): d.mapValues(json)
        }
    }

    nonisolated(unsafe) private static let iso: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    private static let clock: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f
    }()
}
