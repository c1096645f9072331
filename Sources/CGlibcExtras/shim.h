// What Swift's Glibc module does not expose: `mallopt` (malloc.h), renameat2's exchange,
// which glibc declares only under _GNU_SOURCE, the compiler's prefetch, and the extended
// attributes a file's access control list is kept in (sys/xattr.h), and files that have no
// name until they are written (O_TMPFILE).
#include <malloc.h>
#include <sys/xattr.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <errno.h>

/// Swaps two paths in one step (renameat2 with RENAME_EXCHANGE); -1 and errno when the
/// file system cannot (EINVAL) or either path is missing (ENOENT).
static inline int etl_exchange_paths(const char *a, const char *b) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
}

/// Asks the CPU for `p`'s cache line without waiting for it (the child-key cache looks a
/// row's child up early, so that the miss overlaps with the row's other checks).
static inline void etl_prefetch(const void *p) { __builtin_prefetch(p); }

/// Opens a new file in `folder` that has no name (O_TMPFILE): killed while writing it, a
/// process leaves nothing behind. -1 and errno (EOPNOTSUPP, EISDIR) where the file system has none.
static inline int etl_open_unnamed(const char *folder, mode_t mode) {
    return open(folder, __O_TMPFILE | O_DIRECTORY | O_WRONLY | O_CLOEXEC, mode);   // O_TMPFILE, named so only under _GNU_SOURCE
}

/// Gives the unnamed file `fd` the name `path` (which must not exist), through /proc as an
/// unprivileged process must; -1 and errno when it cannot (no /proc, EEXIST).
static inline int etl_name_unnamed(int fd, const char *path) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/// Flushes standard output; 0, or the errno of a write that failed, now or earlier (EIO when
/// the earlier one's is gone). Swift 6 may not touch C's `stdout` global itself.
static inline int etl_flush_standard_output(void) {
    errno = 0;
    if (fflush(stdout) != 0) return errno ? errno : EIO;
    return ferror(stdout) ? EIO : 0;
}
