import Crypto
import Foundation
import Pipeline

/// The secret key of the pseudonyms: from the environment variable the pipeline names
/// (`pseudonym_key.env`, default `ETL_PSEUDONYM_KEY`), else from the key file
/// (`pseudonym_key.file`, relative to the state directory; default `<state>/pseudonym.key`).
///
/// A key, in the variable or the file, is read as follows: 64 or more hex digits (an even
/// number) are taken as hex bytes (32 bytes or more); any other text of at least 32
/// characters is taken as its UTF-8 bytes; anything shorter is refused. An empty variable
/// counts as unset. With neither, the embedded default makes a new key, 32 random bytes,
/// and `save` writes it to the file (hex, mode 0600) once extract knows the drop is
/// complete, and says so: losing that file changes every child key.
package struct PseudonymKey {
    package let key: SymmetricKey
    /// Where the key came from (the variable's name or the file's path), for logs.
    package let origin: String
    /// The file a new key goes to, not yet written, and the variable that was not set; nil
    /// for a key that was read.
    let unsaved: (path: String, variable: String)?
    /// The key file the variable was read before, when there is one: a refusal says so.
    var shadowedFile: String? = nil
    /// Made now, not read: the embedded default's first run.
    var isNew: Bool { unsaved != nil }

    package static func load(_ source: PipelineConfig.KeySource, state: StateLayout,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ExtractError) -> PseudonymKey {
        let variable = source.environmentVariable
        let path = file(source, state: state)
        if let bytes = try variableKey(source, environment: environment) {
            return PseudonymKey(key: SymmetricKey(data: bytes), origin: "$\(variable)", unsaved: nil,
                                shadowedFile: FileManager.default.fileExists(atPath: path) ? path : nil)
        }
        try checkWay(to: path)
        if FileManager.default.fileExists(atPath: path) {
            return PseudonymKey(key: try read(path), origin: path, unsaved: nil)
        }
        return PseudonymKey(key: SymmetricKey(size: .bits256), origin: path, unsaved: (path, variable))
    }

    /// Refuses a key in the variable that `load` would refuse, before a run does anything: a
    /// night with nothing new passed it, and only the next drop's night failed (a new user's trial).
    package static func checkVariable(_ source: PipelineConfig.KeySource,
                                      environment: [String: String] = ProcessInfo.processInfo.environment) throws(ExtractError) {
        _ = try variableKey(source, environment: environment)
    }

    /// The key bytes of the variable; nil when it is unset or empty. One too short is refused,
    /// named with the environment file the cron wrapper read.
    private static func variableKey(_ source: PipelineConfig.KeySource, environment: [String: String]) throws(ExtractError) -> [UInt8]? {
        let variable = source.environmentVariable
        guard let value = environment[variable], !value.isEmpty else { return nil }
        guard let bytes = interpret(value) else {
            let file = environment["ETL_ENV_FILE"].flatMap { $0.isEmpty || $0 == "/dev/null" ? nil : " (the cron wrapper read \($0), which may set it)" } ?? ""
            throw .pseudonymKey(source: "environment variable \(variable)\(file)",
                                message: "too short: give 64 or more hex digits (32 bytes) or a text of 32 or more characters")
        }
        return bytes
    }

    /// Writes a new key to its file; returns what to tell the steward, nil when the key was
    /// not new. A file another run made meanwhile is never overwritten: this run's
    /// pseudonyms would not be its, so the run stops.
    func save() throws(ExtractError) -> String? {
        guard let (path, variable) = unsaved else { return nil }
        let folder = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .pseudonymKey(source: path, message: "cannot create its folder: \(error.localizedDescription)")
        }
        // Again, now that its folders are there: one another user made in a sticky folder while
        // extract ran would have been given the only copy of the key (an adversarial review).
        try Self.checkWay(to: path)
        let hex = key.withUnsafeBytes { Hex.string($0) } + "\n"
        guard try Self.createWhole(path, hex, what: "the key file") else {
            throw .pseudonymKey(source: path, message: "another run made this key file while this one ran with a new key; run again to use the file's")
        }
        return "created a new pseudonymisation key at \(path) (neither $\(variable) nor a key file was there). Back it up: if it is lost, every child key changes."
    }

    /// Tells keys apart and says nothing of the key: the first 16 hex digits of HMAC-SHA-256
    /// of a fixed text under it.
    package var fingerprint: String {
        String(Hex.string(HMAC<SHA256>.authenticationCode(for: Data("etl pseudonym key fingerprint".utf8), using: key)).prefix(16))
    }

    /// Refuses a key other than the one this state directory's runs were extracted with (its
    /// fingerprint in `StateLayout.keyFingerprintFile`): under another key every child gets a
    /// new pseudonym and no longer links to earlier runs. That happens quietly otherwise: a
    /// rerun from a shell without the nightly job's environment would make a new key file,
    /// and every command after it use that one.
    ///
    /// A rerun is held to the key its run's last extract used, when that recorded one. The
    /// warehouse's key (`warehouse`, from `etl.warehouse`) holds too: a state directory lost,
    /// not mounted, or another one pointed at the warehouse has no fingerprint file (an
    /// adversarial review published a run under a new key so). `newKey` lets a new run start
    /// over under a new key on purpose.
    func checkSameAsBefore(_ state: StateLayout, run: RunID, lastExtract: String?, warehouse: String?, newKey: Bool) throws(ExtractError) {
        let nightly = "as the nightly job does (its wrapper reads /etc/etl/etl.env, or $ETL_ENV_FILE)"
        if let lastExtract, lastExtract != fingerprint {
            throw .pseudonymKey(source: origin, message: "run \(run) was extracted under the key of fingerprint \(lastExtract), and "
                + "\(describedNow): its children would get new pseudonyms. Run it with that key: \(nightly), "
                + "or restore its key file; under a new key, run its drop as a new run")
        }
        guard !newKey else { return }
        if let warehouse, warehouse != fingerprint {
            throw .pseudonymKey(source: origin, message: "the warehouse's runs were extracted under the key of fingerprint \(warehouse) "
                + "(recorded in etl.warehouse), and \(describedNow): every child would get a new pseudonym and no longer link to "
                + "earlier runs. Run with that key: \(nightly), from the state directory that holds its key file, or with that "
                + "file restored. To start over under a new key on purpose: `etl run --pipeline FILE --inbox DIR --new-key` (a new run, with the night's pipeline file and inbox)")
        }
        let file = state.keyFingerprintFile.path
        guard let data = FileManager.default.contents(atPath: file) else { return }   // none recorded yet
        let recorded = String(decoding: data, as: UTF8.self).trimmingSpaces
        guard recorded != fingerprint else { return }
        throw .pseudonymKey(source: origin, message: "this state directory's runs were extracted under the key of fingerprint \(recorded) (recorded in \(file)), and "
            + "\(describedNow): every child would get a new pseudonym and no longer link to earlier runs. Run with that key: "
            + "\(nightly), or restore its key file. "
            + "If the recorded key is not the one to keep, or to start over under a new key on purpose: `etl run --pipeline FILE --inbox DIR --new-key` (a new run, with the night's pipeline file and inbox)")
    }

    /// The key now, for a refusal: none found, or the one found and its fingerprint.
    private var describedNow: String {
        unsaved.map { "no key was found now ($\($0.variable) is not set, and there is no key file at \($0.path))" }
            ?? "the key now, from \(origin)" + (shadowedFile.map { " (read before the key file \($0): unset \(origin) to use that file)" } ?? "")
                + ", has fingerprint \(fingerprint)"
    }

    /// Records the key's fingerprint for the state directory, once: the first new run's key
    /// is the one to keep (not a rerun's: after an upgrade, a steward's rerun from a shell
    /// without the nightly environment would record a key no night uses).
    /// `replacing` (`etl run --new-key`): the new key's takes the recorded one's place.
    func recordFingerprint(_ state: StateLayout, replacing: Bool) throws(ExtractError) {
        let file = state.keyFingerprintFile.path
        if replacing, let data = FileManager.default.contents(atPath: file),
           String(decoding: data, as: UTF8.self).trimmingSpaces != fingerprint {
            unlink(file)
        }
        guard !FileManager.default.fileExists(atPath: file) else { return }
        _ = try Self.createWhole(file, fingerprint + "\n", what: "the key's fingerprint")   // false: another run recorded it; the next checks it
    }

    /// Creates `path` (mode 0600) holding `text`, whole or not at all: written to a temporary
    /// file, synced, then linked to `path`, which fails if it exists. A kill midway leaves no
    /// empty or partial key file, which would stop every later run. False when `path` exists.
    private static func createWhole(_ path: String, _ text: String, what: String) throws(ExtractError) -> Bool {
        // Temporaries a killed run left (one extract at a time holds the run lock): each held a key.
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        for left in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where left.hasPrefix(name + ".") && left.hasSuffix(".partial") {
            unlink(folder + "/" + left)
        }
        let temporary = path + ".\(getpid()).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .pseudonymKey(source: path, message: "cannot create \(what): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        fchmod(fd, 0o600)
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == text.utf8.count, synced else {
            throw .pseudonymKey(source: path, message: "cannot write \(what): \(String(cString: strerror(errno)))")
        }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw .pseudonymKey(source: path, message: "cannot create \(what): \(String(cString: strerror(errno)))")
        }
        return true
    }

    static func file(_ source: PipelineConfig.KeySource, state: StateLayout) -> String {
        guard let file = source.file else { return state.defaultKeyFile.path }
        return file.hasPrefix("/") ? file : state.root.appendingPathComponent(file).path
    }

    /// The key bytes of a value, or nil when it is too short (see the type's comment).
    static func interpret(_ text: String) -> [UInt8]? {
        let t = text.trimmingSpaces
        if t.utf8.count >= 64, let bytes = Hex.bytes(t) { return bytes }
        return t.count >= 32 ? Array(t.utf8) : nil
    }

    /// The way to the key file as to a pipeline file (`TrustedFile`): a link another user made,
    /// or a folder above that another user owns or may write, lets them choose which file is
    /// the key, one whose text they know (an adversarial review linked a generated drop's
    /// MANIFEST; its owner and mode, root's and 0600, passed), or where a new key goes.
    private static func checkWay(to path: String) throws(ExtractError) {
        let risk = "who could choose which file is the key: refused. Keep the key file in a folder only you (or root) can change"
        if case .linkByOthers(let link, let uid) = OtherWriters.way(to: path) {
            throw .pseudonymKey(source: path, message: "the key file is reached through \(link), a link that \(OtherWriters.owner(uid)) made, \(risk)")
        }
        if let (folder, writers) = OtherWriters.folderAbove(path, othersOwning: true) {
            throw .pseudonymKey(source: path, message: "the key file lies in \(folder), where \(writers) may put another file in its place, \(risk)")
        }
    }

    /// The key of a file that is this user's (or root's) and no one else's to read: a key
    /// another user made is one they know, and with it every child key is a CPR number again.
    private static func read(_ path: String) throws(ExtractError) -> SymmetricKey {
        // Without waiting: a named pipe another user put there would block the night (a review).
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw .pseudonymKey(source: path, message: "cannot open the key file: \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw .pseudonymKey(source: path, message: "cannot read its status: \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw .pseudonymKey(source: path, message: "the key file is not a regular file (a named pipe, a device or a folder): refused. A key file holds the key as text")
        }
        // Another name of it, a hard link another user made in a sticky folder to a file whose
        // text they know, passes owner and mode (an adversarial review): a key file has one.
        guard st.st_nlink == 1 else {
            throw .pseudonymKey(source: path, message: "the key file has \(st.st_nlink) names (hard links): another user may have made this one to a file they know. "
                                + "A key file has one name; copy the key to a new file of yours (chmod 600)")
        }
        guard st.st_uid == geteuid() || st.st_uid == 0 else {
            throw .pseudonymKey(source: path, message: "the key file belongs to another user (uid \(st.st_uid)), who knows the key: refused. Use a key of your own (a new state directory makes one) or have this file given to you")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw .pseudonymKey(source: path, message: "the key file is open to group or others (mode \(String(st.st_mode & 0o777, radix: 8))): "
                                + "a key others may read is no secret. A file made for the key is to be readable by you alone (chmod 600); "
                                + "never name a shared or system file")
        }
        guard let data = try? handle.readToEnd() ?? Data() else {
            throw .pseudonymKey(source: path, message: "cannot read the key file; check it belongs to this user")
        }
        guard let bytes = interpret(String(decoding: data, as: UTF8.self)) else {
            throw .pseudonymKey(source: path, message: "too short: the file must hold 64 or more hex digits (32 bytes) or a text of 32 or more characters")
        }
        return SymmetricKey(data: bytes)
    }
}
