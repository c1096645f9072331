// xxHash (apt: libxxhash-dev): XXH3-128, the checksum of stage files (Pipeline/XXH128Sum.swift).
#include <xxhash.h>
// XXH3's output is fixed from 0.8.0 on; before it, it could change between versions.
#if XXH_VERSION_NUMBER < 800
#error "xxHash 0.8.0 or later is needed (apt: libxxhash-dev)"
#endif
