#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>


#include "auth/auth.h"
#include "core/crypto.h"
#include "core/json_input.h"
#include "core/phone.h"
#include "http/handlers.h"

namespace shequ::auth {
namespace json = boost::json;

namespace {

constexpr auto kCodeLifetime = std::chrono::minutes(10);
constexpr auto kResendAfter = std::chrono::seconds(60);
constexpr int kCodesPerHour = 5;
constexpr int kCodesPerAddressPerHour = 20;  // one client asking for many phones: message bombing
constexpr int kAttemptsPerCode = 5;

// The demo driver: the message goes to the log, where a developer reads it.
class LogSender : public MessageSender {
 public:
  Status Send(const std::string& phone, const std::string& text) override {
    spdlog::info("短信 message to {}: {}", phone, text);
    return Status::Ok();
  }
};

Result<std::string> ReadPhone(FieldReader& read) {
  std::optional<std::string> phone = read.String("phone", true, 20);
  if (!read.status().ok()) return read.status();
  if (!IsMainlandMobile(*phone)) {
    return Status::Invalid("phone", {"请填写 11 位手机号码", "Give an 11-digit mainland mobile number"});
  }
  return *phone;
}

std::string CodeHash(const std::string& phone_hash, const std::string& code) { return Sha256Hex(phone_hash + ":" + code); }

Status WrongCode() {
  return Status::Invalid("code", {"验证码不正确或已过期，请重新获取", "The code is wrong or has expired: ask for a new one"});
}

}  // namespace

std::unique_ptr<MessageSender> MakeMessageSender(std::string_view driver) {
  if (driver == "log") return std::make_unique<LogSender>();
  return nullptr;
}

Result<json::object> Registration::SendCode(const json::object& body, const std::string& client_address,
                                            const std::string& request_id) {
  FieldReader read(body);
  Result<std::string> phone = ReadPhone(read);
  if (!phone.ok()) return phone.status();
  std::string phone_hash = vault_.LookupHash(*phone);
  TimePoint now = clock_.Now();
  std::string code = fmt::format("{:06d}", randombytes_uniform(1000000));
  Status stored = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    store::Rows recent = conn.Query("SELECT COUNT(*), MAX(sent_at) FROM registration_codes WHERE phone_hash = ? AND sent_at > ?",
                                    {phone_hash, FormatUtc(now - std::chrono::hours(1))});
    if (recent[0].Int(0) >= kCodesPerHour) {
      return Status(Code::kRateLimited, {"该号码一小时内获取验证码太多次，请稍后再试", "Too many codes for this phone this hour: try later"})
          .set_retry_after(3600);
    }
    if (conn.Query("SELECT COUNT(*) FROM registration_codes WHERE client_address = ? AND sent_at > ?",
                   {client_address, FormatUtc(now - std::chrono::hours(1))})[0].Int(0) >= kCodesPerAddressPerHour) {
      return Status(Code::kRateLimited, {"本机获取验证码太多次，请稍后再试", "Too many codes asked for from this address: try later"})
          .set_retry_after(3600);
    }
    if (!recent[0].IsNull(1) && recent[0].Text(1) > FormatUtc(now - kResendAfter)) {
      return Status(Code::kRateLimited, {"验证码已发送，请 1 分钟后再试", "A code was just sent: wait a minute"}).set_retry_after(60);
    }
    conn.Execute("INSERT INTO registration_codes (phone_hash, client_address, code_hash, sent_at, expires_at)"
                 " VALUES (?, ?, ?, ?, ?)",
                 {phone_hash, client_address, CodeHash(phone_hash, code), FormatUtc(now), FormatUtc(now + kCodeLifetime)});
    trail_.Append(conn, audit::Entry{"anonymous", "anonymous", "registration.code", "phone:" + phone_hash.substr(0, 12),
                                     "", "/", request_id, {}});
    return Status::Ok();
  });
  if (!stored.ok()) return stored;
  // After the commit: a code is only sent once it can be checked.
  SHEQU_RETURN_IF_ERROR(sender_.Send(*phone, fmt::format("【社区云】您的注册验证码是 {}，10 分钟内有效。如非本人操作请忽略。", code)));
  return json::object{{"sent", true}, {"expires_in", std::chrono::seconds(kCodeLifetime).count()}};
}

// Checks `code` against the newest live code of the phone; every wrong try
// counts, in its own transaction, so a refused registration cannot undo it.
Status Registration::CheckCode(const std::string& phone_hash, const std::string& code) {
  auto conn = db_.Acquire();
  store::Rows rows = conn->Query("SELECT id, code_hash, attempts FROM registration_codes WHERE phone_hash = ? AND used_at IS NULL"
                                 " AND expires_at > ? ORDER BY id DESC LIMIT 1",
                                 {phone_hash, FormatUtc(clock_.Now())});
  if (rows.empty() || rows[0].Int(2) >= kAttemptsPerCode) return WrongCode();
  if (!ConstantTimeEquals(rows[0].Text(1), CodeHash(phone_hash, code))) {
    store::WithWrite(db_, [&](store::Connection& c) -> Status {
      c.Execute("UPDATE registration_codes SET attempts = attempts + 1 WHERE id = ?", {rows[0].Int(0)});
      return Status::Ok();
    });
    return WrongCode();
  }
  return Status::Ok();
}

