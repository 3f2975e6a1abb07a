#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>
#include <unordered_map>

#include "store/database.h"

namespace shequ::store {
namespace {

// PostgreSQL type OIDs (pg_type.h) the store reads as numbers.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701,
              kNumeric = 1700;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// `?` → `$n`, leaving quoted literals alone, so one SQL text serves both stores.
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection : public Connection {
 public:
  explicit PostgresConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw SystemError("cannot connect to PostgreSQL: " + message);
    }
    ExecuteScript("SET client_encoding TO 'UTF8'; SET client_min_messages TO WARNING");
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  Rows Query(std::string_view sql, const Params& params) override {
    ResultPtr res = Run(sql, params);
    int nrows = PQntuples(res.get()), ncols = PQnfields(res.get());
    Rows rows;
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> cells;
      cells.reserve(ncols);
      for (int c = 0; c < ncols; ++c) cells.push_back(Cell(res.get(), r, c));
      rows.emplace_back(std::move(cells));
    }
    return rows;
  }

  int64_t Execute(std::string_view sql, const Params& params) override {
    ResultPtr res = Run(sql, params);
    const char* n = PQcmdTuples(res.get());
    return (n && *n) ? std::stoll(n) : 0;
  }

  void ExecuteScript(std::string_view sql) override {
    ResultPtr res(PQexec(conn_, std::string(sql).c_str()), &PQclear);
    Check(res.get());
  }

  void InsertRows(const std::string& table, const std::vector<std::string>& columns, const Params& values) override {
    ResultPtr start(PQexec(conn_, fmt::format("COPY {} ({}) FROM STDIN", table, fmt::join(columns, ", ")).c_str()),
                    &PQclear);
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) Check(start.get());
    std::string data;
    for (size_t i = 0; i < values.size(); ++i) {
      AppendCopyText(values[i], data);
      data += (i + 1) % columns.size() == 0 ? '\n' : '\t';
      if (data.size() >= kCopyChunk) PutCopyData(data);
    }
    PutCopyData(data);
    if (PQputCopyEnd(conn_, nullptr) != 1) throw SystemError("PostgreSQL: " + std::string(PQerrorMessage(conn_)));
    ResultPtr end(PQgetResult(conn_), &PQclear);
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);  // the connection is idle again before any throw
    Check(end.get());
  }

  void Begin(bool write) override { ExecuteScript("BEGIN"); }
  void Commit() override { ExecuteScript("COMMIT"); }
  void Rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) ExecuteScript("ROLLBACK");
  }
  void SerializeOn(std::string_view name) override {
    Query("SELECT pg_advisory_xact_lock(hashtext(?))", {std::string(name)});
  }

 private:
  // Statements are prepared once per connection and reused.
  ResultPtr Run(std::string_view sql, const Params& params) {
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      std::string name = fmt::format("s{}", prepared_.size());
      ResultPtr prep(PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr),
                     &PQclear);
      Check(prep.get());
      it = prepared_.emplace(key, name).first;
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (auto p = std::get_if<int64_t>(&v)) text[i] = std::to_string(*p);
      if (auto p = std::get_if<double>(&v)) text[i] = fmt::format("{}", *p);
      if (auto p = std::get_if<std::string>(&v)) text[i] = *p;
      values[i] = text[i].c_str();
    }
    ResultPtr res(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0),
                  &PQclear);
    Check(res.get());
    return res;
  }

  static constexpr size_t kCopyChunk = 1 << 20;

  void PutCopyData(std::string& data) {
    if (!data.empty() && PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
      throw SystemError("PostgreSQL: " + std::string(PQerrorMessage(conn_)));
    }
    data.clear();
  }

  // One field in COPY's text format: \N for NULL; backslash, tab, newline
  // and carriage return escaped.
  static void AppendCopyText(const Value& v, std::string& out) {
    if (std::holds_alternative<std::monostate>(v)) {
      out += "\\N";
    } else if (auto p = std::get_if<int64_t>(&v)) {
      out += std::to_string(*p);
    } else if (auto p = std::get_if<double>(&v)) {
      out += fmt::format("{}", *p);
    } else {
      for (char c : std::get<std::string>(v)) {
        switch (c) {
          case '\\': out += "\\\\"; break;
          case '\t': out += "\\t"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          default: out += c;
        }
      }
    }
  }

  void Check(PGresult* res) {
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    std::string message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::string_view(state) == "23505") throw UniqueViolation(message);
    throw SystemError("PostgreSQL: " + message);
  }

  static Value Cell(PGresult* res, int r, int c) {
    if (PQgetisnull(res, r, c)) return std::monostate{};
    const char* v = PQgetvalue(res, r, c);
    switch (PQftype(res, c)) {
      case kInt2:
      case kInt4:
      case kInt8:
        return static_cast<int64_t>(std::stoll(v));
      case kBool:
        return static_cast<int64_t>(v[0] == 't');
      case kFloat4:
      case kFloat8:
      case kNumeric:
        return std::stod(v);
      default:
        return std::string(v, PQgetlength(res, r, c));
    }
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
};

}  // namespace

std::unique_ptr<Connection> OpenPostgres(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

}  // namespace shequ::store
