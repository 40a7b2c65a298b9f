// Import: verifying, opening and merging commits that came from elsewhere
// (protocol.md, "Chunks and bundles" and "Set-aside commits").
//
// Everything that needs no store (signature, seal, body) is checked on
// worker threads while this thread stores and merges the commits already
// checked, in order, in one transaction. A commit that fails on its own is
// set aside with its reason instead of failing the chunk, so one bad commit
// from anyone never stops sync: the rest merges and the pull moves on.
#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "chunk.h"
#include "hamlet/language.h"
#include "hex.h"
#include "identity.h"
#include "member_chunk.h"
#include "replica_impl.h"
#include "rights.h"
#include "signature_runs.h"

namespace hamlet {

namespace {

// A commit that passed the checks that need no store, or why it did not.
struct Opened {
  const SealedCommit* sealed = nullptr;
  uint64_t hlc = 0;  // The clock stamp from inside the seal.
  size_t padding_zeros = 0;  // Where the zeros of its padding begin, once opened.
  std::vector<RecordOp> ops;
  Status signature;  // Whether the commit is its author's, by the batch alone.
  Status status;     // Whether its seal, body and rights check out.
};

}  // namespace

Status Replica::Impl::ImportCommits(const WorkspaceId& ws, std::map<DeviceId, Certificate> certs,
                                    const std::vector<SealedCommit>& commits, ImportResult* out) {
  std::string admin_pk;
  HAMLET_RETURN_IF_ERROR(AdminKey(ws, &admin_pk));
  const int64_t now = env->NowMillis();
  std::vector<AsideRow> aside;
  // Decisions that need the store but no cryptography: who the author is,
  // whether it was revoked, whether this replica holds the key epoch.
  std::vector<bool> candidate(commits.size(), false);
  std::map<uint32_t, const Key32*> keys;
  std::map<DeviceId, std::unique_ptr<RevokedChain>> revoked;  // Per revoked author in the batch.
  std::map<DeviceId, bool> checked_revocation;
  std::map<DeviceId, std::map<uint64_t, std::string_view>> by_author;
  for (const SealedCommit& c : commits) by_author[c.header.author][c.header.seq] = c.bytes;
  for (size_t i = 0; i < commits.size(); i++) {
    const SealedCommit& c = commits[i];
    const DeviceId& a = c.header.author;
    if (!certs.count(a)) {
      std::string stored;
      bool found = false;
      HAMLET_RETURN_IF_ERROR(store->GetDevice(ws, a, &stored, &found));
      if (!found) {
        aside.push_back(
            MakeAside(c,
                      Status::PermissionDenied(
                          Format(Tr("by device %s, which no certificate of the admin names (yet)"), a.Hex().c_str())),
                      true, false, now));
        continue;
      }
      Certificate known;
      HAMLET_RETURN_IF_ERROR(ParseCertificate(stored, &known));
      certs[a] = std::move(known);
    }
    if (!checked_revocation[a]) {
      checked_revocation[a] = true;
      uint64_t last_seq = 0;
      bool is_revoked = false;
      std::string last_hash;
      HAMLET_RETURN_IF_ERROR(store->GetRevocation(ws, a, &last_seq, &is_revoked, &last_hash));
      if (is_revoked) {
        auto chain = std::make_unique<RevokedChain>(
            last_seq, last_hash, by_author[a], [this, ws, a](uint64_t seq, std::string* bytes, bool* found) {
              return store->GetCommit(ws, a, seq, bytes, found);
            });
        HAMLET_RETURN_IF_ERROR(chain->Init(by_author[a].begin()->first));
        revoked[a] = std::move(chain);
      }
    }
    if (auto r = revoked.find(a); r != revoked.end()) {
      Status counts = r->second->Check(c.header, c.Hash());
      if (!counts.ok()) {
        aside.push_back(MakeAside(c, counts, counts.code() == Code::kFailedPrecondition, false, now));
        continue;
      }
    }
    if (!keys.count(c.header.epoch)) {
      const Key32* k = nullptr;
      Status s = this->keys->WorkspaceKey(ws, c.header.epoch, &k);
      if (s.code() == Code::kPermissionDenied) {
        aside.push_back(MakeAside(c,
                                  Status::PermissionDenied(Format(
                                      Tr("sealed with the key of epoch %s, which this device does not hold (yet)"),
                                      std::to_string(c.header.epoch).c_str())),
                                  true, false, now));
        continue;
      }
      HAMLET_RETURN_IF_ERROR(s);
      keys[c.header.epoch] = k;
    }
    candidate[i] = true;
  }

  // One signature per run of linked commits (protocol.md 3.4).
  std::vector<std::string> hashes(commits.size());
  for (size_t i = 0; i < commits.size(); i++) {
    if (candidate[i]) hashes[i] = commits[i].Hash();
  }
  std::vector<size_t> run_ends;
  FindRuns(commits, hashes, candidate, &run_ends);
  RunVerifier verifier(ws, commits, run_ends,
                       [&](size_t i) -> std::string_view { return certs.at(commits[i].header.author).sign_public_key; });

  // Signatures, seals and bodies are the costly part: worker threads check
  // them while this thread stores and merges the commits already checked.
  // Workers run at most kWindow commits ahead of the merge, and a merged
  // commit's operations are freed at once, so a chunk of commits that each
  // decode to the most a commit may hold never sits in memory whole.
  constexpr size_t kWindow = 16;
  std::vector<Opened> opened(commits.size());
  std::vector<std::atomic<bool>> ready(opened.size());
  std::atomic<size_t> next{0};    // The next commit nobody has claimed.
  std::atomic<size_t> merged{0};  // Commits the merge has finished with.
  std::atomic<bool> stop{false};
  enum class Claim { kDone, kNoneLeft, kWait };
  auto check_one = [&]() {
    size_t i = next.load();
    do {
      if (i >= opened.size()) return Claim::kNoneLeft;
      if (i >= merged.load() + kWindow) return Claim::kWait;
    } while (!next.compare_exchange_weak(i, i + 1));
    Opened& o = opened[i];
    o.sealed = &commits[i];
    if (candidate[i]) {
      const CommitHeader& h = o.sealed->header;
      // Opened even when the batch does not show it is the author's: the
      // author's next commit, held already, may vouch for it.
      o.signature = verifier.Verify(i);
      std::string body;
      o.status = OpenCommit(ws, *o.sealed, *keys.at(h.epoch), &o.hlc, &body, &o.padding_zeros);
      if (o.status.ok()) o.status = DecodeBody(h.author, body, &o.ops);
      // What the author's role may not write merges nowhere (protocol.md 7.2).
      if (o.status.ok()) o.status = CheckRights(certs.at(h.author).role, o.ops);
    }
    ready[i].store(true, std::memory_order_release);
    return Claim::kDone;
  };
  // One worker per spare core; this thread checks too whenever it would wait.
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned workers = opened.size() < 32 ? 0 : std::min(cores - 1, 7u);
  if (import_threads > 0) workers = std::min(workers, import_threads - 1);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < workers; t++) {
    pool.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        Claim c = check_one();
        if (c == Claim::kNoneLeft) break;
        if (c == Claim::kWait) std::this_thread::yield();
      }
    });
  }
  struct Joiner {
    std::vector<std::thread>* pool;
    std::atomic<bool>* stop;
    ~Joiner() {
      stop->store(true);
      for (auto& th : *pool) th.join();
    }
  } joiner{&pool, &stop};
  auto await = [&](size_t i) -> const Opened& {
    while (!ready[i].load(std::memory_order_acquire)) {
      if (check_one() != Claim::kDone) std::this_thread::yield();
    }
    return opened[i];
  };

  size_t applied = 0, duplicates = 0;
  uint64_t clock_before = clock->last();
  Status s = InTransaction(this, [&]() -> Status {
    ChainBatch batch(ChainBatch::Hooks{
        [&](const DeviceId& a, ChainInfo* info) { return store->GetChain(ws, a, info); },
        [&](const DeviceId& a, uint64_t seq, std::string* bytes, bool* found) {
          return store->GetCommit(ws, a, seq, bytes, found);
        },
        [&](const DeviceId& a, uint64_t seq, bool* found) { return store->HasCommit(ws, a, seq, found); },
        [&](const DeviceId& a, uint64_t* seq, std::string* hash) {
          Store::Baseline b;
          HAMLET_RETURN_IF_ERROR(store->GetBaseline(ws, a, &b));
          *seq = b.seq;
          *hash = std::move(b.hash);
          return Status::OK();
        }});
    std::vector<AsideRow> dropped;  // Set aside before and merged now.
    uint64_t held_aside = 0;        // Nothing to drop (and no statement per commit) when none is.
    HAMLET_RETURN_IF_ERROR(store->CountAside(ws, &held_aside));
    for (size_t i = 0; i < opened.size(); i++) {
      struct Done {  // Frees the commit's operations and lets the workers on.
        Opened* o;
        std::atomic<size_t>* merged;
        ~Done() {
          std::vector<RecordOp>().swap(o->ops);
          merged->fetch_add(1);
        }
      } done{&opened[i], &merged};
      const Opened& o = await(i);
      if (!candidate[i]) continue;
      const SealedCommit& c = *o.sealed;
      CommitHeader h = c.header;
      h.hlc = o.hlc;
      if (!o.signature.ok()) {
        bool vouched = false, next_held = false;
        HAMLET_RETURN_IF_ERROR(VouchedByNext(ws, c, hashes[i], &vouched, &next_held));
        if (!vouched) {
          // Anyone could have made these bytes; only the author's next
          // commit, linking to them, could still make them count, and not
          // once the next commit held links to other bytes.
          aside.push_back(MakeAside(c, o.signature, !next_held, false, now));
          continue;
        }
      }
      bool is_new = false;
      Status linked = batch.Check(c, &is_new, &hashes[i]);
      if (linked.code() == Code::kDataLoss) {  // A fork or a broken link: kept as evidence.
        aside.push_back(MakeAside(c, linked, false, false, now));
        continue;
      }
      HAMLET_RETURN_IF_ERROR(linked);
      if (!is_new) {
        duplicates++;
        if (held_aside > 0) dropped.push_back(MakeAside(c, Status::OK(), false, false, now));  // Nothing waits.
        continue;
      }
      HAMLET_RETURN_IF_ERROR(store->InsertCommit(ws, c, h.hlc, o.status.ok() ? o.padding_zeros : 0));
      batch.Stored(h);
      if (!o.status.ok()) {
        // Signed by its author but unreadable: it keeps its place in the
        // chain (and is relayed) but merges nothing.
        aside.push_back(MakeAside(c, o.status, false, true, now));
        continue;
      }
      HAMLET_RETURN_IF_ERROR(applier->Apply(ws, h, o.ops));
      clock->Observe(h.hlc);
      if (held_aside > 0) dropped.push_back(MakeAside(c, Status::OK(), false, false, now));
      applied++;
    }
    HAMLET_RETURN_IF_ERROR(
        batch.Advance([&](const DeviceId& a, const ChainInfo& info) { return store->PutChain(ws, a, info); }));
    for (auto& [d, cert] : certs) {
      std::string stored_cert;
      bool found = false;
      HAMLET_RETURN_IF_ERROR(store->GetDevice(ws, d, &stored_cert, &found));
      if (!found) HAMLET_RETURN_IF_ERROR(store->PutDevice(ws, d, cert.bytes));
    }
    for (const AsideRow& row : dropped) HAMLET_RETURN_IF_ERROR(store->DropAside(ws, row.author, row.seq, row.hash));
    for (const AsideRow& row : aside) HAMLET_RETURN_IF_ERROR(store->PutAside(ws, row));
    if (applied) HAMLET_RETURN_IF_ERROR(PersistClock());
    return Status::OK();
  });
  if (!s.ok()) {
    clock->Reset(clock_before);
    return s;
  }
  out->workspace = ws;
  out->commits = commits.size();
  out->applied = applied;
  out->duplicates = duplicates;
  out->set_aside = aside.size();
  return Status::OK();
}

