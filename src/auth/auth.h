#pragma once
// Accounts, roles, passwords and sessions: the auth module's public header.
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/principal.h"
#include "core/status.h"
#include "core/vault.h"
#include "http/router.h"
#include "store/database.h"

namespace shequ::auth {

// ---- Roles: the one role → permission table (docs/architecture.md shows it).
struct RoleInfo {
  std::string_view name;
  std::string_view area_level;  // the level of area an account of this role is bound to
  std::vector<std::string_view> permissions;
};
const std::vector<RoleInfo>& Roles();
const RoleInfo* FindRole(std::string_view name);
std::vector<std::string> PermissionsOf(std::string_view role);

// ---- Passwords (Argon2id, libsodium interactive limits).
inline constexpr std::string_view kDemoPassword = "Shequ-demo-2026";
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
// At least 10 characters of three kinds, not the username, not the demo password.
Status CheckPasswordPolicy(std::string_view username, std::string_view password);

// ---- Accounts (command line and demo; every change is audited by `trail`).
struct NewAccount {
  std::string username;
  std::string display_name;
  std::string role;
  std::string area_code;
  std::string password;
  bool demo = false;  // demo accounts may use kDemoPassword
  // Residents: their registry record (0: not known), birth date ("YYYY-MM-DD"
  // or empty; care mode starts on at 70) and the lookup hash of their phone.
  int64_t person_id = 0;
  std::string birth_date;
  std::string phone_hash;
};
Status AddAccount(store::Database& db, const audit::Trail& trail, const NewAccount& account);
// The insert half of AddAccount, for callers that create accounts together
// with other records. REQUIRES: a write transaction on `conn`; `password_hash`
// from HashPassword(account.password), which is slow: compute it beforehand.
Status InsertAccount(store::Connection& conn, const audit::Trail& trail, const NewAccount& account,
                     const std::string& password_hash);
Status SetPassword(store::Database& db, const audit::Trail& trail, std::string_view username,
                   std::string_view password);
Status SetLocked(store::Database& db, const audit::Trail& trail, std::string_view username,
                 bool locked);
// The registry record a resident account stands for.
struct LinkedPerson {
  int64_t person_id = 0;
  std::string birth_date;  // "YYYY-MM-DD"
  std::string area_code;   // where they live
};
// Links a resident's account to their registry record (care mode on from 70).
Status LinkPerson(store::Database& db, const audit::Trail& trail, std::string_view username, const LinkedPerson& person);
// Care mode starts on for residents of this age (Age in core/clock.h).
inline constexpr int kCareModeAge = 70;

// True while any account still has the demo password.
bool AnyDemoPassword(store::Database& db);

// ---- Sessions and login.
struct AuthConfig {
  std::chrono::seconds idle_timeout{std::chrono::minutes(30)};
  std::chrono::seconds absolute_timeout{std::chrono::hours(12)};
  int lockout_failures = 5;
  std::chrono::seconds lockout_window{std::chrono::minutes(15)};
  std::chrono::seconds lockout_duration{std::chrono::minutes(15)};
  int login_rate_per_minute = 20;  // per client address
  // A session checked against the database is trusted this long without
  // asking again. Ends in this process (logout) apply at once; ends made by
  // another process (`shequ user lock`, `user passwd`) within this time.
  std::chrono::seconds session_recheck{2};
};

struct LoginResult {
  std::string token;
  std::string csrf_token;
  Principal principal;
};

class AuthService {
 public:
  // `hub` (may be null) hears of logouts so open event streams end with them.
  AuthService(store::Database& db, const audit::Trail& trail, const Clock& clock,
              AuthConfig config, http::EventHub* hub = nullptr)
      : db_(db), trail_(trail), clock_(clock), config_(config), hub_(hub) {}

  Result<LoginResult> Login(std::string_view username, std::string_view password,
                            const std::string& address, const std::string& request_id);
  void Logout(const Principal& caller, const std::string& request_id);
  // The caller of a request, from "Authorization: Bearer …" or the session cookie.
  Result<Principal> Authenticate(const http::Request& request);
  // The caller if its session was checked less than session_recheck ago;
  // nullopt otherwise (never touches the database).
  std::optional<Principal> AuthenticateFromMemory(const http::Request& request);
  const AuthConfig& config() const { return config_; }

 private:
  Status TakeLoginToken(const std::string& address);
  Status RecordFailure(std::string_view username, const std::string& address,
                       const std::string& request_id);
  Result<Principal> FromToken(const std::string& token, bool via_cookie);
  std::optional<Principal> Remembered(const std::string& token_hash, bool via_cookie, TimePoint now);
  Result<Principal> CheckSession(const std::string& token_hash, TimePoint now);

  store::Database& db_;
  const audit::Trail& trail_;
  const Clock& clock_;
  AuthConfig config_;
  http::EventHub* hub_;
  std::mutex rate_mutex_;
  std::map<std::string, std::vector<TimePoint>> attempts_;  // by client address
  struct Checked {
    Principal principal;
    TimePoint at;
  };
  std::mutex sessions_mutex_;
  std::unordered_map<std::string, Checked> sessions_;  // by token hash
};

// ---- Messages to phones (registration codes). Pluggable: a deployment adds a
// driver for its SMS gateway; the "log" driver writes each message to the log.
class MessageSender {
 public:
  virtual ~MessageSender() = default;
  virtual Status Send(const std::string& phone, const std::string& text) = 0;
};
// The sender named `driver`; nullptr for a name no driver has.
std::unique_ptr<MessageSender> MakeMessageSender(std::string_view driver);

// ---- Residents register their own account by phone: a one-time code is
// sent to the phone, then phone + code + password create a resident account
// (username: the phone number), linked to the registry person with that phone
// when there is exactly one.
class Registration {
 public:
  using PersonByPhone = std::function<std::optional<LinkedPerson>(const std::string& phone)>;
  Registration(store::Database& db, const audit::Trail& trail, const Clock& clock, const Vault& vault,
               MessageSender& sender, PersonByPhone person_by_phone)
      : db_(db), trail_(trail), clock_(clock), vault_(vault), sender_(sender), person_by_phone_(std::move(person_by_phone)) {}

  // Sends a 6-digit code valid 10 minutes; at most one a minute and five an
  // hour per phone, and twenty an hour per client address.
  Result<boost::json::object> SendCode(const boost::json::object& body, const std::string& client_address,
                                       const std::string& request_id);
  // body: phone, code, password, display_name, area_code (a neighborhood; not
  // needed when the registry knows the phone), birth_date.
  Result<boost::json::object> Register(const boost::json::object& body, const std::string& request_id);
  // Neighborhoods whose name contains `q`, for the registration form.
  boost::json::object Neighborhoods(const std::string& q);

 private:
  Status CheckCode(const std::string& phone_hash, const std::string& code);

  store::Database& db_;
  const audit::Trail& trail_;
  const Clock& clock_;
  const Vault& vault_;
  MessageSender& sender_;
  PersonByPhone person_by_phone_;
};

inline constexpr std::string_view kSessionCookie = "shequ_session";
inline constexpr std::string_view kCsrfCookie = "shequ_csrf";

// /api/v1/registrations… (public).
void AddRegistrationRoutes(http::Router& router, Registration& registration);

// /api/v1/auth/login, /auth/logout, /me, /me/preferences.
void AddRoutes(http::Router& router, store::Database& db, AuthService& auth,
               const audit::Trail& trail);

}  // namespace shequ::auth
