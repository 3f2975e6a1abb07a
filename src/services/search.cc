#include "services/search.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "core/markup.h"

namespace shequ::services {
namespace json = boost::json;

namespace {

// How much a match in each field counts: name and 俗称, summary, groups,
// eligibility, materials, steps and the rest.
constexpr std::array<double, 6> kFieldWeight = {3.0, 2.0, 1.0, 1.0, 0.6, 0.4};
constexpr double kK1 = 1.2, kB = 0.75;
// Words that carry the shape of a question, not what it is about.
const std::set<std::string> kStopwords = {
    "我", "我们", "你", "他", "她", "想", "要", "去", "哪里", "哪儿", "什么", "怎么", "怎样", "怎么办", "如何", "可以", "能",
    "能不能", "吗", "呢", "吧", "啊", "的", "了", "个", "找", "找谁", "谁", "哪", "多少", "需要", "请问", "一下", "有",
    "没有", "是", "在", "给", "让", "和", "跟", "还", "就", "都", "也", "这", "那", "这个", "那个", "里", "该", "得", "么"};

std::string Join(const json::value* v, const char* separator = " ") {
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->as_string());
  std::string out;
  if (v->is_array()) {
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) continue;
      if (!out.empty()) out += separator;
      out += item.as_string();
    }
  }
  return out;
}


size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void AddTerm(std::vector<QueryTerm>& terms, const std::string& term, double weight, const std::string& origin) {
  for (QueryTerm& t : terms) {
    if (t.term == term) {
      if (weight > t.weight) t = {term, weight, origin};
      return;
    }
  }
  terms.push_back({term, weight, origin});
}

}  // namespace

Synonyms ParseSynonyms(std::string_view tsv) {
  Synonyms out;
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = std::min(tsv.find('\n', start), tsv.size());
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) continue;
    out.emplace(Normalize(line.substr(0, tab)), Normalize(line.substr(tab + 1)));
  }
  return out;
}

GuideIndex::GuideIndex(std::vector<Guide> guides, const Segmenter& segmenter, Synonyms synonyms)
    : guides_(std::move(guides)), segmenter_(segmenter), synonyms_(std::move(synonyms)) {
  std::array<double, kFields> total{};
  for (size_t g = 0; g < guides_.size(); ++g) {
    by_code_[guides_[g].code] = g;
    std::array<Field, kFields> fields = FieldsOf(guides_[g]);
    std::array<std::map<std::string, int>, kFields> tf;
    std::array<int, kFields> length{};
    std::set<std::string> seen;
    std::array<std::string, kFields> texts;
    for (int f = 0; f < kFields; ++f) {
      texts[f] = fields[f].text;
      for (const std::string& w : fields[f].words) {
        ++tf[f][w];
        seen.insert(w);
      }
      length[f] = static_cast<int>(fields[f].words.size());
      total[f] += length[f];
    }
    for (const std::string& w : seen) ++df_[w];
    tf_.push_back(std::move(tf));
    texts_.push_back(std::move(texts));
    length_.push_back(length);
  }
  for (const auto& [word, df] : df_) by_length_[CharCount(word)].emplace_back(Characters(word), word);
  for (const auto& [colloquial, meaning] : synonyms_) {
    std::vector<std::string> words = segmenter_.Words(meaning);
    std::erase_if(words, [](const std::string& w) { return w == " " || kStopwords.contains(w); });
    expansions_.emplace_back(colloquial, std::move(words));
  }
  for (int f = 0; f < kFields; ++f) average_length_[f] = guides_.empty() ? 1 : std::max(1.0, total[f] / guides_.size());
}

const Guide* GuideIndex::Find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &guides_[it->second];
}

std::vector<std::string> GuideIndex::Words(std::string_view text) const {
  std::vector<std::string> words = segmenter_.Words(Normalize(text));
  std::erase_if(words, [](const std::string& w) { return w == " " || w.empty(); });
  return words;
}

