#pragma once
// The caller's territory. Every record of the platform belongs to a node of
// the territory tree and carries that node's materialized path
// ("/310105/310105002/310105002001/"); every store query of such records
// limits them with a Scope, so no handler can forget the check.
#include <string>
#include <string_view>

#include "store/database.h"

namespace shequ::store {

// "?,?,?" for `ids`, whose values are appended to `params`: for `IN (...)`.
std::string InList(const std::vector<int64_t>& ids, Params& params);
std::string InList(const std::vector<std::string>& keys, Params& params);

// `LIKE ?` + kLikeEscape with LikeContains(text) finds `text` anywhere, its
// %, _ and \ taken literally.
std::string LikeContains(std::string_view text);
inline constexpr std::string_view kLikeEscape = " ESCAPE '\\'";

class Scope {
 public:
  // The subtree whose root has materialized path `path`.
  static Scope Subtree(std::string path) { return Scope(std::move(path)); }
  // The whole deployment: only for the command line and system jobs.
  static Scope Everything() { return Scope("/"); }

  // An SQL condition limiting `path_column` to this subtree, and its
  // parameters appended to `params`. A byte range rather than LIKE, so it uses
  // the index on both stores (paths hold only digits and '/').
  std::string Filter(std::string_view path_column, Params& params) const;
  bool Contains(std::string_view path) const { return path.starts_with(root_); }
  const std::string& root() const { return root_; }

 private:
  explicit Scope(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace shequ::store
