import Foundation
import Testing
import TestSupport
@testable import Postgres

@Suite struct TCPAddressTests {
    @Test func parsesHostAndPortAndRefusesTheRest() {
        #expect(TCPAddress("127.0.0.1:6543") == TCPAddress(host: "127.0.0.1", port: 6543))
        #expect(TCPAddress("*:5432") == TCPAddress(host: "*", port: 5432))
        #expect(TCPAddress("[::1]:5433") == TCPAddress(host: "::1", port: 5433))
        #expect(TCPAddress("warehouse.kk.dk:5432")?.host == "warehouse.kk.dk")
        #expect(TCPAddress("[::1]:5433")?.description == "[::1]:5433")
        #expect(TCPAddress("0.0.0.0:5432")?.isWildcard == true)
        for bad in ["5432", "localhost", ":5432", "host:0", "host:65536", "host:x", "::1:5432", "a b:1", "h'x:1", "*x:1",
                    "999.1.1.1:5432", "10.0.0:5432", "[::g]:5432"] {
            #expect(TCPAddress(bad) == nil, "\(bad)")
        }
        // Asked before a running server is restarted for it (a re-test's 8.8.8.8 ended analysts' sessions, then failed).
        #expect(TCPAddress("127.0.0.1:5433")?.unusableHere(ownPort: nil) == nil && TCPAddress("*:5433")?.unusableHere(ownPort: nil) == nil)
        #expect(TCPAddress("8.8.8.8:5433")?.unusableHere(ownPort: nil) == "no interface of this machine has the address 8.8.8.8")
        #expect(TCPAddress("nosuchhost.invalid:5433")?.unusableHere(ownPort: nil) == "nosuchhost.invalid is the name of no address")
        #expect(TCPAddress("[fe80::1]:5433")?.unusableHere(ownPort: nil) != nil, "a link-local address needs a scope")
        #expect(TCPAddress("127.0.0.1:80")?.unusableHere(ownPort: nil, asRoot: true) != nil)
        // A port another program holds, and the same port held by the server's own.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) } }
        #expect(listen(holder, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let held = Int(UInt16(bigEndian: address.sin_port))
        #expect(TCPAddress("127.0.0.1:\(held)")?.unusableHere(ownPort: nil) == "another program listens on port \(held)")
        #expect(TCPAddress("127.0.0.1:\(held)")?.unusableHere(ownPort: held) == nil)
    }
}

