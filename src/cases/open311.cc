// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): other
// systems and apps report problems and read their status. Every endpoint
// answers in JSON or XML by the suffix of its last path segment, and errors
// take the spec's form, not problem+json.
#include <boost/url.hpp>
#include <fmt/format.h>

#include "core/markup.h"
#include "cases/case_internal.h"
#include "core/crypto.h"

namespace shequ::cases {

using namespace internal;
namespace json = boost::json;

namespace {

enum class Format { kJson, kXml };

// "requests.json" → ("requests", kJson); nullopt for another suffix.
std::optional<std::pair<std::string, Format>> SplitFormat(const std::string& segment) {
  for (auto [suffix, format] : {std::pair{".json", Format::kJson}, std::pair{".xml", Format::kXml}}) {
    std::string_view s(suffix);
    if (segment.size() > s.size() && segment.ends_with(s)) return std::pair{segment.substr(0, segment.size() - s.size()), format};
  }
  return std::nullopt;
}


// One XML element for a JSON value; arrays repeat a child element named after the list.
void AppendElement(std::string& out, std::string_view name, const json::value& v) {
  out += fmt::format("<{}>", name);
  if (v.is_string()) {
    out += EscapeMarkup(v.as_string());
  } else if (v.is_object()) {
    for (const auto& kv : v.as_object()) AppendElement(out, kv.key(), kv.value());
  } else if (v.is_array()) {
    std::string_view child = name == "endpoints" ? "endpoint" : name == "formats" ? "format" : "item";
    for (const auto& item : v.as_array()) AppendElement(out, child, item);
  } else if (!v.is_null()) {
    out += json::serialize(v);
  }
  out += fmt::format("</{}>", name);
}

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

// The spec's XML: a root element `list` holding one `item` element per object.
std::string Xml(const json::array& items, std::string_view list, std::string_view item) {
  std::string out = std::string(kXmlDeclaration) + fmt::format("<{}>", list);
  for (const auto& v : items) AppendElement(out, item, v);
  return out + fmt::format("</{}>", list);
}

http::Response Answer(Format format, const json::array& items, std::string_view list, std::string_view item, int status = 200) {
  http::Response res;
  res.status = status;
  if (format == Format::kJson) {
    res.body = json::serialize(items);
  } else {
    res.content_type = "text/xml; charset=utf-8";
    res.body = Xml(items, list, item);
  }
  return res;
}

http::Response Error(Format format, int code, std::string description) {
  return Answer(format, json::array{json::object{{"code", code}, {"description", std::move(description)}}}, "errors", "error",
                code);
}

// Beijing time with its offset, as the spec's W3C datetimes want.
std::string W3cTime(const std::string& utc) {
  std::optional<TimePoint> t = ParseUtc(utc);
  if (!t) return "";
  std::string local = FormatUtc(*t + std::chrono::hours(8));
  return local.substr(0, 19) + "+08:00";
}

// A spec date (W3C, any offset) as our UTC text; nullopt when it does not parse.
std::optional<std::string> UtcOf(const std::string& w3c) {
  if (w3c.size() < 19) return std::nullopt;
  std::string base = w3c.substr(0, 19) + ".000Z";
  std::optional<TimePoint> t = ParseUtc(base);
  if (!t) return std::nullopt;
  std::string zone = w3c.substr(19);
  if (zone.empty() || zone == "Z") return FormatUtc(*t);
  auto digits = [&](size_t at) { return std::isdigit(static_cast<unsigned char>(zone[at])) != 0; };
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !digits(1) || !digits(2) ||
      !digits(4) || !digits(5)) {
    return std::nullopt;
  }
  auto offset = std::chrono::hours(std::stoi(zone.substr(1, 2))) + std::chrono::minutes(std::stoi(zone.substr(4, 2)));
  return FormatUtc(zone[0] == '+' ? *t - offset : *t + offset);
}

std::string StatusOf(const std::string& state) {
  return state == "closed" || state == "void" || state == "not_filed" ? "closed" : "open";
}

std::string StatusNote(const std::string& state) {
  static const std::map<std::string, std::string> notes = {
      {"reported", "已上报，等待立案 / reported, waiting to be filed"}, {"filed", "已立案 / filed"},
      {"dispatched", "已派遣，处置中 / dispatched, being handled"}, {"handled", "已处置，待核查 / handled, awaiting verification"},
      {"closed", "已结案 / closed"}, {"suspended", "挂账，纳入长效管理 / suspended as a long-term problem"},
      {"void", "重复案件，已作废 / void: a duplicate"}, {"not_filed", "不予立案 / not filed"}};
  auto it = notes.find(state);
  return it == notes.end() ? state : it->second;
}

std::map<std::string, std::string> FormFields(std::string_view body) {
  std::map<std::string, std::string> out;
  auto parsed = boost::urls::parse_query(body);
  if (!parsed) return out;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (auto param : *parsed) out[param.key.decode(form)] = param.value.decode(form);
  return out;
}

class Open311 {
 public:
  explicit Open311(CaseService& cases) : cases_(cases) {}

