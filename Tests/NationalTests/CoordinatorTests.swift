import Testing
import Postgres
@testable import National

/// How the coordinator tells a feed it cannot reach from one it cannot read.
@Suite struct CoordinatorTests {
    /// A server down, refusing the role or shutting down is unreachable (exit 69, "is it
    /// up?"); a feed that answers with another error is unreadable ("is it migrated?"), which
    /// had been said of both (a review).
    @Test func aFeedsServerGoneIsUnreachableNotUnreadable() {
        for state in ["08006", "08001", "28P01", "28000", "57P01", "57P03"] {
            #expect(Coordinator.isUnreachable(PostgresError(.query, "x", sqlState: state)), "\(state)")
        }
        #expect(Coordinator.isUnreachable(PostgresError(.connection, "server closed the connection unexpectedly")))
        for state in ["42703", "42P01", "22P02", "57014"] {
            #expect(!Coordinator.isUnreachable(PostgresError(.query, "x", sqlState: state)), "\(state)")
        }
    }
}
