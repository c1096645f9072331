import Pipeline

/// A file whose rejected share is over its threshold (the source's `reject_threshold`, else
/// the pipeline's). Rows a filter left out are not part of the share.
package struct ThresholdBreach: Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var rejected: Int
    package var read: Int
    package var threshold: Double

    package init(file: String, rejected: Int, read: Int, threshold: Double) {
        self.file = file; self.rejected = rejected; self.read = read; self.threshold = threshold
    }

    /// The breach of `input`, or nil when it is within `threshold`.
    init?(_ input: StageManifest.InputFile, threshold: Double) {
        let read = input.rowsRead - (input.counts["filtered"] ?? 0)
        guard read > 0, Double(input.rejected) / Double(read) > threshold else { return nil }
        self.init(file: input.name, rejected: input.rejected, read: read, threshold: threshold)
    }

    package var description: String {
        let share = read == 0 ? 0 : Double(rejected) / Double(read) * 100
        return "\(file) \(rejected) of \(read) (\(String(format: "%.1f", share)) %, over \(String(format: "%.1f", threshold * 100)) %)"
    }
}