Result<json::object> Registration::Register(const json::object& body, const std::string& request_id) {
  FieldReader read(body);
  Result<std::string> phone = ReadPhone(read);
  std::optional<std::string> code = read.String("code", true, 6);
  std::optional<std::string> password = read.String("password", true, 256);
  std::optional<std::string> display_name = read.String("display_name", false, 20);
  std::optional<std::string> area_code = read.String("area_code", false, 20);
  std::optional<std::string> birth_date = read.String("birth_date", false, 10);
  if (!read.status().ok()) return read.status();
  if (!phone.ok()) return phone.status();
  if (birth_date && !birth_date->empty() &&
      (!IsDate(*birth_date) || *birth_date > BeijingDate(clock_.Now()))) {
    return Status::Invalid("birth_date", {"出生日期须是 YYYY-MM-DD 格式的过去日期", "birth_date must be a past date written YYYY-MM-DD"});
  }
  SHEQU_RETURN_IF_ERROR(CheckPasswordPolicy(*phone, *password));
  std::string phone_hash = vault_.LookupHash(*phone);
  SHEQU_RETURN_IF_ERROR(CheckCode(phone_hash, *code));
  std::optional<LinkedPerson> person = person_by_phone_ ? person_by_phone_(*phone) : std::nullopt;
  NewAccount account{*phone, display_name.value_or(""), "resident", "", *password};
  account.phone_hash = phone_hash;
  if (person) {
    account.person_id = person->person_id;
    account.birth_date = person->birth_date;
    account.area_code = person->area_code;
  } else {
    if (!area_code || area_code->empty()) {
      return Status::Invalid("area_code", {"请选择您居住的居委", "Choose the neighborhood you live in"});
    }
    account.area_code = *area_code;
    account.birth_date = birth_date.value_or("");
  }
  if (account.display_name.empty()) account.display_name = "居民" + phone->substr(7);
  std::string hash = HashPassword(*password);  // slow: outside the transaction
  Status created = store::WithWrite(db_, [&](store::Connection& conn) -> Status {
    if (!conn.Query("SELECT 1 FROM accounts WHERE phone_hash = ? OR username = ?", {phone_hash, *phone}).empty()) {
      return Status(Code::kConflict, {"该手机号已注册，请直接登录", "This phone is already registered: sign in"});
    }
    if (!person) {
      store::Rows level = conn.Query("SELECT level FROM areas WHERE code = ?", {account.area_code});
      if (level.empty() || level[0].Text(0) != "neighborhood") {
        return Status::Invalid("area_code", {"请选择您居住的居委", "area_code must be a neighborhood"});
      }
    }
    // A code serves one registration: taken before the account, in the same transaction.
    if (conn.Execute("UPDATE registration_codes SET used_at = ? WHERE phone_hash = ? AND used_at IS NULL",
                     {FormatUtc(clock_.Now()), phone_hash}) == 0) {
      return WrongCode();
    }
    SHEQU_RETURN_IF_ERROR(InsertAccount(conn, trail_, account, hash));
    std::string path = conn.Query("SELECT path FROM areas WHERE code = ?", {account.area_code})[0].Text(0);
    trail_.Append(conn, audit::Entry{account.username, "resident", "account.register", "account:" + account.username,
                                     account.area_code, path, request_id, {{"linked_person", person.has_value()}}});
    return Status::Ok();
  });
  if (!created.ok()) return created;
  std::string today = BeijingDate(clock_.Now());
  return json::object{{"username", account.username},
                      {"display_name", account.display_name},
                      {"area_code", account.area_code},
                      {"linked_person", person.has_value()},
                      {"care_mode", Age(account.birth_date, today) >= kCareModeAge}};
}

json::object Registration::Neighborhoods(const std::string& q) {
  auto conn = db_.Acquire();
  json::array items;
  std::string pattern = store::LikeContains(q);
  for (const auto& r : conn->Query("SELECT n.code, n.name, s.name FROM areas n JOIN areas s ON s.code = n.parent_code"
                                   " WHERE n.level = 'neighborhood' AND (n.name LIKE ?" + std::string(store::kLikeEscape) +
                                       " OR s.name LIKE ?" + std::string(store::kLikeEscape) + ") ORDER BY n.code LIMIT 50",
                                   {pattern, pattern})) {
    items.push_back({{"code", r.Text(0)}, {"name", r.Text(1)}, {"subdistrict", r.Text(2)}});
  }
  return {{"items", std::move(items)}};
}

void AddRegistrationRoutes(http::Router& router, Registration& registration) {
  const http::RouteOptions open{.public_route = true, .json_body = true};
  Registration& r = registration;
  router.Add("POST", "/api/v1/registrations/codes", open,
             http::WithBody({"phone"}, [&r](http::Context& ctx, const json::object& body) {
               return http::Reply(r.SendCode(body, ctx.request.remote_address, ctx.request.request_id), 202);
             }));
  router.Add("POST", "/api/v1/registrations", open,
             http::WithBody({"phone", "code", "password", "display_name", "area_code", "birth_date"},
                            [&r](http::Context& ctx, const json::object& body) {
                              return http::Reply(r.Register(body, ctx.request.request_id), 201);
                            }));
  router.Add("GET", "/api/v1/registrations/neighborhoods", {.public_route = true}, [&r](http::Context& ctx) -> Result<http::Response> {
    std::string q = ctx.request.Query("q").value_or("");
    if (Utf8Length(q) > 20) return Status::Invalid("q", {"搜索词不超过 20 个字", "q is at most 20 characters"});
    return http::Response::Json(r.Neighborhoods(q));
  });
}

}  // namespace shequ::auth
