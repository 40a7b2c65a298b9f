#include "padding.h"

#include <sodium.h>

#include <bit>
#include <cassert>

#include "hamlet/language.h"

namespace hamlet {

size_t PaddedSize(size_t n, size_t min) {
  if (n <= min) return min;
  size_t e = std::bit_width(n) - 1;            // floor(log2 n)
  size_t s = std::bit_width(e);                // floor(log2 e) + 1
  size_t mask = (size_t{1} << (e - s)) - 1;    // The low bits given up.
  return (n + mask) & ~mask;
}

void Pad(std::string* s, size_t min) {
  size_t target = PaddedSize(s->size() + 1, min);
  size_t unpadded = s->size();
  s->resize(target);
  size_t padded = 0;
  int r = sodium_pad(&padded, reinterpret_cast<unsigned char*>(s->data()), unpadded, target, target);
  assert(r == 0 && padded == target);
  (void)r;
}

Status Unpad(std::string* s, size_t min) {
  size_t unpadded = 0;
  if (s->empty() || sodium_unpad(&unpadded, reinterpret_cast<const unsigned char*>(s->data()), s->size(), s->size()) != 0 ||
      PaddedSize(unpadded + 1, min) != s->size()) {
    return Status::DataLoss(Tr("sealed plaintext is not padded to its size bucket"));
  }
  s->resize(unpadded);
  return Status::OK();
}

}  // namespace hamlet
