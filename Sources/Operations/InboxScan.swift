/// What an inbox holds: the drop to run, and the newer folders that are not complete.
package struct InboxScan: Sendable {
    package var drop: Drop
    /// The sha256 of each source file, by file name, when the scan computed them.
    package var sums: [(file: String, sha256: String)]?
    package var newerIncomplete: [IncompleteDrop]
}