  http::Response Discovery(Format format, const http::Request& request) const {
    std::string base = "http://" + std::string(request.Header("host")) + "/open311/v2/";
    json::object endpoint{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                          {"url", base},
                          {"changeset", "2026-11-23T00:00:00+08:00"},
                          {"type", "production"},
                          {"formats", json::array{"application/json", "text/xml"}}};
    json::object discovery{{"changeset", "2026-11-23T00:00:00+08:00"},
                           {"contact", "长宁区城运中心 / Changning operations center"},
                           {"key_service", "向区城运中心申请 API key / ask the district operations center for an API key"},
                           {"endpoints", json::array{endpoint}}};
    http::Response res;
    if (format == Format::kJson) {
      res.body = json::serialize(discovery);
    } else {
      res.content_type = "text/xml; charset=utf-8";
      res.body = std::string(kXmlDeclaration);
      AppendElement(res.body, "discovery", discovery);
    }
    return res;
  }

  http::Response Services(Format format) const {
    json::array items;
    for (const auto& v : CategoryItems()) items.push_back(Service(v.as_object()));
    return Answer(format, items, "services", "service");
  }

  http::Response ServiceDefinition(Format format, const std::string& code) const {
    for (const auto& v : CategoryItems()) {
      if (v.as_object().at("code").as_string() == code) {
        return Answer(format, json::array{json::object{{"service_code", code}, {"attributes", json::array{}}}},
                      "service_definitions", "service_definition");
      }
    }
    return Error(format, 404, "service_code not found / 没有这个服务代码");
  }

  http::Response Post(Format format, const http::Request& request) {
    std::map<std::string, std::string> form = FormFields(request.body);
    std::optional<Principal> client = ClientOf(form["api_key"], request.remote_address);
    if (!client) return Error(format, 403, "api_key is missing or not valid here / API key 无效");
    Report r;
    r.category_code = form["service_code"];
    if (r.category_code.empty()) return Error(format, 400, "service_code is required / 缺少 service_code");
    auto number = [&](const char* key) -> std::optional<double> {
      const std::string& text = form[key];
      if (text.empty()) return std::nullopt;
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size()) return std::nullopt;
      return v;
    };
    r.lat = number("lat");
    r.lng = number("long");
    if (!r.lat || !r.lng) {
      return Error(format, 400, "lat and long are required numbers (address_id is not supported) / 须提供经纬度");
    }
    r.description = form["description"];
    r.address = form["address_string"];
    r.source = "open311";
    r.reporter_name = (form["last_name"] + form["first_name"]);
    r.reporter_phone = form["phone"];
    r.open311_client = client->username;
    Result<json::object> created = cases_.Create(Caller{*client, request.request_id}, WithTitle(std::move(r)));
    if (!created.ok()) {
      const Status& s = created.status();
      std::string field = s.fields().empty() ? "" : s.fields()[0].field + ": ";
      std::string message = s.fields().empty() ? s.message().en : s.fields()[0].message.en + " / " + s.fields()[0].message.zh;
      return Error(format, 400, field + message);
    }
    int64_t id = created->at("id").as_int64();
    return Answer(format,
                  json::array{json::object{{"service_request_id", std::to_string(id)},
                                           {"token", fmt::format("tok-{}", id)},
                                           {"service_notice", "已受理，可凭编号查询进度 / received: follow it by its id"},
                                           {"account_id", nullptr}}},
                  "service_requests", "request", 201);
  }

