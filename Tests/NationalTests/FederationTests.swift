import Evaluation
import Foundation
import Pipeline
import Postgres
import Testing
import TestSupport

@Suite(.serialized) struct FederationTests {
    @Test func syncAndPublishSucceed() throws {
        let f = try Federation.shared.get()
        #expect(f.sync.status == 0, "\(f.sync)")
        #expect(f.publish.status == 0, "\(f.publish)")
        print(f.sync.stdout, f.publish.stdout)
    }
}
