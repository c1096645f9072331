import Testing
@testable import Load

@Test func placeholder() {}
