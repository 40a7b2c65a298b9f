#include "hamlet/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace hamlet {

Env::~Env() = default;
AppendFile::~AppendFile() = default;

namespace {

Status IoError(const std::string& what, const std::string& path) {
  // A missing file cannot appear by retrying; other I/O errors (disk full,
  // card removed) may clear up.
  int e = errno;
  std::string msg = what + " " + path + ": " + std::strerror(e);
  if (e == ENOENT) return Status::NotFound(msg);
  if (e == EACCES || e == EPERM) return Status::PermissionDenied(msg);
  return Status::Unavailable(msg);
}

class PosixEnv final : public Env {
 public:
  int64_t NowMillis() override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

class PosixAppendFile final : public AppendFile {
 public:
  PosixAppendFile(int fd, std::string path, bool created) : fd_(fd), path_(std::move(path)), created_(created) {}
  ~PosixAppendFile() override { ::close(fd_); }

  Status Append(std::string_view data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot write", path_);
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return IoError("cannot sync", path_);
    if (created_) {
      // A file made since it was opened exists after a power cut only once
      // its folder's entry is on the disk too.
      std::string dir = path_.substr(0, path_.find_last_of('/') + 1);
      int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0) return IoError("cannot open the folder of", path_);
      int rc = ::fsync(dfd);
      ::close(dfd);
      if (rc != 0) return IoError("cannot sync the folder of", path_);
      created_ = false;
    }
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return IoError("cannot truncate", path_);
    return Status::OK();
  }

 private:
  int fd_;
  std::string path_;
  bool created_;
};

}  // namespace

Status Env::OpenAppendFile(const std::string& path, std::unique_ptr<AppendFile>* out) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  bool created = false;
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    created = true;
  }
  if (fd < 0) return IoError("cannot open", path);
  out->reset(new PosixAppendFile(fd, path, created));
  return Status::OK();
}

Status Env::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot remove", path);
  return Status::OK();
}

Status Env::ReadFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  out->clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", tmp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = IoError("cannot sync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = IoError("cannot rename onto", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::OK();
}

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace hamlet
