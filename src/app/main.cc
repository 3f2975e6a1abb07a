// shequ: the one binary. Subcommands serve, demo, migrate, user, audit, backup.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "core/table_file.h"
#include "core/crypto.h"
#include "http/server.h"
#include "store/migrations.h"
#include "territory/territory.h"

namespace {

using namespace shequ;

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The parent folder of a SQLite file is created on first use.
void PrepareDbPath(const std::string& url) {
  if (!url.starts_with("sqlite:")) return;
  std::filesystem::path file(url.substr(7));
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
}

int Fail(const Status& status) {
  std::cerr << "错误: " << status.message().zh << "\nerror: " << status.message().en << "\n";
  for (const auto& f : status.fields()) {
    std::cerr << "  " << f.field << ": " << f.message.zh << " / " << f.message.en << "\n";
  }
  return 1;
}

std::string key_file = EnvOr("SHEQU_KEY_FILE", "");

std::unique_ptr<App> OpenApp(const std::string& db_url, AppConfig config = {}) {
  Status url_ok = store::Database::CheckUrl(db_url);
  if (!url_ok.ok()) throw std::invalid_argument(url_ok.message().en);
  PrepareDbPath(db_url);
  config.db_url = db_url;
  config.key_file = key_file;
  return std::make_unique<App>(config);
}

bool IsLoopback(const std::string& address) {
  return address.starts_with("127.") || address == "::1" || address == "localhost";
}

struct ServeOptions {
  std::string listen;
  std::string web = "web/dist";
  int threads = 4;
  size_t header_limit = 8 * 1024;
  size_t body_limit = 16 * 1024;
  int read_timeout = 10, idle_timeout = 60, shutdown_grace = 10, heartbeat = 15;
  int max_connections = 1024;
  int login_rate = 20;
  bool access_log = true;
  std::string message_driver = "log";
};

int Serve(const std::string& db_url, const ServeOptions& o) {
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    return Fail(Status::Invalid("listen", {"监听地址应为 主机:端口，例如 127.0.0.1:8080",
                                           "--listen must be HOST:PORT, e.g. 127.0.0.1:8080"}));
  }
  http::ServerConfig server;
  server.address = o.listen.substr(0, colon);
  if (server.address.size() > 2 && server.address.front() == '[') {
    server.address = server.address.substr(1, server.address.size() - 2);
  }
  if (server.address == "localhost") server.address = "127.0.0.1";
  server.port = static_cast<uint16_t>(std::stoi(o.listen.substr(colon + 1)));
  server.web_dir = o.web;
  server.header_limit = o.header_limit;
  server.read_timeout = std::chrono::seconds(o.read_timeout);
  server.idle_timeout = std::chrono::seconds(o.idle_timeout);
  server.shutdown_grace = std::chrono::seconds(o.shutdown_grace);
  server.heartbeat = std::chrono::seconds(o.heartbeat);
  server.max_connections = o.max_connections;
  server.threads = o.threads;
  server.access_log = o.access_log;

