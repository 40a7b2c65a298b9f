// A small layer over libpq for the PostgreSQL hub store: a connection with
// its prepared statements, parameters and results in binary form, errors
// as Status, and a pool of connections.
//
// PgConnection and PgResult are thread compatible (one thread at a time);
// PgPool is thread safe.
#ifndef HAMLET_SERVER_PG_H_
#define HAMLET_SERVER_PG_H_

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hamlet/status.h"

namespace hamlet::hub {

// A parameter: bytes (bytea, sent as they are), text, or an integer
// (int8). A parameter refers to the bytes it is given; they must live
// until the query returns.
class PgParam {
 public:
  PgParam(std::string_view bytes) : bytes_(bytes) {}   // NOLINT: implicit by design.
  PgParam(const std::string& bytes) : bytes_(bytes) {}  // NOLINT
  PgParam(int64_t v);                                   // NOLINT
  PgParam(uint64_t v) : PgParam(static_cast<int64_t>(v)) {}  // NOLINT
  PgParam(int v) : PgParam(static_cast<int64_t>(v)) {}       // NOLINT
  static PgParam Text(std::string_view text) {
    PgParam p(text);
    p.type_ = kTextOid;
    return p;
  }
  // One-dimensional arrays (bytea[], int8[]) in PostgreSQL's binary form:
  // a statement takes many rows in one round trip (unnest).
  static PgParam ByteaArray(const std::vector<std::string_view>& items);
  static PgParam Int8Array(const std::vector<int64_t>& items);
  const char* data() const { return type_ == kInt8Oid ? int_ : bytes_.data(); }
  int size() const { return type_ == kInt8Oid ? 8 : static_cast<int>(bytes_.size()); }
  unsigned type() const { return type_; }

 private:
  static constexpr unsigned kByteaOid = 17, kInt8Oid = 20, kTextOid = 25, kByteaArrayOid = 1001,
                            kInt8ArrayOid = 1016;
  // The binary array header and each item, bytes as they are.
  static PgParam Array(unsigned array_oid, unsigned item_oid, const std::vector<std::string_view>& items);
  std::string_view bytes_;
  std::shared_ptr<std::string> owned_;  // An array's encoding, which bytes_ views.
  char int_[8] = {};
  unsigned type_ = kByteaOid;
};

// The rows of a query, in binary form. Views returned live as long as the
// result.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r, PQclear) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view Bytes(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  // An integer column (int2, int4 or int8) or a boolean (0 or 1).
  int64_t Int(int row, int col) const;
  PGresult* raw() const { return r_.get(); }

 private:
  std::shared_ptr<PGresult> r_;
};

class PgConnection {
 public:
  // Connects to url (a libpq connection URI or key=value string).
  // Unavailable when the server cannot be reached (retrying may help),
  // InvalidArgument for a malformed url.
  static Status Connect(const std::string& url, std::unique_ptr<PgConnection>* out);
  ~PgConnection();

  // Runs sql with params as a prepared statement (prepared on first use on
  // this connection) and takes its rows into *out (may be null).
  Status Query(const char* sql, std::initializer_list<PgParam> params, PgResult* out = nullptr);
  // Runs sql without parameters (several statements allowed).
  Status Exec(const std::string& sql);
  // Runs fn inside BEGIN ... COMMIT; a failure rolls back.
  template <class Fn>
  Status Transaction(Fn&& fn) {
    HAMLET_RETURN_IF_ERROR(Exec("BEGIN"));
    Status s = fn();
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) Exec("ROLLBACK");
    return s;
  }

  // Whether the last failure lost the connection (it is then dropped).
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Whether no transaction is open.
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  // Whether the last failure was a violated unique constraint.
  bool unique_violation() const { return last_sqlstate_ == "23505"; }

 private:
  explicit PgConnection(PGconn* c) : conn_(c) {}
  Status Check(PGresult* r, std::string_view what);

  PGconn* conn_;
  std::map<const char*, std::string> prepared_;  // By the SQL's address: each is a literal.
  std::string last_sqlstate_;
};

// Connections to one database, made when needed, at most max at once. A
// connection that broke is dropped when it comes back, and a new one is
// made for the next caller, so a database that restarted is used again
// without anyone noticing but the requests that failed meanwhile.
class PgPool {
 public:
  // setup, when not empty, runs on each new connection (a SET).
  PgPool(std::string url, size_t max, std::string setup)
      : url_(std::move(url)), max_(max), setup_(std::move(setup)) {}

  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (c_) pool_->Return(std::move(c_));
    }
    PgConnection* operator->() { return c_.get(); }
    PgConnection& operator*() { return *c_; }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> c_;
  };

  // Waits for a free connection (or makes one). Unavailable when the
  // database cannot be reached.
  Status Acquire(std::unique_ptr<Lease>* out);
  const std::string& url() const { return url_; }

 private:
  void Return(std::unique_ptr<PgConnection> c);

  const std::string url_;
  const size_t max_;
  const std::string setup_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;  // Leased and idle.
};

// Whether url names a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);

}  // namespace hamlet::hub

#endif  // HAMLET_SERVER_PG_H_
