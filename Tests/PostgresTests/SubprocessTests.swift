import Foundation
import Glibc
import Testing
import TestSupport
@testable import Postgres

@Suite struct SubprocessTests {
    /// A lock given to a child is held by what the child leaves running after this process
    /// lets go of it: the initdb of a killed run holds `initdb.lock` until it ends, and the
    /// next run waits for it instead of making the cluster in the same folder at once.
    @Test func aLockGivenToAChildIsHeldByWhatItLeavesRunning() throws {
        let path = try TestServer.temporaryDirectory() + "/child.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        // The shell exits at once; the sleep it started keeps descriptor 3.
        let result = try Subprocess.run("/bin/sh", ["-c", "sleep 2 & exit 0"], keeping: fd)
        #expect(result.status == 0)
        close(fd)
        let other = open(path, O_RDWR | O_CLOEXEC)
        defer { close(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK, "the orphaned sleep holds the lock")
        #expect(flock(other, LOCK_EX) == 0, "and lets it go when it ends")

        // Not given: nothing the child starts holds it.
        let second = open(path, O_RDWR | O_CLOEXEC)
        #expect(flock(other, LOCK_UN) == 0 && flock(second, LOCK_EX) == 0)
        _ = try Subprocess.run("/bin/sh", ["-c", "sleep 2 & exit 0"])
        close(second)
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
    }
}
