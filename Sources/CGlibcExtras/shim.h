// What Swift's Glibc module does not expose: `mallopt` (malloc.h) and renameat2's exchange,
// which glibc declares only under _GNU_SOURCE.
#include <malloc.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

/// Swaps two paths in one step (renameat2 with RENAME_EXCHANGE); -1 and errno when the
/// file system cannot (EINVAL) or either path is missing (ENOENT).
static inline int etl_exchange_paths(const char *a, const char *b) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
}
