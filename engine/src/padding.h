// Size buckets for what is sealed (protocol.md 3.1 and 7.1): a hub, or
// anyone who sees a ciphertext, learns of the plaintext's length only its
// bucket.
//
// A plaintext of n bytes is padded the ISO/IEC 7816-4 way (one 0x80 byte,
// then zeros; libsodium's sodium_pad) to PaddedSize(n + 1, min): min when
// that holds it, else n + 1 rounded up so that only the top bits of its
// length remain (the Padmé rule: at most 12% more bytes, and about
// log2(log2(n)) bits of the length left to see).
//
// Pure functions; thread safe.
#ifndef HAMLET_PADDING_H_
#define HAMLET_PADDING_H_

#include <cstddef>
#include <string>

#include "hamlet/status.h"

namespace hamlet {

// The bucket n bytes (marker included) are padded to; never less than n.
size_t PaddedSize(size_t n, size_t min);

// Appends the padding that brings *s to its bucket.
void Pad(std::string* s, size_t min);

// Strips the padding Pad added. DataLoss when there is none, or when *s is
// not the bucket its content pads to (a second way to pad the same content
// would be a channel no reader checks).
Status Unpad(std::string* s, size_t min);

}  // namespace hamlet

#endif  // HAMLET_PADDING_H_
