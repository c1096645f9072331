import Foundation
import Testing
@testable import Transform

/// The keys `metrics.data_quality` shows of transform's counts are written
/// once in Swift (`TransformCounts.shownToAnalysts`) and once in SQL: the two lists must agree.
@Suite struct TransformCountsTests {
    @Test func dataQualityListsTheUnresolvedCounts() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = try String(contentsOf: repo.appendingPathComponent("sql/views/60_data_quality.sql"), encoding: .utf8)
        let list = try #require(sql.range(of: #"c\.key IN \(([^)]*)\)"#, options: .regularExpression))
        let keys = sql[list].split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(Set(keys) == Set(TransformCounts.shownToAnalysts))
        #expect(keys.count == TransformCounts.shownToAnalysts.count)
    }
}
