import Foundation

/// A program run to completion, optionally as the server account: `initdb`, `pg_ctl`.
///
/// This uses posix_spawn rather than Foundation's `Process`: `pg_ctl start` leaves a
/// server running, and on Linux `Process` learns that its child exited when a socket it
/// hands the child is closed, so a server that inherited that socket made
/// `waitUntilExit()` wait forever. Here the child gets stdin from /dev/null, stdout and
/// stderr into a temporary file, and every other descriptor closed, so nothing of this
/// process (sockets, pipes, locks) leaks into a long-lived server.
enum Subprocess {
    /// What a finished program printed and how it exited.
    struct Result {
        var status: Int32
        /// stdout and stderr together, in the order written.
        var output: String
    }

    /// The variables server programs are given from the caller's environment.
    static let passedOn: Set<String> = ["PATH", "LD_LIBRARY_PATH", "TZ", "TMPDIR", "HOME", "USER", "LOGNAME"]

    /// `keeping`: a descriptor the child (and what it starts) keeps, as its descriptor 3:
    /// a lock held while the child lives, even when this process is killed.
    static func run(_ executable: String, _ arguments: [String], as account: ServerAccount? = nil,
                    in directory: String? = nil, keeping lock: Int32? = nil) throws -> Result {
        let command = account.map { $0.wrap([executable] + arguments) } ?? [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("etl-postgres-\(UUID().uuidString).out").path
        let outputFD = open(outputPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else {
            throw PostgresError(.io, "cannot create a temporary file: \(String(cString: strerror(errno)))", context: outputPath)
        }
        // Unnamed at once, read back through its descriptor: a killed etl leaves no file behind.
        unlink(outputPath)
        defer { close(outputFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        closeInheritedDescriptors(&actions, keeping: lock)
        if let directory, let addChdir = spawnAddChdir { _ = addChdir(&actions, directory) }

        // Only what the server programs need: the caller's environment may hold the pseudonym
        // key or passwords (ETL_*, PGPASSWORD), which a long-lived server would keep for
        // months where its account (and any superuser of a cluster under that account) reads
        // them. English, predictable messages, whatever locale the caller has.
        var environment = ProcessInfo.processInfo.environment.filter { Self.passedOn.contains($0.key) }
        environment["LC_ALL"] = "C"
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        // SIGPIPE as a program expects it: etl ignores it, and an ignored signal is inherited.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw PostgresError(.server, "cannot run \(command[0]): \(String(cString: strerror(spawned)))",
                                context: command.joined(separator: " "))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw PostgresError(.server, "lost track of \(command[0]): \(String(cString: strerror(errno)))")
            }
        }
        lseek(outputFD, 0, SEEK_SET)
        let text = String(decoding: FileHandle(fileDescriptor: outputFD, closeOnDealloc: false).readDataToEndOfFile(), as: UTF8.self)
        // Exit code when it exited, 128 + signal when it was killed, as shells report it.
        let exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitCode, output: text.trimmingTrailingWhitespace())
    }
}

// glibc's `_np` spawn actions are not in Swift's Glibc module, so they are looked up at
// run time (closefrom: glibc 2.34, chdir: 2.29).
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

private let spawnAddCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    .map { unsafeBitCast($0, to: AddCloseFrom.self) }
private let spawnAddChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
    .map { unsafeBitCast($0, to: AddChdir.self) }

/// Makes the child close every descriptor above stderr, but `lock`, which it gets as 3.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t, keeping lock: Int32?) {
    if let lock { posix_spawn_file_actions_adddup2(&actions, lock, 3) }   // dup2 clears close-on-exec
    let first: Int32 = lock == nil ? 3 : 4
    if let addCloseFrom = spawnAddCloseFrom {
        _ = addCloseFrom(&actions, first)
        return
    }
    // Older glibc: close what is open now (closing one that is gone by then is ignored).
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap(Int32.init) where fd >= first {
        posix_spawn_file_actions_addclose(&actions, fd)
    }
}
