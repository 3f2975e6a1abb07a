#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <filesystem>

#include "app/app.h"

extern char** environ;

namespace shequ {
namespace {

Status Failed(const std::string& why) {
  return Status(Code::kInternal, {"备份失败：" + why, "Backup failed: " + why});
}

Status BackupSqlite(const std::string& source, const std::string& target) {
  sqlite3* from = nullptr;
  sqlite3* to = nullptr;
  sqlite3_open_v2(source.c_str(), &from, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_open(target.c_str(), &to);
  // One step over all pages holds a read transaction: a consistent snapshot
  // while the server keeps writing (WAL).
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  int rc = backup ? sqlite3_backup_step(backup, -1) : sqlite3_errcode(to);
  if (backup) sqlite3_backup_finish(backup);
  std::string message = rc == SQLITE_DONE ? "" : sqlite3_errmsg(to);
  sqlite3_close(to);
  sqlite3_close(from);
  if (rc != SQLITE_DONE) return Failed(message);
  return Status::Ok();
}

Status BackupPostgres(const std::string& url, const std::string& target) {
  std::vector<std::string> args = {"pg_dump", "--format=custom", "--file=" + target, "--dbname=" + url};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "pg_dump", nullptr, nullptr, argv.data(), environ) != 0) {
    return Failed("pg_dump could not be started (is postgresql-client installed?)");
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Failed("pg_dump exited with an error");
  return Status::Ok();
}

}  // namespace

Status Backup(store::Database& db, const std::string& out) {
  std::string partial = out + ".partial";
  std::filesystem::remove(partial);
  Status done = db.dialect() == store::Dialect::kSqlite
                    ? BackupSqlite(db.url().substr(7), partial)
                    : BackupPostgres(db.url(), partial);
  if (!done.ok()) {
    std::filesystem::remove(partial);
    return done;
  }
  std::filesystem::rename(partial, out);
  return Status::Ok();
}

}  // namespace shequ