  AppConfig config;
  config.db_pool = static_cast<size_t>(o.threads) + 2;
  config.body_limit = o.body_limit;
  config.auth.login_rate_per_minute = o.login_rate;
  config.message_driver = o.message_driver;
  auto app = OpenApp(db_url, config);
  if (!IsLoopback(server.address) && auth::AnyDemoPassword(app->db())) {
    return Fail(Status(Code::kForbidden,
                       {"仍有账号使用演示密码，拒绝在非本机地址上监听；请先用 shequ user passwd 修改密码",
                        "An account still has the demo password: refusing to listen on a non-loopback "
                        "address. Change it first with `shequ user passwd`"}));
  }
  app->StartBackgroundWork();
  http::Server http_server(server, app->router(), app->hub(), app->metrics());
  http_server.Run([&](uint16_t port) {
    std::string host = server.address.find(':') != std::string::npos ? "[" + server.address + "]"
                                                                       : server.address;
    fmt::print("listening on http://{}:{}\n", host, port);
    std::fflush(stdout);
    spdlog::info("database {} ({}), web console {}", app->db().name(), db_url, o.web);
  });
  spdlog::info("stopped");
  return 0;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A progress bar on standard error, redrawn in place.
void ShowProgress(std::string_view what, int64_t done, int64_t total) {
  if (!isatty(STDERR_FILENO) && done != total) return;  // logs get the last line only
  int width = 30;
  int filled = total > 0 ? static_cast<int>(width * done / total) : width;
  fmt::print(stderr, "\r{} [{}{}] {}/{}", what, std::string(filled, '#'), std::string(width - filled, '.'), done, total);
  if (done == total) fmt::print(stderr, "\n");
}

// The demo's residents of 江苏路 as registry persons: jiangsu-resident a
// working-age one, jiangsu-elder one past 75 (care mode on by default).
int LinkDemoResidents(App& app, const audit::Trail& trail) {
  auto conn = app.db().Acquire();
  store::Rows resident = conn->Query("SELECT area_code, person_id FROM accounts WHERE username = 'jiangsu-resident'");
  if (resident.empty() || !resident[0].IsNull(1)) return 0;
  std::string area = resident[0].Text(0);
  int linked = 0;
  if (auto p = app.registry().FindBornBetween(area, "1975-01-01", "1990-12-31")) {
    auth::LinkPerson(app.db(), trail, "jiangsu-resident", {p->id, p->birth_date, p->area_code});
    ++linked;
  }
  if (auto p = app.registry().FindBornBetween(area, "1930-01-01", "1950-12-31")) {
    auth::NewAccount elder{"jiangsu-elder", p->name + "（江苏路居民）", "resident", area, std::string(auth::kDemoPassword), true};
    elder.person_id = p->id;
    elder.birth_date = p->birth_date;
    if (auth::AddAccount(app.db(), trail, elder).ok()) ++linked;
  }
  return linked;
}

int Demo(App& app, const audit::Trail& trail, const std::string& scale, uint64_t seed, int64_t persons, int64_t cases) {
  auto started = std::chrono::steady_clock::now();
  auto level = scale == "city" ? territory::DemoScale::kCity
               : scale == "district" ? territory::DemoScale::kDistrict : territory::DemoScale::kSmall;
  // About 690,000 people live in Changning and 25 million in Shanghai; the small demo keeps tests fast.
  if (persons <= 0) persons = scale == "city" ? 25000000 : scale == "district" ? 690000 : 3000;
  if (scale == "city" && app.db().dialect() == store::Dialect::kSqlite) {
    fmt::print(stderr, "注意：城市规模建议使用 PostgreSQL / note: the city scale is meant for PostgreSQL\n");
  }
  auto territory = territory::CreateDemo(app.db(), trail, level, seed);
  if (territory.created) {
    fmt::print("演示区已生成 / demo territory: {} areas, {} accounts in {:.1f} s (password {})\n", territory.areas,
               territory.accounts, SecondsSince(started), auth::kDemoPassword);
  }
  started = std::chrono::steady_clock::now();
  auto registry = people::CreateDemoRegistry(app.db(), app.vault(), seed, persons,
                                             [](int64_t done, int64_t total) { ShowProgress("居民区 neighborhoods", done, total); });
  if (registry.persons > 0) {
    fmt::print("实有人口与房屋 / registry: {} persons, {} dwellings, {} buildings, {} compounds, {} organizations in {:.1f} s\n",
               registry.persons, registry.dwellings, registry.buildings, registry.compounds, registry.organizations,
               SecondsSince(started));
  }
  started = std::chrono::steady_clock::now();
  if (cases <= 0) cases = scale == "small" ? 1500 : 30000;
  auto demo_cases = cases::CreateDemoCases(app.db(), app.vault(), trail, seed, cases,
                                           [](int64_t done, int64_t total) { ShowProgress("案件 cases", done, total); });
  if (demo_cases.cases > 0) {
    fmt::print("案件 / cases: {} departments, {} grid shapes, {} cases over the last year in {:.1f} s\n",
               demo_cases.departments, demo_cases.shapes, demo_cases.cases, SecondsSince(started));
  }
  int64_t doorstep = app.catalog().CreateDemoDoorstepLists();
  if (doorstep > 0) fmt::print("家门口服务清单 / doorstep lists: {} guide entries\n", doorstep);
  if (int linked = LinkDemoResidents(app, trail); linked > 0) {
    fmt::print("居民账号 / resident accounts linked to the registry: {} (jiangsu-elder: care mode on)\n", linked);
  }
  if (!territory.created && registry.persons == 0 && demo_cases.cases == 0) {
    fmt::print("演示数据已存在，未改动 / demo data already present: nothing changed\n");
  }
  return 0;
}

int Import(App& app, const std::string& file, bool all_or_nothing, const std::string& report_out) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<Table> table = ReadTable(bytes);
  if (!table.ok()) return Fail(table.status());
  Principal system;
  system.username = "system";
  system.role = "system";
  system.area_path = "/";
  system.permissions = {"person.sensitive"};
  auto started = std::chrono::steady_clock::now();
  people::ImportOutcome out = people::ImportPersons(
      app.registry(), people::Caller{system, "cli"}, *table, all_or_nothing,
      [](const people::ImportCounts& c) { ShowProgress("导入 import", c.processed, c.total); });
  if (!report_out.empty() && !out.error_report.empty()) {
    std::ofstream(report_out, std::ios::binary) << out.error_report;
  }
  const auto& c = out.counts;
  fmt::print("{} rows ({}): {} inserted, {} updated, {} unchanged, {} rejected in {:.1f} s\n", c.total, table->format,
             c.inserted, c.updated, c.unchanged, c.rejected, SecondsSince(started));
  if (!out.failure.ok()) return Fail(out.failure);
  return c.rejected > 0 ? 3 : 0;
}