@Suite struct ServerAccessTests {
    /// Over TCP, only members of etl_analyst with their password; never the superuser;
    /// not the analysts through the socket. The rules survive a restart.
    @Test func tcpAdmitsAnalystsWithTheirPasswordAndNobodyElse() throws {
        let server = try TestServer.privateServer()
        let port = try freeLoopbackPort()
        try server.start(listen: .on(TCPAddress(host: "127.0.0.1", port: port)))
        defer { try? server.stop(.immediate) }
        #expect(server.port == port)
        #expect(server.connectionString().contains("port=\(port)"))

        let owner = try Connection(url: server.connectionString())
        try owner.execute("""
            CREATE ROLE etl_analyst NOLOGIN;
            CREATE ROLE ana LOGIN PASSWORD 'right-password' IN ROLE etl_analyst;
            CREATE ROLE outsider LOGIN PASSWORD 'right-password';
            ALTER ROLE postgres PASSWORD 'right-password';
            """)
        func tcp(_ user: String, _ password: String) -> String {
            "postgresql://\(user):\(password)@127.0.0.1:\(port)/postgres?sslmode=disable&connect_timeout=5"
        }
        let analyst = try Connection(url: tcp("ana", "right-password"))
        #expect(try analyst.query("SELECT current_user, inet_server_port()").first?.values == ["ana", "\(port)"])
        // Over TCP the server keeps its own watch on the session: a client it can no longer
        // reach is found within about a minute, and its session (and any lock) ended.
        #expect(try analyst.query("""
            SELECT current_setting('tcp_keepalives_idle'), current_setting('tcp_keepalives_interval'), current_setting('tcp_keepalives_count')
            """).first?.values == ["30", "10", "3"])
        // SCRAM, not md5 or a clear password: the stored verifier.
        #expect(try owner.query("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'ana'").first?.bool(0) == true)

        let refusals: [(String, String, String)] = [
            ("ana", "wrong-password", "password authentication failed"),
            ("postgres", "right-password", "rejects connection"),
            ("outsider", "right-password", "no pg_hba.conf entry"),
        ]
        for (user, password, says) in refusals {
            let error = #expect(throws: PostgresError.self, "\(user)") { try Connection(url: tcp(user, password)) }
            #expect(error?.message.contains(says) == true, "\(user): \(error?.message ?? "")")
        }
        // The socket is the owner's: an analyst role is refused there even with its password.
        let socketAnalyst = server.connectionString().replacingOccurrences(of: "user=postgres", with: "user=ana&password=right-password")
        #expect(throws: PostgresError.self) { try Connection(url: socketAnalyst) }

        // Kept: a plain start() after a stop listens on the same address.
        owner.close()
        analyst.close()
        try server.stop()
        try server.start()
        #expect(server.listen == TCPAddress(host: "127.0.0.1", port: port))
        #expect(try Connection(url: tcp("ana", "right-password")).query("SELECT 1").count == 1)
    }

    @Test func aRunningServerThatListensOtherwiseIsNotSilentlyKept() throws {
        let server = try TestServer.privateServer()
        try server.start()
        defer { try? server.stop(.immediate) }
        #expect(server.listen == nil && server.port == EmbeddedServer.defaultPort)
        let address = TCPAddress(host: "127.0.0.1", port: try freeLoopbackPort())
        #expect(!server.restartNeeded(for: nil))
        #expect(server.restartNeeded(for: address))
        let error = #expect(throws: PostgresError.self) { try server.start(listen: .on(address)) }
        #expect(error?.description.contains("without TCP") == true, "\(error.map(String.init(describing:)) ?? "")")
        #expect(server.listen == nil, "a refused start records nothing")
        try server.start(listen: .keep)
        try server.start(listen: .off)
    }

    /// A port someone else holds (Debian's own cluster on 5432, say): the start fails naming
    /// it, with what to do and the server's reason, and the address is not kept, so the next
    /// plain start uses the socket as before.
    @Test func aTakenPortFailsTheStartAndIsNotKept() throws {
        let (holder, port) = try silentLoopbackListener()
        defer { close(holder) }

        let server = try TestServer.privateServer()
        defer { try? server.stop(.immediate) }
        let error = #expect(throws: PostgresError.self) { try server.start(listen: .on(TCPAddress(host: "127.0.0.1", port: port))) }
        #expect(error?.detail?.contains("could not bind") == true, "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.message.contains("port \(port) (--listen 127.0.0.1:\(port)) is taken by another program") == true
                && error?.hint?.contains("etl warehouse start --listen 127.0.0.1:PORT") == true, "\(String(describing: error))")
        #expect(server.listen == nil)
        try server.start()
        #expect(try server.status().isRunning && server.port == EmbeddedServer.defaultPort)
    }

    @Test func theAccessRulesTrustTheSocketForTheOwnerOnly() {
        let rules = EmbeddedServer.accessRules.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: " ").map(String.init) }
        #expect(rules == [
            ["local", "all", "postgres", "trust"],
            ["host", "all", "postgres", "all", "reject"],
            ["host", "all", "+etl_analyst", "all", "scram-sha-256"],
            ["host", "all", "national_feed", "all", "scram-sha-256"],
        ])
    }

    @Test func aPasswordBecomesAVerifierOnTheClient() throws {
        let connection = try TestServer.freshDatabase().connect()
        let verifier = try connection.scramVerifier(password: "s3cret", role: "ana")
        #expect(verifier.hasPrefix("SCRAM-SHA-256$4096:") && !verifier.contains("s3cret"))
        #expect(try connection.scramVerifier(password: "s3cret", role: "ana") != verifier, "salted")
    }

    @Test func connectionInfoReadsURLsAndKeywordStrings() {
        #expect(ConnectionInfo.parse("postgresql://u:p@db.example:6432/w?sslmode=require")
            == ["user": "u", "password": "p", "host": "db.example", "port": "6432", "dbname": "w", "sslmode": "require"])
        #expect(ConnectionInfo.parse("host=/tmp dbname=etl")?["host"] == "/tmp")
        #expect(ConnectionInfo.parse("postgresql://[") == nil)
    }
}
