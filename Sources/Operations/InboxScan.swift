/// What an inbox holds: the drop to run, and the newer folders that are not complete.
package struct InboxScan: Sendable {
    package var drop: Drop
    package var newerIncomplete: [IncompleteDrop]
}
