#include "core/vault.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/status.h"

namespace shequ {
namespace {

constexpr size_t kFileBytes = 64;  // seal key + hash key

std::string ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != kFileBytes) {
    throw SystemError("key file " + path + " is damaged: expected " + std::to_string(kFileBytes) +
                      " bytes, found " + std::to_string(bytes.size()));
  }
  return bytes;
}

// Writes a fresh key to a private temporary file and links it into place:
// link() fails when another process got there first, and then its key wins.
void CreateKeyFile(const std::string& path) {
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  std::string temp = path + ".new." + std::to_string(getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw SystemError("cannot create key file " + temp);
  unsigned char key[kFileBytes];
  randombytes_buf(key, sizeof key);
  bool written = ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
  sodium_memzero(key, sizeof key);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    throw SystemError("cannot write key file " + temp);
  }
  int linked = ::link(temp.c_str(), path.c_str());
  ::unlink(temp.c_str());
  if (linked != 0 && errno != EEXIST) throw SystemError("cannot create key file " + path);
}

}  // namespace

std::unique_ptr<Vault> Vault::OpenOrCreate(const std::string& path) {
  InitCrypto();
  if (!std::filesystem::exists(path)) CreateKeyFile(path);
  std::string bytes = ReadKeyFile(path);
  auto raw = reinterpret_cast<const unsigned char*>(bytes.data());
  auto vault = std::unique_ptr<Vault>(new Vault(raw, raw + kKeyBytes));
  sodium_memzero(bytes.data(), bytes.size());
  return vault;
}

std::unique_ptr<Vault> Vault::ForTesting() {
  InitCrypto();
  unsigned char keys[kFileBytes];
  for (size_t i = 0; i < kFileBytes; ++i) keys[i] = static_cast<unsigned char>(i * 7 + 1);
  return std::unique_ptr<Vault>(new Vault(keys, keys + kKeyBytes));
}

Vault::Vault(const unsigned char* seal_key, const unsigned char* hash_key) {
  std::copy(seal_key, seal_key + kKeyBytes, seal_key_.begin());
  std::copy(hash_key, hash_key + kKeyBytes, hash_key_.begin());
}

std::string Vault::Seal(std::string_view plaintext) const {
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), out,
                        seal_key_.data());
  std::string encoded(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), out, box.size(), sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encoded.size() - 1);  // the terminating NUL
  return encoded;
}

std::string Vault::Open(std::string_view sealed) const {
  std::string box(sealed.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), sealed.data(),
                        sealed.size(), nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    throw SystemError("sealed value is not valid base64");
  }
  auto in = reinterpret_cast<const unsigned char*>(box.data());
  std::string plain(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 in + crypto_secretbox_NONCEBYTES, length - crypto_secretbox_NONCEBYTES,
                                 in, seal_key_.data()) != 0) {
    throw SystemError("sealed value does not open with this key (wrong key file, or altered)");
  }
  return plain;
}

std::string Vault::LookupHash(std::string_view plaintext) const {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(plaintext.data()),
                     plaintext.size(), hash_key_.data(), hash_key_.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, sizeof digest * 2);
}

}  // namespace shequ
