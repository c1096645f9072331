import Foundation

/// A drop folder that is not complete, and what it lacks.
public struct IncompleteDrop: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var missing: [String]

    public var description: String { "\(path): \(missing.joined(separator: ", "))" }
}
