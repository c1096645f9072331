// xxHash 0.8.1 (Yann Collet, BSD 2-Clause: include/xxhash.h keeps the notice), as Debian 12
// ships it: XXH3-128, the stage files' checksums (Pipeline/XXH128Sum.swift). Its header is
// kept here because a fresh machine of the project's kind has the library but not
// libxxhash-dev, and `swift run etl demo` must build there (docs/decisions.md).
#define XXH_STATIC_LINKING_ONLY
#define XXH_IMPLEMENTATION
#include "xxhash.h"
