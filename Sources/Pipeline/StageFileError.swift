/// A stage file that cannot be written or read.
package struct StageFileError: Error, CustomStringConvertible {
    package var path: String
    package var line: Int?
    package var message: String

    package init(path: String, line: Int? = nil, message: String) {
        self.path = path; self.line = line; self.message = message
    }

    package var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}
