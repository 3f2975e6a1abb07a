#include "auth/auth.h"
#include "core/crypto.h"

namespace shequ::auth {
namespace {

Status InvalidCredentials() {
  return Status(Code::kInvalidCredentials,
                {"用户名或密码错误", "The username or password is wrong"});
}

// Compared against when the username is unknown, so that an unknown user
// takes as long as a wrong password and the answers cannot be told apart.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("not-a-real-password-0");
  return hash;
}

std::string_view BearerToken(const http::Request& request) {
  std::string_view header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() && header.starts_with(kBearer)) return header.substr(kBearer.size());
  return {};
}

int SecondsUntil(TimePoint now, const std::string& later_utc) {
  std::optional<TimePoint> later = ParseUtc(later_utc);
  if (!later) return 60;
  return std::max<int>(1, std::chrono::ceil<std::chrono::seconds>(*later - now).count());
}

}  // namespace

Status AuthService::TakeLoginToken(const std::string& address) {
  std::lock_guard lock(rate_mutex_);
  TimePoint now = clock_.Now();
  auto& times = attempts_[address];
  std::erase_if(times, [&](TimePoint t) { return now - t >= std::chrono::minutes(1); });
  if (static_cast<int>(times.size()) >= config_.login_rate_per_minute) {
    int wait = static_cast<int>(
        std::chrono::ceil<std::chrono::seconds>(times.front() + std::chrono::minutes(1) - now).count());
    return Status(Code::kRateLimited, {"登录尝试过于频繁，请稍后再试",
                                       "Too many sign-in attempts: wait a moment and try again"})
        .set_retry_after(std::max(wait, 1));
  }
  times.push_back(now);
  return Status::Ok();
}

Status AuthService::RecordFailure(std::string_view username, const std::string& address,
                                  const std::string& request_id) {
  return store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    TimePoint now = clock_.Now();
    std::string user(username);
    conn.Execute("INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)",
                 {user, address, FormatUtc(now)});
    store::Rows account = conn.Query(
        "SELECT a.role, r.code, r.path FROM accounts a JOIN areas r ON r.code = a.area_code"
        " WHERE a.username = ?",
        {user});
    // Unknown usernames are filed at the root of the tree, where the district sees them.
    store::Rows root = account.empty()
                           ? conn.Query("SELECT code, path FROM areas WHERE parent_code IS NULL"
                                        " ORDER BY code LIMIT 1")
                           : store::Rows{};
    audit::Entry entry{user, account.empty() ? "" : account[0].Text(0), "auth.login_failed",
                       "account:" + user,
                       account.empty() ? (root.empty() ? "" : root[0].Text(0)) : account[0].Text(1),
                       account.empty() ? (root.empty() ? "/" : root[0].Text(1)) : account[0].Text(2),
                       request_id, {{"address", address}}};
    trail_.Append(conn, entry);
    if (account.empty()) return Status::Ok();
    int64_t recent = conn.Query("SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?",
                                {user, FormatUtc(now - config_.lockout_window)})[0]
                         .Int(0);
    if (recent >= config_.lockout_failures) {
      std::string until = FormatUtc(now + config_.lockout_duration);
      conn.Execute("UPDATE accounts SET locked_until = ? WHERE username = ?", {until, user});
      entry.action = "account.locked_out";
      entry.details = {{"until", until}, {"failures", recent}};
      trail_.Append(conn, entry);
    }
    return Status::Ok();
  });
}

Result<LoginResult> AuthService::Login(std::string_view username, std::string_view password,
                                       const std::string& address, const std::string& request_id) {
  SHEQU_RETURN_IF_ERROR(TakeLoginToken(address));
  store::Rows rows;
  {
    auto conn = db_.Acquire();
    rows = conn->Query("SELECT id, password_hash, locked, locked_until FROM accounts WHERE username = ?",
                       {std::string(username)});
  }
  bool known = !rows.empty();
  bool password_ok = VerifyPassword(known ? rows[0].Text(1) : DummyHash(), password) && known;
  if (!password_ok) {
    SHEQU_RETURN_IF_ERROR(RecordFailure(username, address, request_id));
    return InvalidCredentials();
  }
  // The account's state is told only to someone who knows its password.
  TimePoint now = clock_.Now();
  std::string now_text = FormatUtc(now);
  std::optional<std::string> until = rows[0].OptText(3);
  if (rows[0].Int(2) != 0 || (until && *until > now_text)) {
    Status locked(Code::kAccountLocked,
                  {"账号已被锁定，请稍后再试或联系管理员解锁",
                   "The account is locked: try again later or ask an administrator to unlock it"});
    if (rows[0].Int(2) == 0) locked.set_retry_after(SecondsUntil(now, *until));
    return locked;
  }
  LoginResult result;
  result.token = RandomToken();
  result.csrf_token = RandomToken(24);
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    conn.Execute(
        "INSERT INTO sessions (token_hash, csrf_token, account_id, created_at, last_seen_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        {Sha256Hex(result.token), result.csrf_token, rows[0].Int(0), now_text, now_text,
         FormatUtc(now + config_.absolute_timeout)});
    conn.Execute("DELETE FROM login_failures WHERE username = ?", {std::string(username)});
    return Status::Ok();
  });
  Result<Principal> principal = FromToken(result.token, false);
  if (!principal.ok()) return principal.status();
  result.principal = std::move(principal).value();
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    audit::Entry entry = audit::By(result.principal, request_id, "auth.login",
                                   "account:" + result.principal.username);
    entry.details = {{"address", address}};
    trail_.Append(conn, entry);
    return Status::Ok();
  });
  return result;
}

