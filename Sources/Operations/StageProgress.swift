import Foundation
import Synchronization

/// The progress line a person at a terminal sees during a long stage:
/// `[extract]  42 %  310,000 rows/s  31.0 MB/s  3 s`. Progress is the bytes the process has
/// read (`/proc/self/io`) against the bytes the stage has to read, so no stage needs hooks.
final class StageProgress: Sendable {
    private let stage: String
    private let inputBytes: Int64
    private let inputRows: Int
    private let startBytes: Int64
    private let started = Date()
    private let running = Mutex(true)
    private let done = DispatchSemaphore(value: 0)

    /// Starts a line that refreshes every half second until `finish()`.
    init(stage: String, inputBytes: Int64, inputRows: Int) {
        self.stage = stage
        self.inputBytes = max(inputBytes, 1)
        self.inputRows = inputRows
        startBytes = Self.bytesRead()
        Thread.detachNewThread { [self] in
            while running.withLock({ $0 }) {
                Thread.sleep(forTimeInterval: 0.5)
                try? FileHandle.standardError.write(contentsOf: Data(("\r" + line(read: Self.bytesRead() - startBytes) + "\u{1B}[K").utf8))
            }
            try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8))
            done.signal()
        }
    }

    func finish() {
        running.withLock { $0 = false }
        done.wait()
    }

    func line(read: Int64, now: Date = Date()) -> String {
        let share = min(Double(read) / Double(inputBytes), 0.99)
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let rows = Int(share * Double(inputRows) / seconds)
        return "[\(stage)] \(String(format: "%3.0f", share * 100)) %  \(rows.formatted()) rows/s  "
            + String(format: "%.1f MB/s  %.0f s", Double(read) / 1e6 / seconds, seconds)
    }

    /// Bytes this process has read so far (`rchar`), or 0 where /proc does not tell.
    static func bytesRead() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
