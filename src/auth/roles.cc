#include "auth/auth.h"

namespace shequ::auth {

const std::vector<RoleInfo>& Roles() {
  static const std::vector<RoleInfo> roles = {
      {"district_admin", "district",
       {"area.read", "audit.read", "account.manage", "registry.read", "registry.import", "export.approve"}},
      {"subdistrict_admin", "subdistrict",
       {"area.read", "account.manage", "registry.read", "registry.write", "person.unmask",
        "person.sensitive", "registry.import", "export.approve"}},
      {"neighborhood_worker", "neighborhood",
       {"area.read", "registry.read", "registry.write", "person.unmask", "person.sensitive",
        "registry.import"}},
      {"grid_worker", "grid", {"area.read", "registry.read", "registry.write"}},
      {"department_staff", "", {"area.read"}},  // bound to the area the department serves
      {"auditor", "", {"area.read", "audit.read"}},
      {"resident", "", {}},
  };
  return roles;
}

const RoleInfo* FindRole(std::string_view name) {
  for (const auto& role : Roles())
    if (role.name == name) return &role;
  return nullptr;
}

std::vector<std::string> PermissionsOf(std::string_view role) {
  const RoleInfo* info = FindRole(role);
  if (info == nullptr) return {};
  return {info->permissions.begin(), info->permissions.end()};
}

}  // namespace shequ::auth
