// Env: the engine's only window on the operating system's clock and files.
//
// Everything time- or file-dependent goes through an Env so that tests can
// inject wrong clocks and failing writes. Implementations must be safe to call
// from several threads at once.
#ifndef HAMLET_ENV_H_
#define HAMLET_ENV_H_

#include "hamlet/export.h"
#include <cstdint>
#include <string>
#include <string_view>

#include "hamlet/status.h"

namespace hamlet {

class HAMLET_EXPORT Env {
 public:
  virtual ~Env();

  // Wall-clock time in milliseconds since the Unix epoch. May be wrong by
  // years and may jump backwards; the engine copes (see protocol.md, "Clocks").
  virtual int64_t NowMillis() = 0;

  // Reads a whole file into *out.
  virtual Status ReadFile(const std::string& path, std::string* out);

  // Writes data to path so that a crash leaves either the old file or the
  // complete new one: it writes a temporary file beside it, syncs it, and
  // renames it over path.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data);

  // The process-wide default Env (system clock, POSIX files). Never freed.
  static Env* Default();
};

}  // namespace hamlet

#endif  // HAMLET_ENV_H_
