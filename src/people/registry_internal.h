#pragma once
// Shared by the registry's own files only; not part of the module's interface.
#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "people/people.h"

namespace shequ::people::internal {

struct CareTagInfo {
  std::string_view code;
  bool sensitive;  // shown only to roles with person.sensitive (PIPL sensitive information)
};
const std::vector<CareTagInfo>& CareTags();
const CareTagInfo* FindCareTag(std::string_view code);


// Active care tags of `person_ids`, by person, without sensitive ones unless allowed.
std::map<int64_t, std::vector<std::string>> ActiveCareTags(store::Connection& conn,
                                                           const std::vector<int64_t>& person_ids,
                                                           bool include_sensitive);
boost::json::array ToArray(const std::vector<std::string>& values);

// The area's materialized path if `code` lies inside `scope`.
std::optional<std::string> AreaPathInScope(store::Connection& conn, const store::Scope& scope,
                                           const std::string& code);

// Appends "AND <path_column> in the subtree of filters[area]" when an area filter is given;
// a code outside the scope is not-found.
Status AddAreaFilter(store::Connection& conn, const store::Scope& scope, const Filters& filters,
                     std::string_view path_column, std::string& where, store::Params& params);

// A list page from `select` (columns) + `from_where` (FROM … WHERE …) + order.
struct Page {
  store::Rows rows;
  int64_t total;
};
Page RunPage(store::Connection& conn, std::string_view select, const std::string& from_where,
             std::string_view order_by, const store::Params& params, const Paging& paging);

Status NotFound(std::string_view what_zh, std::string_view what_en);

// A person as entered (API body or import row), and the checks every entry
// path shares: the document, sex and birth date agreeing with it, phone, hukou.
struct PersonInput {
  std::string name, document_type, document_number, sex, birth_date, phone, hukou, ethnicity, area_code;
};
// Normalises (upper-case document number, digits-only phone, sex and birth
// date derived from the document when not given) and validates.
Result<PersonInput> CheckPerson(PersonInput in, std::string_view today);
// A phone as stored: sealed, its lookup hash and its masked form; all NULL for no phone.
struct StoredPhone {
  store::Value sealed, hash, masked;
};
StoredPhone StorePhone(const Vault& vault, const std::string& digits);
// The columns of a new person row and its values (document and phone sealed),
// shared by the single insert and the import's bulk insert.
const std::vector<std::string>& PersonColumns();
store::Params PersonValues(const Vault& vault, const PersonInput& in, const std::string& document_hash,
                           const std::string& area_path, const std::string& now);
// REQUIRES: a write transaction; `in` passed CheckPerson; no person has its
// document, whose lookup hash (computed by the caller's duplicate check) is `document_hash`.
int64_t InsertPerson(store::Connection& conn, const Vault& vault, const PersonInput& in, const std::string& document_hash,
                     const std::string& area_path, const std::string& now);
std::string DigitsOnly(std::string_view phone);
Status CheckEnum(std::string_view field, const std::string& value, std::initializer_list<std::string_view> allowed);

}  // namespace shequ::people::internal
