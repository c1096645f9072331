/// A pipeline or national file that cannot be used: says which file, line and key, and what is wrong.
public struct ConfigFileError: StewardError, Equatable {
    public var path: String
    public var line: Int?
    public var key: String
    public var message: String

    public init(path: String, line: Int?, key: String, message: String) {
        self.path = path; self.line = line; self.key = key; self.message = message
    }

    public var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
    }

    /// The file is the caller's to fix, as a bad argument is.
    package var exitStatus: ExitStatus { .usage }
}
