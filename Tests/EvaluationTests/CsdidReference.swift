import Evaluation
import Foundation
import Testing

/// csdid (Python), the reference implementation, run on a panel written to a temporary CSV.
///
/// The Python is `ETL_REFERENCE_PYTHON` if set, else `<package root>/.build/venv/bin/python3`
/// (which `.ci/run` creates). Without it, or without csdid in it, the tests that need it are
/// skipped and say why — except under CI (`CI` set), where they run and fail.
enum CsdidReference {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("Tests/EvaluationTests/Reference/csdid_reference.py")
    static let howToGet = "Get it with `python3 -m venv .build/venv && .build/venv/bin/pip install csdid` in the "
        + "package root (CI installs the pinned set: `.build/venv/bin/pip install --no-deps -r "
        + "Tests/EvaluationTests/Reference/requirements.txt`), or set ETL_REFERENCE_PYTHON to a Python that has csdid."

    static let python: URL = {
        if let path = ProcessInfo.processInfo.environment["ETL_REFERENCE_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/venv/bin/python3")
    }()

    /// `nil` when csdid can be run; otherwise what is missing.
    static let missing: String? = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return "The csdid reference is missing: there is no Python at \(python.path). \(howToGet)"
        }
        do {
            let run = try runPython(["-c", "import csdid.att_gt"])
            if run.status != 0 {
                let last = run.stderr.split(separator: "\n").last.map(String.init) ?? ""
                return "The csdid reference is missing: \(python.path) cannot import csdid (\(last)). \(howToGet)"
            }
        } catch {
            return "The csdid reference is missing: \(python.path) does not run (\(error)). \(howToGet)"
        }
        return nil
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
    /// Run when csdid is there, and always under CI, where a missing reference must fail.
    static let shouldRun = missing == nil || isCI
    static let skipReason = Comment(rawValue: missing ?? "csdid is available")

    /// What csdid says for one control group.
    struct Output: Decodable {
        struct Cell: Decodable { var group: Int; var period: Int; var att: Double?; var se: Double? }
        struct Keyed: Decodable { var key: Int; var att: Double?; var se: Double? }
        struct Aggregate: Decodable { var att: Double?; var se: Double?; var by: [Keyed]? }
        var error: String?
        var group_time: [Cell]?
        var simple: Aggregate?
        var dynamic: Aggregate?
        var group: Aggregate?
        var warnings: [String]?
    }

    /// csdid on the estimated institutions of `panel` (left-out ones are not written), for
    /// both control groups.
    static func run(_ panel: EvaluationPanel) throws -> [ControlGroup: Output] {
        if let missing { throw ReferenceError(message: missing) }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("evaluation-csdid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("panel.csv")
        let json = directory.appendingPathComponent("out.json")
        try write(panel, to: csv)
        let run = try runPython([script.path, csv.path, json.path])
        guard run.status == 0 else {
            throw ReferenceError(message: "csdid_reference.py failed (exit \(run.status)):\n\(run.stderr)")
        }
        let decoded = try JSONDecoder().decode([String: Output].self, from: Data(contentsOf: json))
        var result: [ControlGroup: Output] = [:]
        for (key, value) in decoded {
            guard let controlGroup = ControlGroup(rawValue: key) else { continue }
            result[controlGroup] = value
        }
        return result
    }

    /// The balanced panel without institutions covered from period 1, as `id,period,group,y`;
    /// `y` written with 17 significant digits, so csdid reads the outcomes bit for bit.
    static func write(_ panel: EvaluationPanel, to url: URL) throws {
        var text = "id,period,group,y\n"
        for (id, institution) in panel.institutions.enumerated()
        where institution.group != 1 && institution.exposureDays.allSatisfy({ $0 > 0 }) {
            for t in 1...panel.periods {
                let y = institution.outcome(inPeriod: t)!
                text += "\(id),\(t),\(institution.group),\(String(format: "%.17g", y))\n"
            }
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    struct ReferenceError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    private static func runPython(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
