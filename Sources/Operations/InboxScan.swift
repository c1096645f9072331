/// What an inbox holds: the drop to run, and the newer folders that are not complete.
package struct InboxScan: Sendable {
    package var drop: Drop
    /// The drop's checksum (`Drop.checksum`), when the scan computed it.
    package var checksum: String?
    package var newerIncomplete: [IncompleteDrop]
}
