import Pipeline

/// What a warehouse command refuses, and what to do instead.
package enum WarehouseError: StewardError, Equatable {
    /// The state directory holds no embedded cluster, and this command may not make one.
    case noCluster(state: String)
    /// `etl warehouse stop` stopped the embedded server (at `since`), and no start followed.
    case stoppedByHand(state: String, since: String)
    /// The embedded server did not start, or did not answer once started.
    case serverUnavailable(state: String, message: String)
    /// A restart to listen elsewhere failed, and the server runs again as it did (`running`).
    case listenUnchanged(state: String, message: String, running: String)
    /// `--listen` (or another embedded-only option) with a database named elsewhere.
    case notEmbedded(option: String, target: String)

    package var description: String {
        switch self {
        case .noCluster(let state):
            "no warehouse in the state directory \(state) (it has no embedded PostgreSQL cluster, and only "
                + "`etl run`, `etl demo`, `etl warehouse start` and the coordinator's `etl national sync` create one). Choose the state directory that holds it "
                + "(--state-dir, ETL_STATE_DIR: a typo?); or name a database (--database, DATABASE_URL, or PGHOST and the other "
                + "PG* variables); or, for a new warehouse there, `etl warehouse start`"
        case .stoppedByHand(let state, let since):
            "the warehouse in \(state) was stopped with `etl warehouse stop` (\(since)) and is left stopped: nothing was done. "
                + "Start it again with `etl warehouse start` when it may run"
        case .serverUnavailable(let state, let message):
            "the embedded PostgreSQL of the state directory \(state) could not be started or reached: \(message); "
                + "`etl warehouse status` says whether it runs"
        case .listenUnchanged(let state, let message, let running):
            "the embedded PostgreSQL of the state directory \(state) could not listen there: \(message). "
                + "It runs again as before, \(running); the analysts' open sessions were ended"
        case .notEmbedded(let option, let target):
            "\(option) is for the embedded server, but the warehouse is \(target); leave the database unnamed to use the embedded one"
        }
    }

    package var exitStatus: ExitStatus {
        switch self {
        case .noCluster, .stoppedByHand, .serverUnavailable, .listenUnchanged: .databaseUnreachable
        case .notEmbedded: .usage
        }
    }
}