  http::Response Requests(Format format, const http::Request& request, std::optional<std::string> only_id) {
    store::Params params;
    // Only requests that came in through Open311 are public here: what
    // residents told the hotline or a grid worker stays inside the platform.
    std::string where = " WHERE c.source = 'open311'";
    std::string ids = only_id ? *only_id : request.Query("service_request_id").value_or("");
    if (!ids.empty()) {
      std::vector<int64_t> list;
      for (size_t from = 0; from <= ids.size();) {
        size_t comma = std::min(ids.find(',', from), ids.size());
        std::string one = ids.substr(from, comma - from);
        if (one.empty() || one.size() > 18 || !std::all_of(one.begin(), one.end(), ::isdigit)) {
          return Error(format, 400, "service_request_id must be numbers / 编号须是数字");
        }
        list.push_back(std::stoll(one));
        from = comma + 1;
      }
      where += " AND c.id IN (" + store::InList(list, params) + ")";
    } else {
      std::string now = FormatUtc(cases_.clock().Now());
      std::optional<std::string> start = request.Query("start_date"), end = request.Query("end_date");
      std::optional<std::string> start_utc = start ? UtcOf(*start) : std::nullopt, end_utc = end ? UtcOf(*end) : std::nullopt;
      if ((start && !start_utc) || (end && !end_utc)) return Error(format, 400, "start_date and end_date are W3C datetimes / 日期格式有误");
      // The spec's default window: the last 90 days.
      where += " AND c.reported_at >= ? AND c.reported_at <= ?";
      params.emplace_back(start_utc.value_or(FormatUtc(*ParseUtc(end_utc.value_or(now)) - std::chrono::hours(24 * 90))));
      params.emplace_back(end_utc.value_or(now));
      if (auto code = request.Query("service_code"); code && !code->empty()) {
        std::vector<std::string> codes;
        for (size_t from = 0; from <= code->size();) {
          size_t comma = std::min(code->find(',', from), code->size());
          codes.push_back(code->substr(from, comma - from));
          from = comma + 1;
        }
        where += " AND c.category_code IN (" + store::InList(codes, params) + ")";
      }
      if (auto status = request.Query("status"); status && !status->empty()) {
        if (*status == "open") {
          where += " AND c.state NOT IN ('closed', 'void', 'not_filed')";
        } else if (*status == "closed") {
          where += " AND c.state IN ('closed', 'void', 'not_filed')";
        } else {
          return Error(format, 400, "status must be open or closed / status 只能是 open 或 closed");
        }
      }
    }
    auto conn = cases_.db().Acquire();
    json::array items;
    std::map<std::string, std::string> names;
    for (const auto& v : CategoryItems())
      names[std::string(v.as_object().at("code").as_string())] = std::string(v.as_object().at("name").as_string());
    for (const auto& row : conn->Query(
             "SELECT c.id, c.state, c.category_code, c.description, COALESCE(d.name, o.name), c.reported_at, c.updated_at,"
             " c.step_due_at, c.address, c.lat, c.lng FROM cases c"
             " LEFT JOIN departments d ON c.owner_kind = 'department' AND d.code = c.owner_code"
             " LEFT JOIN areas o ON c.owner_kind = 'neighborhood' AND o.code = c.owner_code" + where +
                 " ORDER BY c.id DESC LIMIT 1000",
             params)) {
      items.push_back({{"service_request_id", std::to_string(row.Int(0))},
                       {"status", StatusOf(row.Text(1))},
                       {"status_notes", StatusNote(row.Text(1))},
                       {"service_name", names[row.Text(2)]},
                       {"service_code", row.Text(2)},
                       {"description", row.Text(3)},
                       {"agency_responsible", row.Text(4)},
                       {"service_notice", ""},
                       {"requested_datetime", W3cTime(row.Text(5))},
                       {"updated_datetime", W3cTime(row.Text(6))},
                       {"expected_datetime", row.IsNull(7) ? json::value(nullptr) : json::value(W3cTime(row.Text(7)))},
                       {"address", row.Text(8)},
                       {"address_id", nullptr},
                       {"zipcode", nullptr},
                       {"lat", row.IsNull(9) ? json::value(nullptr) : json::value(row.Real(9))},
                       {"long", row.IsNull(10) ? json::value(nullptr) : json::value(row.Real(10))},
                       {"media_url", nullptr}});
    }
    if (only_id && items.empty()) return Error(format, 404, "service_request_id not found / 没有这个编号");
    return Answer(format, items, "service_requests", "request");
  }

  http::Response Token(Format format, const std::string& token) {
    if (!token.starts_with("tok-") || token.size() > 22 || token.size() < 5 ||
        !std::all_of(token.begin() + 4, token.end(), ::isdigit)) {
      return Error(format, 404, "token not found / 没有这个 token");
    }
    std::string id = token.substr(4);
    auto conn = cases_.db().Acquire();
    if (conn->Query("SELECT 1 FROM cases WHERE id = ? AND source = 'open311'", {std::stoll(id)}).empty()) {
      return Error(format, 404, "token not found / 没有这个 token");
    }
    return Answer(format, json::array{json::object{{"service_request_id", id}, {"token", token}}}, "service_requests",
                  "request");
  }

