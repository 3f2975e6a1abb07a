#include <regex>

#include "auth/auth.h"

namespace shequ::auth {
namespace {

struct AreaRef {
  std::string code, level, path;
};

std::optional<AreaRef> FindAreaRef(store::Connection& conn, const std::string& code) {
  store::Rows rows = conn.Query("SELECT code, level, path FROM areas WHERE code = ?", {code});
  if (rows.empty()) return std::nullopt;
  return AreaRef{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2)};
}

audit::Entry SystemEntry(std::string action, std::string_view username, const AreaRef& area) {
  return audit::Entry{"system", "system", std::move(action), "account:" + std::string(username),
                      area.code, area.path, "cli", {}};
}

Status NoSuchAccount() {
  return Status(Code::kNotFound, {"没有这个账号", "No such account"});
}

// Applies `change` to one account in a write transaction and audits `action`.
Status ChangeAccount(store::Database& db, const audit::Trail& trail, std::string_view username,
                     const std::string& action,
                     const std::function<void(store::Connection&, int64_t)>& change) {
  return store::WithWrite(db, [&](store::Connection& conn) -> Status {
    store::Rows rows = conn.Query(
        "SELECT a.id, r.code, r.level, r.path FROM accounts a JOIN areas r ON r.code = a.area_code"
        " WHERE a.username = ?",
        {std::string(username)});
    if (rows.empty()) return NoSuchAccount();
    change(conn, rows[0].Int(0));
    trail.Append(conn, SystemEntry(action, username, {rows[0].Text(1), rows[0].Text(2), rows[0].Text(3)}));
    return Status::Ok();
  });
}

void RevokeSessions(store::Connection& conn, int64_t account_id, const std::string& now) {
  conn.Execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
               {now, account_id});
}

}  // namespace

Status AddAccount(store::Database& db, const audit::Trail& trail, const NewAccount& account) {
  if (!(account.demo && account.password == kDemoPassword)) {
    SHEQU_RETURN_IF_ERROR(CheckPasswordPolicy(account.username, account.password));
  }
  std::string hash = HashPassword(account.password);  // slow: outside the transaction
  return store::WithWrite(db, [&](store::Connection& conn) {
    return InsertAccount(conn, trail, account, hash);
  });
}

Status InsertAccount(store::Connection& conn, const audit::Trail& trail, const NewAccount& account,
                     const std::string& password_hash) {
  static const std::regex kUsername("[a-z0-9][a-z0-9._-]{1,31}");
  if (!std::regex_match(account.username, kUsername)) {
    return Status::Invalid("username", {"用户名应为 2 到 32 位小写字母、数字、点、横线或下划线",
                                        "The username must be 2-32 lower-case letters, digits, '.', '-' or '_'"});
  }
  const RoleInfo* role = FindRole(account.role);
  if (role == nullptr) return Status::Invalid("role", {"没有这个角色", "No such role"});
  std::optional<AreaRef> area = FindAreaRef(conn, account.area_code);
  if (!area) return Status::Invalid("area", {"没有这个区域代码", "No area has this code"});
  if (!role->area_level.empty() && area->level != role->area_level) {
    return Status::Invalid("area", {"该角色的账号须绑定到" + std::string(role->area_level) + "一级的区域",
                                    "This role is bound to an area of level " + std::string(role->area_level)});
  }
  if (!conn.Query("SELECT 1 FROM accounts WHERE username = ?", {account.username}).empty()) {
    return Status(Code::kConflict, {"用户名已被使用", "The username is already taken"});
  }
  std::string now = FormatUtc(Clock::System().Now());
  bool care = Age(account.birth_date, BeijingDate(Clock::System().Now())) >= kCareModeAge;
  conn.Execute(
      "INSERT INTO accounts (username, display_name, role, area_code, password_hash,"
      " password_is_demo, person_id, birth_date, phone_hash, care_mode, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {account.username, account.display_name.empty() ? account.username : account.display_name,
       account.role, account.area_code, password_hash,
       static_cast<int64_t>(account.password == kDemoPassword),
       account.person_id ? store::Value(account.person_id) : store::Value(),
       account.birth_date.empty() ? store::Value() : store::Value(account.birth_date),
       account.phone_hash.empty() ? store::Value() : store::Value(account.phone_hash), int64_t{care}, now, now});
  audit::Entry entry = SystemEntry("account.create", account.username, *area);
  entry.details = {{"role", account.role}};
  trail.Append(conn, entry);
  return Status::Ok();
}

Status LinkPerson(store::Database& db, const audit::Trail& trail, std::string_view username, const LinkedPerson& person) {
  std::string today = BeijingDate(Clock::System().Now());
  int64_t care = Age(person.birth_date, today) >= kCareModeAge;
  return ChangeAccount(db, trail, username, "account.link_person", [&](store::Connection& conn, int64_t id) {
    conn.Execute("UPDATE accounts SET person_id = ?, birth_date = ?, care_mode = ?, updated_at = ? WHERE id = ?",
                 {person.person_id, person.birth_date, care, FormatUtc(Clock::System().Now()), id});
  });
}

Status SetPassword(store::Database& db, const audit::Trail& trail, std::string_view username,
                   std::string_view password) {
  SHEQU_RETURN_IF_ERROR(CheckPasswordPolicy(username, password));
  std::string hash = HashPassword(password);
  std::string now = FormatUtc(Clock::System().Now());
  return ChangeAccount(db, trail, username, "account.password", [&](store::Connection& conn, int64_t id) {
    conn.Execute("UPDATE accounts SET password_hash = ?, password_is_demo = 0, updated_at = ? WHERE id = ?",
                 {hash, now, id});
    RevokeSessions(conn, id, now);
  });
}

Status SetLocked(store::Database& db, const audit::Trail& trail, std::string_view username,
                 bool locked) {
  std::string now = FormatUtc(Clock::System().Now());
  return ChangeAccount(db, trail, username, locked ? "account.lock" : "account.unlock",
                       [&](store::Connection& conn, int64_t id) {
                         conn.Execute("UPDATE accounts SET locked = ?, locked_until = NULL, updated_at = ? WHERE id = ?",
                                      {static_cast<int64_t>(locked), now, id});
                         if (locked) {
                           RevokeSessions(conn, id, now);
                         } else {
                           conn.Execute("DELETE FROM login_failures WHERE username = ?", {std::string(username)});
                         }
                       });
}

bool AnyDemoPassword(store::Database& db) {
  auto conn = db.Acquire();
  return !conn->Query("SELECT 1 FROM accounts WHERE password_is_demo = 1 LIMIT 1").empty();
}

}  // namespace shequ::auth
