import Foundation
import Pipeline

/// The settings a transform made its facts with (`transform/settings.json`), written when it
/// finishes: the load records them, so the window analysts see is the one the figures have.
struct TransformSettings: Codable, Sendable {
    static let file = "settings.json"

    var asOf: Day
    var windowFrom: Day
    var windowTo: Day
    var pipeline: String
    var attempt: Int64

    func write(to folder: RunFolder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder.file(.transform, Self.file)), options: .atomic)
    }

    static func read(from folder: RunFolder) -> TransformSettings? {
        guard let data = FileManager.default.contents(atPath: folder.file(.transform, file)) else { return nil }
        return try? JSONDecoder().decode(TransformSettings.self, from: data)
    }
}
