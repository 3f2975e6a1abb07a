#include "services/text.h"

extern "C" {
#include <friso/friso.h>
}
#include <opencc/opencc.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/status.h"

namespace shequ::services {
namespace {

// Decodes one UTF-8 code point at `i`; 0 for a malformed byte (skipped).
char32_t Next(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
  if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) {
    ++i;
    return 0;
  }
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += extra + 1;
  return cp;
}

void Append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Letters, digits and CJK ideographs are kept; everything else separates words.
bool IsWordCharacter(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 0x3400 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

std::string Folded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = Next(text, i);
    if (cp == 0) continue;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width forms
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    if (!IsWordCharacter(cp)) cp = ' ';
    if (cp == ' ' && (out.empty() || out.back() == ' ')) continue;
    Append(out, cp);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string ToSimplified(const std::string& text) {
  static opencc_t converter = [] {
    opencc_t c = opencc_open("t2s.json");
    if (c == reinterpret_cast<opencc_t>(-1)) throw SystemError("OpenCC: cannot open t2s.json (package libopencc1.1 / opencc data)");
    return c;
  }();
  static std::mutex mutex;  // OpenCC's converters are not documented as thread-safe
  std::lock_guard lock(mutex);
  char* converted = opencc_convert_utf8(converter, text.c_str(), text.size());
  if (converted == nullptr) return text;
  std::string out(converted);
  opencc_convert_utf8_free(converted);
  return out;
}

}  // namespace

std::string Normalize(std::string_view text) { return Folded(ToSimplified(Folded(text))); }

std::vector<std::string> Characters(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = Next(text, i);
    if (cp == 0) continue;
    std::string c;
    Append(c, cp);
    out.push_back(std::move(c));
  }
  return out;
}

struct Segmenter::Friso {
  friso_t friso = nullptr;
  friso_config_t config = nullptr;
};

Segmenter::Segmenter(std::vector<std::string> vocabulary) : vocabulary_(std::move(vocabulary)) {}

Segmenter::~Segmenter() {
  if (friso_) {
    friso_free(friso_->friso);
    free(friso_->config);  // a plain malloc'd struct: libfriso exports no friso_free_config
    delete friso_;
  }
}

void Segmenter::Load() const {
  std::call_once(loaded_, [this] {
    auto f = std::make_unique<Friso>();
    f->friso = friso_new();
    f->config = friso_new_config();
    // The ini of Debian's libfriso0 points at friso-dict's UTF-8 lexicons.
    if (friso_init_from_ifile(f->friso, f->config, const_cast<char*>("/etc/friso/friso.ini")) != 1) {
      friso_free(f->friso);
      free(f->config);
      throw SystemError("friso: cannot load /etc/friso/friso.ini (packages libfriso0 and friso-dict)");
    }
    friso_set_mode(f->config, __FRISO_COMPLEX_MODE__);
    for (const std::string& word : vocabulary_) {
      if (friso_dic_match(f->friso->dic, __LEX_CJK_WORDS__, const_cast<char*>(word.c_str()))) continue;
      // friso keeps the pointer: the dictionary owns this copy until friso_free.
      friso_dic_add_with_fre(f->friso->dic, __LEX_CJK_WORDS__, strdup(word.c_str()), nullptr, 1000);
    }
    friso_ = f.release();
  });
}

std::vector<std::string> Segmenter::Words(std::string_view normalized) const {
  Load();
  std::vector<std::string> words;
  std::string text(normalized);
  std::lock_guard lock(mutex_);
  friso_task_t task = friso_new_task();
  friso_set_text(task, text.data());
  while (friso_->config->next_token(friso_->friso, friso_->config, task) != nullptr) words.emplace_back(task->token->word);
  friso_free_task(task);
  return words;
}

}  // namespace shequ::services
