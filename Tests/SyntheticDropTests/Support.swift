import Foundation
import Testing
import Pipeline
@testable import SyntheticDrop

/// A drop written for a test, with what the generator said about it.
struct Generated: Sendable, CustomTestStringConvertible {
    var testDescription: String {
        "\(options.variant) drop of \(options.children) children" + (options.dirtyRate > 0 ? ", dirty" : "")
    }

    let directory: URL
    let summary: DropSummary
    let options: DropGenerator.Options

    func read() throws -> ReadDrop { try ReadDrop(directory: directory, variant: options.variant) }
    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))) }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}

enum Fixtures {
    static let asOf = Day(year: 2026, month: 11, day: 21)!
    static let windowFrom = Day(year: 2012, month: 1, day: 1)!
    static let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("synthetic-drop-tests-\(ProcessInfo.processInfo.processIdentifier)")

    static func options(children: Int, institutions: Int? = nil, seed: UInt64 = 11, dirtyRate: Double = 0,
                        variant: DropGenerator.Variant = .copenhagen, effect: DropGenerator.Effect = .evaluation,
                        selection: Double = DropGenerator.defaultSelection) -> DropGenerator.Options {
        .init(children: children, institutions: institutions, seed: seed, asOf: asOf, windowFrom: windowFrom,
              dirtyRate: dirtyRate, variant: variant, effect: effect, selection: selection)
    }

    /// Removes the drops when the test process ends.
    private static let cleanup: Void = { atexit { try? FileManager.default.removeItem(at: Fixtures.root) } }()

    static func generate(_ o: DropGenerator.Options) throws -> Generated {
        cleanup
        let dir = root.appendingPathComponent(UUID().uuidString)
        return Generated(directory: dir, summary: try DropGenerator(o).write(to: dir), options: o)
    }

    // Shared drops, written once per test run.
    static let clean = try! generate(options(children: 3000, institutions: 320))
    static let cleanOther = try! generate(options(children: 3000, institutions: 320, variant: .other))
    static let dirty = try! generate(options(children: 3000, institutions: 320, dirtyRate: 0.03))
    static let dirtyOther = try! generate(options(children: 3000, institutions: 320, dirtyRate: 0.03, variant: .other))
}
