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

    /// What `file` holds, written by the transform stage with its facts.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    static func read(from folder: RunFolder) -> TransformSettings? {
        guard let data = FileManager.default.contents(atPath: folder.file(.transform, file)) else { return nil }
        return try? JSONDecoder().decode(TransformSettings.self, from: data)
    }
}
