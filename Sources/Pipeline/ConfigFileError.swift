/// A pipeline or national file that cannot be used: says which file, line and key, and what is wrong.
package struct ConfigFileError: StewardError, Equatable {
    package var path: String
    package var line: Int?
    package var key: String
    package var message: String

    package init(path: String, line: Int?, key: String, message: String) {
        self.path = path; self.line = line; self.key = key; self.message = message
    }

    package var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
    }

    /// The file is the caller's to fix, as a bad argument is.
    package var exitStatus: ExitStatus { .usage }
}
