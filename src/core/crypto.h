#pragma once
// Thin wrappers over libsodium for the few primitives the core needs.
#include <optional>
#include <string>
#include <string_view>

namespace shequ {

// Must run once before any other function here (sodium_init); safe to repeat.
void InitCrypto();
// `bytes` random bytes as unpadded base64url.
std::string RandomToken(size_t bytes = 32);
// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view data);
// Standard base64 with padding, for binary content kept in TEXT columns.
std::string ToBase64(std::string_view bytes);
// nullopt when `text` is not standard base64.
std::optional<std::string> FromBase64(std::string_view text);
// Compares without leaking where the first difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace shequ
