// OpenSSL's libcrypto (apt: libssl-dev; libpq already loads it): SHA-256 on a context that
// is a plain struct, for the keyed hash of the child keys (Extract/KeyedSHA256.swift).
// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose
// contexts are allocated; they remain part of its API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
