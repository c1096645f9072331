import Foundation

/// A drop folder that is not complete, and what it lacks.
package struct IncompleteDrop: Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var missing: [String]

    package var description: String { "\(path): \(missing.joined(separator: ", "))" }

    /// How many a message names: an inbox of thousands of stray folders made a line of 600 KB.
    static let listed = 10
}