 private:
  json::array CategoryItems() const { return cases_.Categories().at("items").as_array(); }

  static json::object Service(const json::object& c) {
    return {{"service_code", c.at("code")},
            {"service_name", c.at("name")},
            {"description", json::string(std::string(c.at("name").as_string()) + " / " + std::string(c.at("name_en").as_string()))},
            {"metadata", false},
            {"type", "realtime"},
            {"keywords", c.at("major")},
            {"group", c.at("family")}};
  }

  // Open311 posts carry no title: the service's name stands in.
  Report WithTitle(Report r) const {
    for (const auto& v : CategoryItems())
      if (v.as_object().at("code").as_string() == r.category_code) r.title = std::string(v.as_object().at("name").as_string());
    if (r.title.empty()) r.title = r.category_code;
    return r;
  }

  std::optional<Principal> ClientOf(const std::string& key, const std::string& remote) {
    if (key.empty() || key.size() > 200) return std::nullopt;
    auto conn = cases_.db().Acquire();
    store::Rows rows = conn->Query(
        "SELECT a.id, a.username, a.display_name, a.role, a.area_code, ar.path, k.loopback_only FROM open311_keys k"
        " JOIN accounts a ON a.id = k.account_id JOIN areas ar ON ar.code = a.area_code WHERE k.key_hash = ? AND a.locked = 0",
        {Sha256Hex(key)});
    if (rows.empty()) return std::nullopt;
    bool loopback = remote == "127.0.0.1" || remote == "::1" || remote.starts_with("127.") || remote == "::ffff:127.0.0.1";
    if (rows[0].Int(6) != 0 && !loopback) return std::nullopt;
    Principal p;
    p.account_id = rows[0].Int(0);
    p.username = rows[0].Text(1);
    p.display_name = rows[0].Text(2);
    p.role = rows[0].Text(3);
    p.area_code = rows[0].Text(4);
    p.area_path = rows[0].Text(5);
    return p;
  }

  CaseService& cases_;
};

}  // namespace

void AddOpen311Routes(http::Router& router, CaseService& cases) {
  auto api = std::make_shared<Open311>(cases);
  const http::RouteOptions open{.public_route = true};
  // Every endpoint's last segment carries the format: one route per shape of path.
  auto formatted = [](const std::string& segment, auto fn) -> Result<http::Response> {
    auto split = SplitFormat(segment);
    if (!split) return Error(Format::kJson, 404, "use the .json or .xml form of this endpoint / 请使用 .json 或 .xml");
    return fn(split->first, split->second);
  };
  router.Add("GET", "/open311/v2/{resource}", open, [api, formatted](http::Context& ctx) {
    return formatted(ctx.request.params.at("resource"), [&](const std::string& name, Format f) -> Result<http::Response> {
      if (name == "discovery") return api->Discovery(f, ctx.request);
      if (name == "services") return api->Services(f);
      if (name == "requests") return api->Requests(f, ctx.request, std::nullopt);
      return Error(f, 404, "no such endpoint / 没有这个接口");
    });
  });
  router.Add("POST", "/open311/v2/{resource}", {.public_route = true, .body_limit = 64 * 1024},
             [api, formatted](http::Context& ctx) {
               return formatted(ctx.request.params.at("resource"), [&](const std::string& name, Format f) -> Result<http::Response> {
                 if (name != "requests") return Error(f, 404, "no such endpoint / 没有这个接口");
                 return api->Post(f, ctx.request);
               });
             });
  router.Add("GET", "/open311/v2/services/{service}", open, [api, formatted](http::Context& ctx) {
    return formatted(ctx.request.params.at("service"),
                     [&](const std::string& code, Format f) -> Result<http::Response> { return api->ServiceDefinition(f, code); });
  });
  router.Add("GET", "/open311/v2/requests/{request}", open, [api, formatted](http::Context& ctx) {
    return formatted(ctx.request.params.at("request"), [&](const std::string& id, Format f) -> Result<http::Response> {
      return api->Requests(f, ctx.request, id);
    });
  });
  router.Add("GET", "/open311/v2/tokens/{token}", open, [api, formatted](http::Context& ctx) {
    return formatted(ctx.request.params.at("token"),
                     [&](const std::string& token, Format f) -> Result<http::Response> { return api->Token(f, token); });
  });
}

}  // namespace shequ::cases
