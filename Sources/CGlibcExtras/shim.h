// What Swift's Glibc module does not expose: `mallopt` (malloc.h), renameat2's exchange,
// which glibc declares only under _GNU_SOURCE, the compiler's prefetch, and the extended
// attributes a file's access control list is kept in (sys/xattr.h).
#include <malloc.h>
#include <sys/xattr.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

/// Swaps two paths in one step (renameat2 with RENAME_EXCHANGE); -1 and errno when the
/// file system cannot (EINVAL) or either path is missing (ENOENT).
static inline int etl_exchange_paths(const char *a, const char *b) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
}

/// Asks the CPU for `p`'s cache line without waiting for it (the child-key cache looks a
/// row's child up early, so that the miss overlaps with the row's other checks).
static inline void etl_prefetch(const void *p) { __builtin_prefetch(p); }
