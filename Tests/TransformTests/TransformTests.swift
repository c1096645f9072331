import Testing
@testable import Transform

@Test func placeholder() {}