Status Replica::Impl::VouchedByNext(const WorkspaceId& ws, const SealedCommit& c, const std::string& hash,
                                    bool* vouched, bool* next_held) {
  *vouched = false;
  std::string next;
  HAMLET_RETURN_IF_ERROR(store->GetCommit(ws, c.header.author, c.header.seq + 1, &next, next_held));
  if (!*next_held) return Status::OK();
  SealedCommit nc;
  HAMLET_RETURN_IF_ERROR(ParseCommit(next, &nc));
  *vouched = nc.header.prev_hash == hash;
  return Status::OK();
}

Status Replica::Impl::RetryAside(const WorkspaceId& ws) {
  std::vector<AsideRow> rows;
  HAMLET_RETURN_IF_ERROR(store->ListAside(ws, true, &rows));
  if (rows.empty()) return Status::OK();
  std::vector<SealedCommit> commits;
  for (const AsideRow& row : rows) {
    SealedCommit c;
    if (ParseCommit(row.bytes, &c).ok()) commits.push_back(std::move(c));
  }
  std::sort(commits.begin(), commits.end(), [](const SealedCommit& a, const SealedCommit& b) {
    return std::tie(a.header.author, a.header.seq) < std::tie(b.header.author, b.header.seq);
  });
  ImportResult unused;
  return ImportCommits(ws, {}, commits, &unused);
}

