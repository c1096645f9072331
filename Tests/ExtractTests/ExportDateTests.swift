import Foundation
import Pipeline
import Testing
@testable import Extract

/// The export date the runner takes before extract: the same reader, the same answer.
@Suite struct ExportDateTests {
    @Test func theRootsDateAsExtractReadsIt() throws {
        let f = try Fixture()
        #expect(ExportDate.read(drop: f.drop, config: f.config) == Day(iso: "2026-11-21"))
        #expect(try f.extract().asOf == Day(iso: "2026-11-21"))
    }

    /// Only the root's attribute counts, by its local name (a prefix or a namespace does not
    /// matter), whatever stands in the file after the first record.
    @Test func theRootOnlyAndNothingAfterTheFirstRecord() throws {
        let f = try Fixture()
        f.write("""
            <?xml version="1.0"?>
            <r:Register xmlns:r="urn:x" r:udtraeksdato=" 2026-10-01 ">
              <Institution nummer="101234" udtraeksdato="2020-01-01"><Navn>A</Navn></Institution>
              <Institution nummer="1
            """, to: "institutioner.xml")
        #expect(ExportDate.read(drop: f.drop, config: f.config) == Day(iso: "2026-10-01"))
    }

    @Test func noneWhenTheRootHasNoneOrABadOneOrTheFileIsNotThere() throws {
        let f = try Fixture()
        f.write(#"<?xml version="1.0"?><Register><Institution nummer="1"/></Register>"#, to: "institutioner.xml")
        #expect(ExportDate.read(drop: f.drop, config: f.config) == nil)
        f.write(#"<?xml version="1.0"?><Register udtraeksdato="21-11-2026"><Institution nummer="1"/></Register>"#, to: "institutioner.xml")
        #expect(ExportDate.read(drop: f.drop, config: f.config) == nil, "extract says what is wrong with it")
        try FileManager.default.removeItem(atPath: f.path("institutioner.xml"))
        #expect(ExportDate.read(drop: f.drop, config: f.config) == nil)
    }
}