std::array<GuideIndex::Field, GuideIndex::kFields> GuideIndex::FieldsOf(const Guide& guide) const {
  const json::object& b = guide.body;
  std::array<std::string, kFields> texts = {
      guide.name + " " + Join(b.if_contains("also_known_as")),
      Join(b.if_contains("summary")),
      guide.category + " " + Join(b.if_contains("target_groups")),
      Join(b.if_contains("eligibility")),
      Join(b.if_contains("materials"), "；"),
      Join(b.if_contains("steps"), "；") + " " + Join(b.if_contains("where")) + " " + Join(b.if_contains("fee")) + " " +
          Join(b.if_contains("legal_basis")) + " " + Join(b.if_contains("name_en"))};
  std::array<Field, kFields> fields;
  for (int f = 0; f < kFields; ++f) fields[f] = {Words(texts[f]), texts[f]};
  return fields;
}

std::string GuideIndex::IndexTerms(const Guide& guide) const {
  std::set<std::string> words;
  for (const Field& f : FieldsOf(guide)) words.insert(f.words.begin(), f.words.end());
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<QueryTerm> GuideIndex::Terms(std::string_view question) const {
  std::string normalized = Normalize(question);
  std::vector<std::string> words = segmenter_.Words(normalized);
  std::erase_if(words, [](const std::string& w) { return w == " " || w.empty(); });
  std::vector<QueryTerm> terms;
  std::vector<std::string> split;  // neighbouring pieces the dictionary could not join: often a typo
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!kStopwords.contains(w)) AddTerm(terms, w, CharCount(w) == 1 ? 0.3 : 1.0, w);
    // Two or three neighbouring pieces, one of them a lone character, of 2-4 characters in all:
    // a word the dictionary lacks (长护险) or one with a wrong character (敬老咔).
    std::string joined = w;
    bool has_single = CharCount(w) == 1;
    for (size_t j = i + 1; j < words.size() && j < i + 3 && !kStopwords.contains(w); ++j) {
      if (kStopwords.contains(words[j])) break;
      joined += words[j];
      has_single |= CharCount(words[j]) == 1;
      size_t length = CharCount(joined);
      if (!has_single || length < 2 || length > 4) continue;
      if (df_.contains(joined)) {
        AddTerm(terms, joined, 0.8, joined);
      } else {
        split.push_back(joined);
      }
    }
  }
  // Colloquial terms anywhere in the question bring in what they mean.
  for (const auto& [colloquial, meaning] : expansions_) {
    if (normalized.find(colloquial) == std::string::npos) continue;
    for (const std::string& w : meaning) AddTerm(terms, w, 0.9, colloquial);
  }
  // One wrong character in joined pieces: index words that differ in one place, those that keep
  // the first character first (低宝 → 低保 before 宝宝), then the commoner ones.
  for (const std::string& pair : split) {
    std::vector<std::string> chars = Characters(pair);
    std::vector<std::tuple<bool, int, std::string>> near;
    auto same_length = by_length_.find(chars.size());
    if (same_length == by_length_.end()) continue;
    for (const auto& [other, indexed] : same_length->second) {
      int differ = 0;
      for (size_t k = 0; k < chars.size() && differ < 2; ++k) differ += chars[k] != other[k];
      if (differ == 1) near.emplace_back(other[0] == chars[0], df_.at(indexed), indexed);
    }
    std::sort(near.begin(), near.end(), std::greater<>());
    for (size_t k = 0; k < near.size() && k < 2; ++k)
      AddTerm(terms, std::get<2>(near[k]), std::get<0>(near[k]) ? 0.7 : 0.35, pair);
  }
  return terms;
}

