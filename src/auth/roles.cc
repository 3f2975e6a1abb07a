#include "auth/auth.h"

namespace shequ::auth {

const std::vector<RoleInfo>& Roles() {
  static const std::vector<RoleInfo> roles = {
      {"district_admin", "district",
       {"area.read", "audit.read", "account.manage", "registry.read", "registry.import", "export.approve",
        "case.read", "case.report", "case.admin", "case.indicators", "service.admin",
        "application.handle"}},
      {"subdistrict_admin", "subdistrict",
       {"area.read", "account.manage", "registry.read", "registry.write", "person.unmask",
        "person.sensitive", "registry.import", "export.approve", "case.read", "case.report", "case.indicators",
        "service.doorstep", "application.handle"}},
      {"neighborhood_worker", "neighborhood",
       {"area.read", "registry.read", "registry.write", "person.unmask", "person.sensitive",
        "registry.import", "case.read", "case.report", "service.doorstep", "application.apply",
        "application.handle"}},
      {"grid_worker", "grid",
       {"area.read", "registry.read", "registry.write", "case.read", "case.report", "application.apply"}},
      {"dispatcher", "subdistrict", {"area.read", "case.read", "case.report", "case.indicators"}},
      {"department_staff", "", {"area.read", "case.read", "case.indicators"}},  // bound to the area the department serves
      {"hotline_operator", "", {"area.read", "case.read", "case.report"}},
      {"auditor", "", {"area.read", "audit.read", "case.indicators"}},
      {"resident", "", {"case.read", "case.report", "application.apply"}},
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
