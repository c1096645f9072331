import Foundation
import Logging
import Postgres

/// How an analyst reaches the warehouse: a connection string for psql, a BI tool's
/// fields, and what still stands in the way (e.g. the server listens on no TCP address).
package struct AnalystAccess: Sendable {
    package var url: PostgresURL
    package var warnings: [String]
}

extension WarehouseTarget {
    /// Starts the embedded server (creating its cluster on first use) listening on TCP as
    /// `listen` says. A running server that listens otherwise is restarted, under the run
    /// lock, so a nightly run is never cut off: with a run going this waits for nothing
    /// and says so (`OperationsError.locked`).
    package func startEmbedded(listen: EmbeddedServer.ListenChange, logger: Logger) throws {
        guard url == nil else { throw WarehouseError.notEmbedded(option: "--listen", target: displayName) }
        try StateDirectory.checkBeforeMaking(state.root.path)   // it made one in a folder others may write (a review)
        let server = embeddedServer
        let wanted: TCPAddress? = switch listen {
        case .keep: server.listen
        case .off: nil
        case .on(let address): address
        }
        do {
            if listen != .keep, server.restartNeeded(for: wanted) {
                if let wanted, let why = wanted.unusableHere(ownPort: server.port) {
                    throw OperationsError.usage("--listen \(wanted): \(why); the server runs as it did. Name an address of this machine (0.0.0.0 for all) and a port no other program holds, 1024 or above")
                }
                let lock = try RunLock(path: state.lockFile.path, holder: "etl warehouse start (restarting the server)")
                defer { withExtendedLifetime(lock) {} }
                logger.notice("restarting the server: open sessions are ended", metadata: [
                    "listen": "\(wanted.map(String.init(describing:)) ?? "socket only")"])
                try server.stop(.fast)
                do {
                    try server.start(listen: listen)
                } catch let error as PostgresError {
                    // Back as analysts had it (the start recorded the old address again):
                    // a taken port must not leave the warehouse down (a new user's trial).
                    let before = server.listen.map { "listening on \($0)" } ?? "without TCP"
                    do { try server.start(listen: .keep) } catch let again as PostgresError {
                        throw WarehouseError.serverUnavailable(state: state.root.path, message: "\(error.description); starting it again \(before) failed too, so it is stopped: \(again.description)")
                    }
                    throw WarehouseError.listenUnchanged(state: state.root.path, message: error.description, running: before)
                }
            } else {
                try server.start(listen: listen)
            }
        } catch let error as PostgresError {
            throw WarehouseError.serverUnavailable(state: state.root.path, message: error.description)
        }
    }

    /// Where `role` connects from another machine, with `password` in the string when
    /// given (one generated and shown once). `host` overrides the host name shown.
    package func analystAccess(role: String, password: String?, host: String?) -> AnalystAccess {
        var warnings: [String] = []
        var url: PostgresURL
        if let target = self.url {
            var info = ConnectionInfo.defaults()
            info.merge(ConnectionInfo.parse(target) ?? [:]) { $1 }
            url = PostgresURL(info)
            if host == nil, url.host.hasPrefix("/") || url.host.isEmpty {
                warnings.append("the warehouse is reached through a Unix socket (\(url.host)); give its TCP host name with --host")
            }
        } else {
            let server = embeddedServer
            url = PostgresURL(["dbname": Self.embeddedDatabase, "sslmode": "disable"])
            if let listen = server.listen {
                url.host = listen.isWildcard ? ProcessInfo.processInfo.hostName : listen.host
                url.port = listen.port
            } else {
                url.host = "localhost"
                url.port = EmbeddedServer.defaultPort
                warnings.append("the embedded server listens on no TCP address, so analysts cannot connect yet: "
                                + "run `etl warehouse start --listen HOST:PORT` (e.g. --listen 0.0.0.0:5432)")
            }
        }
        url.user = role
        url.password = password
        if let host { url.host = host }
        return AnalystAccess(url: url, warnings: warnings)
    }
}
