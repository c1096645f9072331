import Foundation
import Testing
@testable import Pipeline

@Suite struct OtherWritersTests {
    /// A `..` after a link goes above the link's target, as the kernel goes, also where the
    /// rest is not there yet: taken as text, `link/../page.html` was a page beside the link,
    /// and another user's folder passed the check (a re-test).
    @Test func aDotDotAfterALinkLeadsAboveItsTarget() throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("other-writers-\(UUID().uuidString)").resolvingSymlinksInPath()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("theirs/sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("safe"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/safe/link", withDestinationPath: root.path + "/theirs/sub")
        #expect(OtherWriters.resolved(root.path + "/safe/link/../page.html").path == root.path + "/theirs/page.html")
        #expect(OtherWriters.resolved(root.path + "/safe/link/new/../page.html").path == root.path + "/theirs/sub/page.html")
        #expect(OtherWriters.resolved(root.path + "/safe/./link").path == root.path + "/theirs/sub")
        #expect(OtherWriters.resolved(root.path + "/safe/missing/../page.html").path == root.path + "/safe/page.html")
    }
}
