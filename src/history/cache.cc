#include "history/cache.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"

namespace handoff::history {
namespace {

/// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  void bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  int step() { return sqlite3_step(stmt_); }
  std::string column_text(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

constexpr const char* k_schema =
    "CREATE TABLE IF NOT EXISTS objects ("
    " bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, body BLOB NOT NULL,"
    " PRIMARY KEY (bucket, key))";

}  // namespace

std::filesystem::path cache_path(const std::filesystem::path& workspace) {
  return workspace / ".handoff" / "history.sqlite";
}

ObjectCache::ObjectCache(const std::filesystem::path& path) : path_(path) {
  try {
    util::make_dirs(path.parent_path());
  } catch (const std::exception& e) {
    disable(e.what());
    return;
  }
  // Created 0600 before SQLite opens it (it would use the umask): the cache
  // holds the run records, which are 0600 themselves.
  if (int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    disable(db_ ? sqlite3_errmsg(db_) : "cannot open");
    return;
  }
  sqlite3_busy_timeout(db_, 5000);
  char* err = nullptr;
  if (sqlite3_exec(db_, k_schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "cannot create its table";
    sqlite3_free(err);
    disable(why);
  }
}

ObjectCache::~ObjectCache() {
  if (db_) sqlite3_close(db_);
}

void ObjectCache::disable(const std::string& why) {
  log::warning("history cache '{}' not used: {}", path_.string(), why);
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

std::optional<std::string> ObjectCache::get(const std::string& bucket, const std::string& key,
                                            const std::string& etag) {
  if (!db_) return std::nullopt;
  Statement st(db_, "SELECT body FROM objects WHERE bucket = ?1 AND key = ?2 AND etag = ?3");
  if (!st.ok()) return std::nullopt;
  st.bind(1, bucket);
  st.bind(2, key);
  st.bind(3, etag);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return st.column_text(0);
}

void ObjectCache::put(const std::string& bucket, const std::string& key, const std::string& etag,
                      const std::string& body) {
  if (!db_) return;
  Statement st(db_, "INSERT OR REPLACE INTO objects (bucket, key, etag, body) VALUES (?1, ?2, ?3, ?4)");
  if (!st.ok()) {
    disable(sqlite3_errmsg(db_));
    return;
  }
  st.bind(1, bucket);
  st.bind(2, key);
  st.bind(3, etag);
  st.bind(4, body);
  if (st.step() != SQLITE_DONE) disable(sqlite3_errmsg(db_));
}

}  // namespace handoff::history
