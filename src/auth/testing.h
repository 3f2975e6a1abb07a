#pragma once
// Test helper: an account of the database as the rest of the code sees its caller.
#include <string>

#include "auth/auth.h"

namespace shequ::auth::testing {

// The Principal of `username` (its id, role, area, display name and the
// role's permissions); no session. REQUIRES: the account exists.
inline Principal PrincipalOf(store::Database& db, const std::string& username) {
  store::Row r = db.Acquire()->Query(
      "SELECT a.id, a.role, a.area_code, ar.path, a.display_name FROM accounts a JOIN areas ar ON ar.code = a.area_code"
      " WHERE username = ?",
      {username})[0];
  Principal p;
  p.account_id = r.Int(0);
  p.username = username;
  p.role = r.Text(1);
  p.area_code = r.Text(2);
  p.area_path = r.Text(3);
  p.display_name = r.Text(4);
  p.permissions = PermissionsOf(p.role);
  return p;
}

}  // namespace shequ::auth::testing
