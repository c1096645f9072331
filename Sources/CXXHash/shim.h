// xxHash (apt: libxxhash-dev): XXH3-128, the checksum of stage files (Pipeline/XXH128Sum.swift).
#include <xxhash.h>