void AuthService::Logout(const Principal& caller, const std::string& request_id) {
  store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    conn.Execute("UPDATE sessions SET revoked_at = ? WHERE id = ?",
                 {FormatUtc(clock_.Now()), caller.session_id});
    trail_.Append(conn, audit::By(caller, request_id, "auth.logout", "account:" + caller.username));
    if (hub_ != nullptr) conn.AfterCommit([hub = hub_] { hub->NoteSessionEnded(); });
    return Status::Ok();
  });
  std::lock_guard lock(sessions_mutex_);
  sessions_.clear();  // the logged-out token must not live on in the cache
}

Result<Principal> AuthService::Authenticate(const http::Request& request) {
  std::string_view bearer = BearerToken(request);
  if (!bearer.empty()) return FromToken(std::string(bearer), false);
  std::string cookie = request.Cookie(kSessionCookie);
  if (!cookie.empty()) return FromToken(cookie, true);
  return Status::Unauthenticated();
}

std::optional<Principal> AuthService::Remembered(const std::string& token_hash, bool via_cookie, TimePoint now) {
  std::lock_guard lock(sessions_mutex_);
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end() || now - it->second.at >= config_.session_recheck || now < it->second.at) {
    return std::nullopt;
  }
  Principal p = it->second.principal;
  p.via_cookie = via_cookie;
  return p;
}

std::optional<Principal> AuthService::AuthenticateFromMemory(const http::Request& request) {
  std::string_view bearer = BearerToken(request);
  std::string cookie = bearer.empty() ? request.Cookie(kSessionCookie) : std::string();
  if (bearer.empty() && cookie.empty()) return std::nullopt;
  return Remembered(Sha256Hex(bearer.empty() ? cookie : bearer), bearer.empty(), clock_.Now());
}

Result<Principal> AuthService::FromToken(const std::string& token, bool via_cookie) {
  std::string hash = Sha256Hex(token);
  TimePoint now = clock_.Now();
  if (auto known = Remembered(hash, via_cookie, now)) return *known;
  Result<Principal> checked = CheckSession(hash, now);
  std::lock_guard lock(sessions_mutex_);
  if (!checked.ok()) {
    sessions_.erase(hash);
    return checked.status();
  }
  if (sessions_.size() > 100000) sessions_.clear();  // bounded: a flood of tokens cannot grow it
  sessions_[hash] = Checked{*checked, now};
  checked->via_cookie = via_cookie;
  return checked;
}

Result<Principal> AuthService::CheckSession(const std::string& hash, TimePoint now) {
  auto conn = db_.Acquire();
  store::Rows rows = conn->Query(
      "SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, a.id, a.username,"
      " a.display_name, a.role, a.locked, a.locked_until, r.code, r.path, a.person_id"
      " FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN areas r ON r.code = a.area_code"
      " WHERE s.token_hash = ?",
      {hash});
  Status expired(Code::kUnauthenticated, {"登录已失效，请重新登录", "Your session has ended: please sign in again"});
  if (rows.empty()) return expired;
  const store::Row& r = rows[0];
  std::string now_text = FormatUtc(now);
  std::optional<std::string> locked_until = r.OptText(10);
  if (!r.IsNull(4) || r.Text(3) <= now_text || r.Int(9) != 0 ||
      (locked_until && *locked_until > now_text) ||
      r.Text(2) <= FormatUtc(now - config_.idle_timeout)) {
    return expired;
  }
  // Touch at most once a minute: a write per request would serialise readers on SQLite.
  if (r.Text(2) < FormatUtc(now - std::chrono::minutes(1))) {
    conn->Execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now_text, r.Int(0)});
  }
  Principal p;
  p.session_id = r.Int(0);
  p.csrf_token = r.Text(1);
  p.account_id = r.Int(5);
  p.username = r.Text(6);
  p.display_name = r.Text(7);
  p.role = r.Text(8);
  p.area_code = r.Text(11);
  p.area_path = r.Text(12);
  p.person_id = r.IsNull(13) ? 0 : r.Int(13);
  p.permissions = PermissionsOf(p.role);
  return p;
}

}  // namespace shequ::auth