std::vector<Hit> GuideIndex::Rank(const std::vector<QueryTerm>& terms, const std::vector<std::string>& candidates,
                                  size_t limit) const {
  std::vector<size_t> pool;
  if (candidates.empty()) {
    for (size_t g = 0; g < guides_.size(); ++g) pool.push_back(g);
  } else {
    for (const std::string& code : candidates)
      if (auto it = by_code_.find(code); it != by_code_.end()) pool.push_back(it->second);
  }
  double n = static_cast<double>(guides_.size());
  std::vector<std::pair<double, size_t>> scored;
  for (size_t g : pool) {
    double score = 0;
    for (const QueryTerm& t : terms) {
      auto df = df_.find(t.term);
      if (df == df_.end()) continue;
      double idf = std::log(1 + (n - df->second + 0.5) / (df->second + 0.5));
      double field_sum = 0;
      for (int f = 0; f < kFields; ++f) {
        auto tf = tf_[g][f].find(t.term);
        if (tf == tf_[g][f].end()) continue;
        double norm = kK1 * (1 - kB + kB * length_[g][f] / average_length_[f]);
        field_sum += kFieldWeight[f] * tf->second * (kK1 + 1) / (tf->second + norm);
      }
      score += t.weight * idf * field_sum;
    }
    if (score > 0) scored.emplace_back(score, g);
  }
  // Ties go to the lower code, so the order never depends on the database.
  std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : guides_[a.second].code < guides_[b.second].code;
  });
  std::vector<Hit> hits;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) {
    size_t g = scored[i].second;
    hits.push_back({&guides_[g], std::round(scored[i].first * 1000) / 1000, Highlight(g, terms), Coverage(g, terms)});
  }
  return hits;
}

double GuideIndex::Coverage(size_t guide, const std::vector<QueryTerm>& terms) const {
  auto matched = [&](const std::string& term) {
    for (int f = 0; f < kFields; ++f)
      if (tf_[guide][f].contains(term)) return true;
    return false;
  };
  double total = 0, covered = 0;
  for (const QueryTerm& own : terms) {
    if (own.origin != own.term || own.weight < 1.0) continue;  // the question's own words of 2+ characters
    double chars = static_cast<double>(CharCount(own.term));
    total += chars;
    bool hit = matched(own.term);
    for (const QueryTerm& derived : terms) {
      if (hit) break;
      bool related = derived.origin != derived.term && (derived.origin.find(own.term) != std::string::npos ||
                                                         own.term.find(derived.origin) != std::string::npos);
      hit = related && matched(derived.term);
    }
    covered += hit ? chars : 0;
  }
  return total == 0 ? 0 : covered / total;
}

std::string GuideIndex::Highlight(size_t guide, const std::vector<QueryTerm>& terms) const {
  const std::array<std::string, kFields>& texts = texts_[guide];
  // The passage that holds the most of the question's words (of two characters or more).
  int best = 1, best_matches = -1;
  for (int f = 1; f < kFields; ++f) {
    int matches = 0;
    for (const QueryTerm& t : terms)
      matches += CharCount(t.term) >= 2 && texts[f].find(t.term) != std::string::npos;
    if (matches > best_matches) best = f, best_matches = matches;
  }
  const std::string& text = texts[best];
  size_t first = std::string::npos;
  for (const QueryTerm& t : terms)
    if (CharCount(t.term) >= 2) first = std::min(first, text.find(t.term));
  // About 80 characters from a little before the first match.
  std::vector<std::string> chars = Characters(text);
  size_t start_char = 0;
  if (first != std::string::npos) start_char = std::max<int>(0, static_cast<int>(CharCount(text.substr(0, first))) - 10);
  std::string window;
  for (size_t k = start_char; k < chars.size() && k < start_char + 80; ++k) window += chars[k];
  std::string out = start_char > 0 ? "…" : "";
  for (size_t i = 0; i < window.size();) {
    size_t longest = 0;
    for (const QueryTerm& t : terms)
      if (CharCount(t.term) >= 2 && window.compare(i, t.term.size(), t.term) == 0) longest = std::max(longest, t.term.size());
    if (longest > 0) {
      out += "<mark>" + EscapeMarkup(window.substr(i, longest)) + "</mark>";
      i += longest;
    } else {
      out += EscapeMarkup(window.substr(i, 1));
      ++i;
    }
  }
  if (start_char + 80 < chars.size()) out += "…";
  return out;
}

}  // namespace shequ::services
