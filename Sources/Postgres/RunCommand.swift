import Foundation

/// What a finished program printed and how it exited.
struct CommandResult {
    var status: Int32
    /// stdout and stderr together, in the order written.
    var output: String
}

/// Runs a program to completion.
///
/// Output goes to a temporary file, not a pipe: `pg_ctl start` leaves a server running,
/// and a pipe end that leaked into it would make reading "to the end" wait forever.
func runCommand(
    _ executable: String, _ arguments: [String], as account: ServerAccount? = nil,
    in directory: String? = nil
) throws -> CommandResult {
    let outputPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("etl-postgres-\(UUID().uuidString).out").path
    guard FileManager.default.createFile(atPath: outputPath, contents: nil),
          let output = FileHandle(forWritingAtPath: outputPath)
    else { throw PostgresError(.io, "cannot create a temporary file", context: outputPath) }
    defer { try? FileManager.default.removeItem(atPath: outputPath) }

    let process = Process()
    let command = account.map { $0.wrap([executable] + arguments) } ?? [executable] + arguments
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // English, predictable messages, whatever locale (possibly not installed) the caller has.
    var environment = ProcessInfo.processInfo.environment
    environment["LC_ALL"] = "C"
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = output
    do {
        try process.run()
    } catch {
        try? output.close()
        throw PostgresError(.server, "cannot run \(command[0]): \(error)", context: command.joined(separator: " "))
    }
    process.waitUntilExit()
    try? output.close()
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, output: text.trimmingTrailingWhitespace())
}
