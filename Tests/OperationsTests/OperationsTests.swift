import Testing
@testable import Operations

@Test func placeholder() {}
