#pragma once
// Chinese text as residents type it, made comparable: full-width forms and
// Traditional characters folded, punctuation dropped, and split into words
// with friso's dictionary (Debian's friso-dict) plus the project's own
// vocabulary of service terms.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace shequ::services {

// Full-width ASCII and the ideographic space folded to ASCII, ASCII letters
// lower-cased, Traditional folded to Simplified (OpenCC t2s), and every
// punctuation or symbol turned into a space. Invalid UTF-8 bytes are dropped.
std::string Normalize(std::string_view text);

// Words of normalized text. Thread-safe; the dictionaries load on first use
// (about a quarter of a second).
class Segmenter {
 public:
  // `vocabulary`: extra words the dictionary must know (service names' parts, 俗称).
  explicit Segmenter(std::vector<std::string> vocabulary);
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  std::vector<std::string> Words(std::string_view normalized) const;

 private:
  void Load() const;

  std::vector<std::string> vocabulary_;
  mutable std::once_flag loaded_;
  mutable std::mutex mutex_;
  struct Friso;
  mutable Friso* friso_ = nullptr;
};

// The UTF-8 characters of `text`, each as its own string.
std::vector<std::string> Characters(std::string_view text);

}  // namespace shequ::services
