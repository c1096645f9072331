import Foundation
import Operations
import Pipeline
import Testing
@testable import National

@Suite struct NationalFileTests {
    static let good = """
        small_cell_minimum: 5
        evaluation:
          period: year
        municipalities:
          - name: København
            code: "101"
            feed: postgresql://national_feed@kbh.example:5432/etl?sslmode=require
            password_env: ETL_FEED_101
          - name: Aarhus
            code: 751
            feed: host=aarhus.example port=5433 dbname=etl
            password_file: secrets/aarhus.password
        """

    func refusal(_ text: String) -> ConfigFileError? {
        do {
            _ = try NationalFile.parse(text, path: "/etc/etl/national.yaml")
            return nil
        } catch let error as ConfigFileError {
            return error
        } catch {
            Issue.record("not a ConfigFileError: \(error)")
            return nil
        }
    }

    @Test func readsMunicipalitiesAndSettings() throws {
        let file = try NationalFile.parse(Self.good, path: "/etc/etl/national.yaml")
        #expect(file.period == .year && file.smallCellMinimum == 5 && file.keepSnapshots == 7 && file.connectTimeout == 10)
        #expect(file.municipalities.map(\.name) == ["København", "Aarhus"])
        #expect(file.municipalities.map(\.code) == ["101", "751"])
        #expect(file.municipalities[0].password == .environment("ETL_FEED_101"))
        #expect(file.municipalities[1].password == .file("/etc/etl/secrets/aarhus.password"), "relative to the file's folder")
        #expect(file.municipalities[1].server == "municipality_751")
        #expect(file.municipalities[0].line == 5)
    }

    @Test func refusesWithFileLineAndKey() {
        let password = refusal(Self.good.replacingOccurrences(of: "national_feed@kbh", with: "national_feed:secret@kbh"))
        #expect(password?.line == 7 && password?.key == "municipalities[1].feed")
        #expect(password?.message.contains("passwords never go in this file") == true)
        #expect(password?.description.hasPrefix("/etc/etl/national.yaml:7: municipalities[1].feed:") == true, "\(String(describing: password))")
        // An sslpassword is a secret too (a re-test: it reached the server's definitions).
        let ssl = refusal(Self.good.replacingOccurrences(of: "etl?sslmode=require", with: "etl?sslmode=require&sslpassword=secret"))
        #expect(ssl?.message.contains("passwords never go in this file") == true, "\(String(describing: ssl))")

        let typo = refusal(Self.good.replacingOccurrences(of: "password_env", with: "pasword_env"))
        #expect(typo?.line == 8 && typo?.message.contains("unknown key") == true)

        let code = refusal(Self.good.replacingOccurrences(of: "code: 751", with: "code: 75"))
        #expect(code?.line == 10 && code?.message.contains("three digits") == true)

        let twice = refusal(Self.good.replacingOccurrences(of: "name: Aarhus", with: "name: København"))
        #expect(twice?.line == 9 && twice?.message.contains("listed twice") == true)

        let both = refusal(Self.good.replacingOccurrences(of: "password_env: ETL_FEED_101", with: "password_env: A\n    password_file: b"))
        #expect(both?.message.contains("not both") == true)

        let socket = refusal(Self.good.replacingOccurrences(of: "host=aarhus.example port=5433 dbname=etl", with: "dbname=etl"))
        #expect(socket?.message.contains("names no host") == true)

        let period = refusal(Self.good.replacingOccurrences(of: "period: year", with: "period: month"))
        #expect(period?.line == 3 && period?.key == "evaluation.period")

        // A name is printed on every line and kept in the national figures (an adversarial review: a bidi override).
        for name in ["\"Vejle\\u202E\"", "\"Vejle\\e[2J\"", "Vejle 010213-1234"] {
            let odd = refusal(Self.good.replacingOccurrences(of: "name: Aarhus", with: "name: \(name)"))
            #expect(odd?.key == "municipalities[2].name" && odd?.message.contains("control or format characters") == true
                    && odd?.description.contains("010213-1234") == false, "\(String(describing: odd))")
        }
        // A name the coordinator's index cannot take, and timeouts that overflowed (a re-test).
        let long = refusal(Self.good.replacingOccurrences(of: "name: Aarhus", with: "name: " + String(repeating: "x", count: 101)))
        #expect(long?.key == "municipalities[2].name" && long?.message.contains("longer than 100 bytes") == true, "\(String(describing: long))")
        for (key, value) in [("connect_timeout", "99999999999"), ("read_timeout", "9223372036854775807"), ("connect_timeout", "0")] {
            let timeout = refusal("\(key): \(value)\n" + Self.good)
            #expect(timeout?.key == key && timeout?.message.contains("must be from 1 to") == true, "\(key) \(String(describing: timeout))")
        }
        #expect(refusal("municipalities: []")?.message.contains("at least one") == true)
        #expect(refusal("")?.message.contains("empty") == true)
    }

    @Test func passwordsComeFromTheEnvironmentOrAPrivateFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("national-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("national.yaml").path
        let file = try NationalFile.parse(Self.good.replacingOccurrences(of: "secrets/aarhus.password", with: "aarhus.password"), path: path)
        let kbh = file.municipalities[0], aarhus = file.municipalities[1]

        #expect(try kbh.readPassword(file: file, environment: ["ETL_FEED_101": "s3cret"]) == "s3cret")
        let unset = #expect(throws: ConfigFileError.self) { try kbh.readPassword(file: file, environment: [:]) }
        #expect(unset?.message.contains("ETL_FEED_101 is not set") == true && unset?.line == 5)

        let secret = dir.appendingPathComponent("aarhus.password").path
        _ = FileManager.default.createFile(atPath: secret, contents: Data("pa55word\n".utf8), attributes: [.posixPermissions: 0o644])
        let open = #expect(throws: ConfigFileError.self) { try aarhus.readPassword(file: file) }
        #expect(open?.message.contains("chmod 600") == true)
        chmod(secret, 0o600)
        #expect(try aarhus.readPassword(file: file) == "pa55word")

        // Sent to the feed's server: never the pseudonymisation key, nor a file of another
        // user's this one may read (a re-test had the key sent from another user's file).
        let key = try NationalFile.parse(Self.good.replacingOccurrences(of: "ETL_FEED_101", with: "ETL_PSEUDONYM_KEY"), path: path)
        let asKey = #expect(throws: ConfigFileError.self) {
            try key.municipalities[0].readPassword(file: key, environment: ["ETL_PSEUDONYM_KEY": "k"])
        }
        #expect(asKey?.message.contains("names the pseudonymisation key") == true, "\(String(describing: asKey))")
        if geteuid() == 0 {
            #expect(chown(secret, 65534, 65534) == 0)
            let theirs = #expect(throws: ConfigFileError.self) { try aarhus.readPassword(file: file) }
            #expect(theirs?.message.contains("belongs to another user (uid 65534)") == true, "\(String(describing: theirs))")
        }
    }

    /// The national file says where the coordinator connects and which files it reads: one
    /// another user may change is refused, as a pipeline file is (`TrustedFile`).
    @Test func aNationalFileOthersMayChangeIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("national-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("national.yaml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(Self.good.utf8), attributes: [.posixPermissions: 0o666])
        chmod(path, 0o666)
        let error = #expect(throws: OperationsError.self) { try TrustedFile.check(path, what: "the national file") }
        #expect("\(String(describing: error))".contains("the national file may be written by any user"), "\(String(describing: error))")
        chmod(path, 0o600)
        try TrustedFile.check(path, what: "the national file")
    }
}
