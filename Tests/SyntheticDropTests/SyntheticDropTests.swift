import Testing
@testable import SyntheticDrop

@Test func placeholder() {}