namespace {

Status NotAMember(const WorkspaceId& ws) {
  return Status::NotFound(
      Format(Tr("import: the chunk belongs to workspace %s, which this replica is not in"), ws.Hex().c_str()));
}

}  // namespace

Status Replica::Impl::OpenMember(std::string_view bytes, Chunk* chunk, std::string* admin_pk) {
  WorkspaceId ws;
  uint32_t epoch = 0;
  HAMLET_RETURN_IF_ERROR(MemberChunkHeader(bytes, &ws, &epoch));
  if (!AdminKey(ws, admin_pk).ok()) return NotAMember(ws);
  const Key32* key = nullptr;
  if (!keys->WorkspaceKey(ws, epoch, &key).ok()) {
    return Status::PermissionDenied(
        Format(Tr("the chunk is sealed with key %s of workspace %s, which this replica does not hold yet: sync with "
                  "the hub to receive it, or import a bundle file from the sender"),
               std::to_string(epoch).c_str(), ws.Hex().c_str()));
  }
  std::string inner;
  HAMLET_RETURN_IF_ERROR(OpenMemberChunk(bytes, *key, &inner));
  EpochKeyLookup lookup = [&](uint32_t e, const Key32** k) { return keys->WorkspaceKey(ws, e, k); };
  HAMLET_RETURN_IF_ERROR(DecodeChunk(inner, chunk, &lookup));
  if (chunk->workspace != ws) return Status::DataLoss(Tr("a member chunk names two workspaces"));
  return Status::OK();
}