std::string ReadPassword(const std::string& given, bool from_stdin) {
  if (!from_stdin) return given;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  shequ::InitCrypto();
  spdlog::set_default_logger(spdlog::stderr_color_mt("shequ"));
  CLI::App cli{"Shequ 社区云: community-governance platform. Every subcommand has --help."};
  cli.require_subcommand(1);
  std::string db_url = EnvOr("SHEQU_DB", "sqlite:var/shequ.db");
  auto add_db = [&](CLI::App* sub) {
    sub->add_option("--db", db_url,
                    "Database: sqlite:PATH or postgresql://USER@HOST:PORT/NAME (env SHEQU_DB)")
        ->capture_default_str();
    sub->add_option("--key-file", key_file,
                    "Key file for personal data, created on first use (env SHEQU_KEY_FILE; default: beside "
                    "a SQLite file, else var/shequ.key). Losing it loses the ID numbers and phones");
  };

  ServeOptions serve;
  serve.listen = EnvOr("SHEQU_LISTEN", "127.0.0.1:8080");
  auto* serve_cmd = cli.add_subcommand("serve", "Run the web server and console");
  add_db(serve_cmd);
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on; port 0 picks a free one (env SHEQU_LISTEN)")
      ->capture_default_str();
  serve_cmd->add_option("--web", serve.web, "Folder of the built web console")->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "Handler threads")->capture_default_str()->check(CLI::Range(1, 256));
  serve_cmd->add_option("--header-limit", serve.header_limit, "Largest request head in bytes (431 above)")->capture_default_str();
  serve_cmd->add_option("--body-limit", serve.body_limit, "Largest JSON body in bytes (413 above)")->capture_default_str();
  serve_cmd->add_option("--read-timeout", serve.read_timeout, "Seconds a client may take to send one request (408 after)")->capture_default_str();
  serve_cmd->add_option("--idle-timeout", serve.idle_timeout, "Seconds an idle keep-alive connection stays open")->capture_default_str();
  serve_cmd->add_option("--max-connections", serve.max_connections, "Open connections at most (503 above)")->capture_default_str();
  serve_cmd->add_option("--shutdown-grace", serve.shutdown_grace, "Seconds to finish requests after SIGTERM")->capture_default_str();
  serve_cmd->add_option("--heartbeat", serve.heartbeat, "Seconds between event-stream heartbeats")->capture_default_str();
  serve_cmd->add_option("--login-rate", serve.login_rate, "Sign-in attempts per minute from one address")->capture_default_str();
  serve_cmd->add_flag("!--no-access-log", serve.access_log, "Do not print the JSON access log on stdout");
  serve.message_driver = EnvOr("SHEQU_MESSAGE_DRIVER", "log");
  serve_cmd->add_option("--message-driver", serve.message_driver,
                        "How registration codes reach phones; log: written to the log (env SHEQU_MESSAGE_DRIVER)")
      ->capture_default_str()->check(CLI::IsMember({"log"}));

  std::string scale = "district";
  uint64_t seed = 20260101;
  auto* demo_cmd = cli.add_subcommand("demo", "Create the 长宁区 demo district and demo accounts (once)");
  add_db(demo_cmd);
  int64_t demo_persons = 0;
  demo_cmd->add_option("--scale", scale,
                       "small: one subdistrict built out; district: all of Changning (690,000 persons); "
                       "city: Shanghai's 16 districts (25 million persons, for PostgreSQL)")
      ->check(CLI::IsMember({"small", "district", "city"}))->capture_default_str();
  demo_cmd->add_option("--persons", demo_persons, "Persons to generate instead of the scale's number");
  int64_t demo_cases = 0;
  demo_cmd->add_option("--cases", demo_cases, "Cases to generate (default 1,500 small, 30,000 district and city)");
  demo_cmd->add_option("--seed", seed, "Same seed, same demo")->capture_default_str();

  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply database migrations");
  add_db(migrate_cmd);

  auto* user_cmd = cli.add_subcommand("user", "Manage accounts");
  user_cmd->require_subcommand(1);
  std::string username, role, area, display_name, password;
  bool password_stdin = false;
  auto add_username = [&](CLI::App* sub) {
    add_db(sub);
    sub->add_option("--username", username, "Account name")->required();
  };
  auto add_password = [&](CLI::App* sub) {
    auto* group = sub->add_option_group("password", "where the new password comes from");
    group->add_option("--password", password, "New password (visible in the process list: prefer --password-stdin)");
    group->add_flag("--password-stdin", password_stdin, "Read the new password from standard input");
    group->require_option(1);
  };
  auto* user_add = user_cmd->add_subcommand("add", "Create an account bound to one area");
  add_username(user_add);
  user_add->add_option("--role", role, "district_admin, subdistrict_admin, neighborhood_worker, grid_worker, department_staff, auditor or resident")->required();
  user_add->add_option("--area", area, "Area code the account sees (its subtree)")->required();
  user_add->add_option("--display-name", display_name, "Name shown in the console");
  add_password(user_add);
  auto* user_passwd = user_cmd->add_subcommand("passwd", "Set a new password (ends the account's sessions)");
  add_username(user_passwd);
  add_password(user_passwd);
  auto* user_lock = user_cmd->add_subcommand("lock", "Lock an account (ends its sessions)");
  add_username(user_lock);
  auto* user_unlock = user_cmd->add_subcommand("unlock", "Unlock an account and clear its failed sign-ins");
  add_username(user_unlock);

  auto* audit_cmd = cli.add_subcommand("audit", "Audit trail tools");
  audit_cmd->require_subcommand(1);
  auto* audit_verify = audit_cmd->add_subcommand("verify", "Check the audit hash chain; exit 1 at the first broken row");
  add_db(audit_verify);

  std::string import_file, import_kind = "persons", import_mode = "all_or_nothing", report_out;
  auto* import_cmd = cli.add_subcommand("import", "Import persons (and where they live) from a CSV or XLSX file");
  add_db(import_cmd);
  import_cmd->add_option("--file", import_file, "CSV (UTF-8 or GBK) or XLSX file")->required()->check(CLI::ExistingFile);
  import_cmd->add_option("--kind", import_kind, "What the file holds")->check(CLI::IsMember({"persons"}))->capture_default_str();
  import_cmd->add_option("--mode", import_mode, "all_or_nothing: any bad row stops the import; valid_only: skip bad rows")
      ->check(CLI::IsMember({"all_or_nothing", "valid_only"}))->capture_default_str();
  import_cmd->add_option("--errors", report_out, "Write the rejected rows with an error column to this CSV file");

  std::string backup_out;
  auto* backup_cmd = cli.add_subcommand("backup", "Consistent copy of the live database");
  add_db(backup_cmd);
  backup_cmd->add_option("--out", backup_out, "File to write (SQLite file, or pg_dump custom format)")->required();

  CLI11_PARSE(cli, argc, argv);
  try {
    if (*serve_cmd) return Serve(db_url, serve);
    AppConfig config;
    config.load_catalog = *demo_cmd || *migrate_cmd;
    auto app = OpenApp(db_url, config);
    audit::Trail cli_trail(Clock::System(), nullptr);
    if (*migrate_cmd) {
      // Opening the app applied them; say which.
      const auto& applied = app->applied_migrations();
      for (const auto& name : applied) fmt::print("applied {}\n", name);
      fmt::print("database is up to date ({} newly applied)\n", applied.size());
      return 0;
    }
    if (*demo_cmd) return Demo(*app, cli_trail, scale, seed, demo_persons, demo_cases);
    if (*user_add) {
      Status s = auth::AddAccount(app->db(), cli_trail,
                                  {username, display_name, role, area, ReadPassword(password, password_stdin)});
      if (!s.ok()) return Fail(s);
      fmt::print("account {} created\n", username);
      return 0;
    }
    if (*user_passwd) {
      Status s = auth::SetPassword(app->db(), cli_trail, username, ReadPassword(password, password_stdin));
      if (!s.ok()) return Fail(s);
      fmt::print("password of {} changed; its sessions are ended\n", username);
      return 0;
    }
    if (*user_lock || *user_unlock) {
      bool lock = user_lock->parsed();
      Status s = auth::SetLocked(app->db(), cli_trail, username, lock);
      if (!s.ok()) return Fail(s);
      fmt::print("account {} {}\n", username, lock ? "locked" : "unlocked");
      return 0;
    }
    if (*audit_verify) {
      audit::VerifyReport report = audit::Verify(app->db());
      if (report.ok()) {
        fmt::print("audit chain intact: {} rows\n", report.rows);
        return 0;
      }
      fmt::print("审计链在第 {} 行断开 / audit chain broken at seq {}: {}\n", report.first_broken_seq,
                 report.first_broken_seq, report.reason);
      return 1;
    }
    if (*import_cmd) return Import(*app, import_file, import_mode == "all_or_nothing", report_out);
    if (*backup_cmd) {
      Status s = Backup(app->db(), backup_out);
      if (!s.ok()) return Fail(s);
      fmt::print("backup written to {}\n备份不含个人信息密钥文件，请另行妥善保存 / the backup does not include the "
                 "personal-data key file: keep a copy of it apart from the backup\n",
                 backup_out);
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "错误 / error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
