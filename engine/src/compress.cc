#include "compress.h"

#include <zstd.h>

#include "hamlet/language.h"

namespace hamlet {

namespace {

struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

ZstdContexts& Zstd() {
  thread_local ZstdContexts ctx;
  return ctx;
}

}  // namespace

bool Compress(std::string_view in, int level, size_t min_saved, std::string* out) {
  size_t at = out->size();
  out->resize(at + ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compressCCtx(Zstd().c, out->data() + at, out->size() - at, in.data(), in.size(), level);
  bool pays = !ZSTD_isError(n) && n + min_saved <= in.size();
  out->resize(pays ? at + n : at);
  return pays;
}

Status Decompress(std::string_view in, size_t max_size, std::string* out) {
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_size) {
    return Status::DataLoss(Tr("bad compressed size"));
  }
  out->resize(size);
  size_t n = ZSTD_decompressDCtx(Zstd().d, out->data(), out->size(), in.data(), in.size());
  if (ZSTD_isError(n) || n != size) return Status::DataLoss(Tr("does not decompress"));
  return Status::OK();
}

}  // namespace hamlet
