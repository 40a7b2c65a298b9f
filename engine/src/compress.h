// zstd, with one compression and one decompression context per thread
// (they are costly to make). Thread safe.
#ifndef HAMLET_COMPRESS_H_
#define HAMLET_COMPRESS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "hamlet/status.h"

namespace hamlet {

// Appends a zstd frame of in (level as zstd takes it) to *out and returns
// true when it is at least min_saved bytes shorter than in; otherwise
// leaves *out as it was and returns false.
bool Compress(std::string_view in, int level, size_t min_saved, std::string* out);

// Replaces *out with the content of the zstd frame in. DataLoss when in is
// not one frame that names its size, or that size is over max_size.
Status Decompress(std::string_view in, size_t max_size, std::string* out);

}  // namespace hamlet

#endif  // HAMLET_COMPRESS_H_
