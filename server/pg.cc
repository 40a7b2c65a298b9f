#include "pg.h"

#include <cassert>
#include <cstring>

#include "hamlet/language.h"

namespace hamlet::hub {

namespace {

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// What a failure with SQLSTATE state means to a caller: whether trying
// again can help (Abseil's rule, status.h).
Status FromSqlState(const std::string& state, const std::string& what, const std::string& message) {
  std::string m = what + ": " + message;
  std::string cls = state.substr(0, 2);
  // Connection lost, the server shutting down or starting, out of
  // resources (disk, memory, connections), a conflict with another
  // transaction, a lock not granted, an I/O error.
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40" || state == "55P03" || state.empty()) {
    return Status::Unavailable(m);
  }
  if (cls == "XX" && state != "XX000") return Status::DataLoss(m);
  if (state == "23505") return Status::AlreadyExists(m);
  return Status::Internal(m);
}

}  // namespace

PgParam::PgParam(int64_t v) : type_(kInt8Oid) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; i--, u >>= 8) int_[i] = static_cast<char>(u & 0xff);
}

namespace {

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

PgParam PgParam::Array(unsigned array_oid, unsigned item_oid, const std::vector<std::string_view>& items) {
  auto owned = std::make_shared<std::string>();
  PutBigEndian32(owned.get(), 1);  // Dimensions.
  PutBigEndian32(owned.get(), 0);  // No nulls.
  PutBigEndian32(owned.get(), item_oid);
  PutBigEndian32(owned.get(), static_cast<uint32_t>(items.size()));
  PutBigEndian32(owned.get(), 1);  // Lower bound.
  for (std::string_view item : items) {
    PutBigEndian32(owned.get(), static_cast<uint32_t>(item.size()));
    owned->append(item);
  }
  PgParam p{std::string_view(*owned)};
  p.owned_ = std::move(owned);
  p.type_ = array_oid;
  return p;
}

PgParam PgParam::ByteaArray(const std::vector<std::string_view>& items) {
  return Array(kByteaArrayOid, kByteaOid, items);
}

PgParam PgParam::Int8Array(const std::vector<int64_t>& items) {
  std::vector<std::string> encoded;
  std::vector<std::string_view> views;
  encoded.reserve(items.size());
  for (int64_t v : items) {
    PgParam one(v);
    encoded.emplace_back(one.int_, 8);
  }
  for (const std::string& e : encoded) views.push_back(e);
  return Array(kInt8ArrayOid, kInt8Oid, views);
}

int64_t PgResult::Int(int row, int col) const {
  std::string_view b = Bytes(row, col);
  assert(b.size() == 1 || b.size() == 2 || b.size() == 4 || b.size() == 8);
  if (b.size() == 1) return b[0] != 0;  // A boolean.
  uint64_t u = 0;
  for (char c : b) u = (u << 8) | static_cast<unsigned char>(c);
  const int shift = static_cast<int>(64 - 8 * b.size());  // Sign-extends int2 and int4.
  return static_cast<int64_t>(u << shift) >> shift;
}

Status PgConnection::Connect(const std::string& url, std::unique_ptr<PgConnection>* out) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    std::string m = error ? Trimmed(error) : "out of memory";
    PQfreemem(error);
    return Status::InvalidArgument(Format(Tr("not a database URL libpq takes: %s"), m.c_str()));
  }
  PQconninfoFree(parsed);
  PGconn* c = PQconnectdb(url.c_str());
  if (c == nullptr) return Status::Unavailable(Tr("cannot connect to the database: out of memory"));
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = Trimmed(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable(Format(Tr("cannot connect to the database: %s"), m.c_str()));
  }
  out->reset(new PgConnection(c));
  // Warnings (a notice that a table exists already) are not for operators.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return Status::OK();
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Check(PGresult* r, std::string_view what) {
  last_sqlstate_.clear();
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = Trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  if (broken()) return Status::Unavailable(Format(Tr("the database connection was lost: %s"), message.c_str()));
  return FromSqlState(last_sqlstate_, "the database refused " + std::string(what), message);
}

Status PgConnection::Query(const char* sql, std::initializer_list<PgParam> params, PgResult* out) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    std::vector<Oid> types;
    for (const PgParam& p : params) types.push_back(p.type());
    PgResult prep(PQprepare(conn_, name.c_str(), sql, static_cast<int>(types.size()), types.data()));
    HAMLET_RETURN_IF_ERROR(Check(prep.raw(), sql));
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& p : params) {
    values.push_back(p.data());
    lengths.push_back(p.size());
    formats.push_back(1);
  }
  PgResult r(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()), values.data(),
                            lengths.data(), formats.data(), 1));
  HAMLET_RETURN_IF_ERROR(Check(r.raw(), sql));
  if (out) *out = std::move(r);
  return Status::OK();
}

Status PgConnection::Exec(const std::string& sql) {
  PgResult r(PQexec(conn_, sql.c_str()));
  return Check(r.raw(), sql.substr(0, 40));
}

Status PgPool::Acquire(std::unique_ptr<Lease>* out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    *out = std::make_unique<Lease>(this, std::move(c));
    return Status::OK();
  }
  open_++;
  lock.unlock();
  std::unique_ptr<PgConnection> c;
  Status s = PgConnection::Connect(url_, &c);
  if (s.ok() && !setup_.empty()) s = c->Exec(setup_);
  if (!s.ok()) {
    lock.lock();
    open_--;
    cv_.notify_one();
    return s;
  }
  *out = std::make_unique<Lease>(this, std::move(c));
  return Status::OK();
}

void PgPool::Return(std::unique_ptr<PgConnection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (c->broken() || !c->idle()) {
    open_--;
  } else {
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

bool IsPostgresUrl(std::string_view url) {
  return url.substr(0, 13) == "postgresql://" || url.substr(0, 11) == "postgres://";
}

}  // namespace hamlet::hub
