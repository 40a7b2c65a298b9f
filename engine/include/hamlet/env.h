// Env: the engine's only window on the operating system's clock and files.
//
// Everything time- or file-dependent goes through an Env so that tests can
// inject wrong clocks and failing writes. Implementations must be safe to call
// from several threads at once.
#ifndef HAMLET_ENV_H_
#define HAMLET_ENV_H_

#include "hamlet/export.h"
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hamlet/status.h"

namespace hamlet {

// A file open for appending, from Env::OpenAppendFile. Not thread safe;
// closed when destroyed.
class HAMLET_EXPORT AppendFile {
 public:
  virtual ~AppendFile();
  // Writes data at the end of the file. After a failure or a crash the
  // file may end with part of it.
  virtual Status Append(std::string_view data) = 0;
  // Returns once everything appended so far is on the disk, and the file's
  // name with it.
  virtual Status Sync() = 0;
  // Cuts the file to its first size bytes; appends go on from there.
  virtual Status Truncate(uint64_t size) = 0;
};

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

  // Opens path for appending, creating it (readable by its owner only)
  // when missing. *out is the caller's.
  virtual Status OpenAppendFile(const std::string& path, std::unique_ptr<AppendFile>* out);

  // Removes path; one that does not exist is not an error.
  virtual Status RemoveFile(const std::string& path);

  // The process-wide default Env (system clock, POSIX files). Never freed.
  static Env* Default();
};

}  // namespace hamlet

#endif  // HAMLET_ENV_H_
