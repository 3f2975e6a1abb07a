#include <sodium.h>

#include "auth/auth.h"
#include "core/json_input.h"

namespace shequ::auth {

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw SystemError("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Status CheckPasswordPolicy(std::string_view username, std::string_view password) {
  auto fail = [](Text message) { return Status::Invalid("password", std::move(message)); };
  if (Utf8Length(password) < 10 || password.size() > 256) {
    return fail({"密码长度应为 10 到 256 个字符", "The password must be 10 to 256 characters long"});
  }
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    other |= !std::isalnum(c);
  }
  if (lower + upper + digit + other < 3) {
    return fail({"密码需包含小写字母、大写字母、数字、符号中的至少三类",
                 "The password needs three of: lower-case, upper-case, digits, symbols"});
  }
  if (password == username) return fail({"密码不能与用户名相同", "The password must differ from the username"});
  if (password == kDemoPassword) {
    return fail({"不能使用演示密码", "The demo password cannot be used"});
  }
  return Status::Ok();
}

}  // namespace shequ::auth
