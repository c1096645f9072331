import CLibPQ

extension Connection {
    /// Runs `body` in a transaction: BEGIN, then COMMIT when it returns, ROLLBACK when it
    /// throws (the error is rethrown). Nested calls use a savepoint, so an inner failure
    /// only undoes the inner work. Once the process is being stopped, COMMIT is never sent
    /// (`CommitGate`).
    @discardableResult
    package func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        let conn = try open("transaction")
        let nested = PQtransactionStatus(conn) != PQTRANS_IDLE
        let savepoint = "etl_savepoint_\(UInt32.random(in: 0...UInt32.max))"
        try execute(nested ? "SAVEPOINT \(savepoint)" : "BEGIN", name: "begin transaction")
        let value: T
        do {
            value = try body(self)
        } catch {
            try? execute(
                nested ? "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)" : "ROLLBACK",
                name: "rollback transaction")
            throw error
        }
        // COMMIT of a transaction that already failed silently rolls back; a caller who
        // caught a failed statement inside `body` must hear about that.
        if PQtransactionStatus(conn) == PQTRANS_INERROR {
            try? execute(
                nested ? "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)" : "ROLLBACK",
                name: "rollback transaction")
            throw PostgresError(.query, "a statement in the transaction failed, so it was rolled back",
                                statement: "commit transaction", context: target)
        }
        if !nested { CommitGate.pass() }
        try execute(nested ? "RELEASE SAVEPOINT \(savepoint)" : "COMMIT", name: "commit transaction")
        return value
    }
}
