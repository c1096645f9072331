import Testing
@testable import Extract

@Test func placeholder() {}