Status Replica::Import(std::string_view bytes, ImportResult* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& m = *impl_;
  Chunk chunk;
  std::string admin_pk;
  if (IsMemberChunk(bytes)) {
    HAMLET_RETURN_IF_ERROR(m.OpenMember(bytes, &chunk, &admin_pk).WithContext("import: "));
  } else {
    HAMLET_RETURN_IF_ERROR(DecodeChunk(bytes, &chunk).WithContext("import: "));
    if (!m.AdminKey(chunk.workspace, &admin_pk).ok()) return NotAMember(chunk.workspace);
  }
  const WorkspaceId ws = chunk.workspace;
  // Certificates: only the admin's work counts. One that is not is left
  // out, and commits that need it are set aside as by an unknown author.
  std::map<DeviceId, Certificate> certs;
  for (const std::string& bytes_c : chunk.certificates) {
    Certificate c;
    if (!ParseCertificate(bytes_c, &c).ok() || c.workspace != ws || !VerifyCertificate(c, admin_pk).ok()) continue;
    certs[c.device()] = std::move(c);
  }
  HAMLET_RETURN_IF_ERROR(m.ImportCommits(ws, std::move(certs), chunk.commits, out).WithContext("import: "));
  // What this chunk brought (a certificate, a revoked device's links) may
  // let in commits set aside before.
  if (out->applied > 0 || !chunk.certificates.empty()) HAMLET_RETURN_IF_ERROR(m.RetryAside(ws));
  return Status::OK();
}

Status Replica::SetAside(const WorkspaceId& ws, std::vector<SetAsideCommit>* out) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<AsideRow> rows;
  HAMLET_RETURN_IF_ERROR(impl_->store->ListAside(ws, false, &rows));
  out->clear();
  for (const AsideRow& row : rows) {
    SetAsideCommit c;
    c.author = row.author;
    c.seq = row.seq;
    c.hash = HexEncode(row.hash);
    c.code = static_cast<Code>(row.code);
    c.reason = row.reason;
    c.may_pass_later = row.retry;
    c.in_log = row.in_log;
    c.seen_millis = row.seen;
    out->push_back(std::move(c));
  }
  return Status::OK();
}

}  // namespace hamlet
