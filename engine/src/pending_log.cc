#include "pending_log.h"

#include "coding.h"
#include "crypto.h"
#include "format.h"
#include "hamlet/language.h"

namespace hamlet {

namespace {

std::string Header() {
  std::string h(format::kPendingMagic, 4);
  h.push_back(static_cast<char>(format::kPendingVersion));
  return h;
}

std::string Check(std::string_view payload) { return Hash(payload, format::kPendingCheckBytes); }

}  // namespace

Status PendingLog::Read(Env* env, const std::string& path, std::vector<PendingCommit>* found) {
  found->clear();
  std::string data;
  Status s = env->ReadFile(path, &data);
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  if (s.ok() && !data.empty()) {
    const std::string header = Header();
    // A crash while the header was written leaves a prefix of it.
    if (data.size() < header.size() ? header.compare(0, data.size(), data) != 0
                                    : data.compare(0, header.size(), header) != 0) {
      return Status::InvalidArgument(Format(Tr("%s is not a Hamlet pending file (protocol.md 8)"), path.c_str()));
    }
    Reader r(std::string_view(data).substr(std::min(data.size(), header.size())));
    while (r.remaining() > 0) {
      uint64_t n = r.Varint();
      if (!r.ok() || n <= format::kIdBytes || n > r.remaining()) break;
      std::string_view payload = r.Raw(static_cast<size_t>(n));
      std::string_view check = r.Raw(format::kPendingCheckBytes);
      if (!r.ok() || !SecureEqual(check, Check(payload))) break;
      PendingCommit c;
      c.workspace = *WorkspaceId::FromBytes(payload.substr(0, format::kIdBytes));
      c.bytes = std::string(payload.substr(format::kIdBytes));
      found->push_back(std::move(c));
    }
  }
  return Status::OK();
}

Status PendingLog::Open(Env* env, std::string path, bool sync, std::unique_ptr<PendingLog>* out,
                        std::vector<PendingCommit>* found) {
  HAMLET_RETURN_IF_ERROR(Read(env, path, found));
  out->reset(new PendingLog(env, std::move(path), sync));
  return Status::OK();
}

Status PendingLog::Reread(std::vector<PendingCommit>* found) { return Read(env_, path_, found); }

Status PendingLog::Start() {
  std::unique_ptr<AppendFile> file;
  HAMLET_RETURN_IF_ERROR(env_->OpenAppendFile(path_, &file));
  HAMLET_RETURN_IF_ERROR(file->Truncate(0));
  HAMLET_RETURN_IF_ERROR(file->Append(Header()));
  if (sync_) HAMLET_RETURN_IF_ERROR(file->Sync());
  file_ = std::move(file);
  size_ = 0;
  return Status::OK();
}

Status PendingLog::Append(const WorkspaceId& ws, std::string_view commit) {
  if (!file_) HAMLET_RETURN_IF_ERROR(Start());
  entry_.clear();
  Writer w(&entry_);
  w.Varint(format::kIdBytes + commit.size());
  const size_t start = entry_.size();
  w.Raw(ws.View());
  w.Raw(commit);
  w.Raw(Check(std::string_view(entry_).substr(start)));
  Status s = file_->Append(entry_);
  if (s.ok() && sync_) s = file_->Sync();
  if (!s.ok()) {
    // The commit is reported failed, so it must not be merged later: cut
    // what reached the file of it. Should that fail too, a torn entry is
    // ignored at the next read and a whole one is merged as a commit.
    (void)file_->Truncate(Header().size() + size_);
    return s;
  }
  size_ += entry_.size();
  return Status::OK();
}

Status PendingLog::Clear() {
  if (!file_) return Start();
  HAMLET_RETURN_IF_ERROR(file_->Truncate(Header().size()));
  size_ = 0;
  return Status::OK();
}

Status PendingLog::Remove() {
  file_.reset();
  size_ = 0;
  return env_->RemoveFile(path_);
}

}  // namespace hamlet
