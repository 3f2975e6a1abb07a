#pragma once
// Who is calling: the signed-in account as the rest of the code sees it.
#include <string>
#include <vector>

namespace shequ {

struct Principal {
  int64_t account_id = 0;
  std::string username;
  std::string display_name;
  std::string role;
  std::string area_code;
  std::string area_path;  // materialized path of the account's area: its scope
  std::vector<std::string> permissions;
  int64_t person_id = 0;  // a resident's own record in the registry; 0 when not known
  int64_t session_id = 0;
  std::string csrf_token;
  bool via_cookie = false;  // cookie sessions need a CSRF token on unsafe requests

  bool Can(std::string_view permission) const {
    for (const auto& p : permissions)
      if (p == permission) return true;
    return false;
  }
};

// A principal acting in one request: what domain services take, so that
// their audit rows carry the request's id.
struct Caller {
  const Principal& who;
  std::string request_id;
};

}  // namespace shequ
