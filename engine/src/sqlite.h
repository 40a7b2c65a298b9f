// A minimal RAII layer over SQLite prepared statements. Thread compatible:
// one connection and its statements belong to one thread at a time.
#ifndef HAMLET_SQLITE_H_
#define HAMLET_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "hamlet/status.h"

namespace hamlet {

// Maps a SQLite result code to a Status: busy and locked are retryable, a
// corrupt file is data loss, a full disk is unavailable.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// Runs one or more SQL statements that return no rows.
Status SqliteExec(sqlite3* db, const char* sql);

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }

  Status Prepare(sqlite3* db, const char* sql);
  bool prepared() const { return stmt_ != nullptr; }

  // Bind by 1-based index; the bound bytes are copied by SQLite.
  Stmt& Bind(int i, std::string_view blob) {
    sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindText(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }

  // Steps once: true with a row, false when done; errors go to *status.
  bool Step(Status* status);
  // Runs to completion (for statements without rows) and resets.
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  // Column accessors; the returned view lives until the next Step or Reset.
  std::string_view Blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace hamlet

#endif  // HAMLET_SQLITE_H_
