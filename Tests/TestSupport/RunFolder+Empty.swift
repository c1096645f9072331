import Foundation
import Pipeline

extension RunFolder {
    /// An empty folder for `stage`, for tests that write a stage's files by hand.
    package func emptyStage(_ stage: Stage) throws {
        try? FileManager.default.removeItem(at: folder(stage))
        try FileManager.default.createDirectory(at: folder(stage), withIntermediateDirectories: true)
    }
}
