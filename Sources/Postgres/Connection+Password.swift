import CLibPQ

extension Connection {
    /// The SCRAM-SHA-256 verifier of `password` for `role`, made here by libpq (as psql's
    /// `\password` does), so `ALTER ROLE … PASSWORD` sends the server a verifier and the
    /// clear password never reaches it, its log or its statistics.
    package func scramVerifier(password: String, role: String) throws -> String {
        let conn = try open("encrypt password")
        guard let verifier = PQencryptPasswordConn(conn, password, role, "scram-sha-256") else {
            throw PostgresError(.query, connection: conn, statement: "encrypt password", fallback: "libpq could not make a SCRAM verifier")
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }
}
