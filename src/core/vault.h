#pragma once
// Personal data at rest: document numbers and phones are sealed with a key
// kept outside the database (a key file), and found again through a keyed
// hash, so a copy of the database alone reveals neither.
#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace shequ {

class Vault {
 public:
  // Reads the key file at `path`, creating it (mode 0600, random keys) when it
  // does not exist. Two processes starting at once end up with the same key.
  // Throws SystemError when the file cannot be read or written.
  static std::unique_ptr<Vault> OpenOrCreate(const std::string& path);
  // For tests: keys derived from a fixed seed.
  static std::unique_ptr<Vault> ForTesting();

  // base64 of nonce + XSalsa20-Poly1305 ciphertext.
  std::string Seal(std::string_view plaintext) const;
  // Throws SystemError when `sealed` was not made with this key or was altered.
  std::string Open(std::string_view sealed) const;
  // Hex keyed BLAKE2b: equal inputs give equal hashes under one key, nothing else.
  std::string LookupHash(std::string_view plaintext) const;

 private:
  static constexpr size_t kKeyBytes = 32;
  Vault(const unsigned char* seal_key, const unsigned char* hash_key);
  std::array<unsigned char, kKeyBytes> seal_key_;
  std::array<unsigned char, kKeyBytes> hash_key_;
};

}  // namespace shequ
