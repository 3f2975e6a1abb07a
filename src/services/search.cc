#include "services/search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "core/markup.h"

namespace shequ::services {
namespace json = boost::json;

namespace {

// How much a match in each field counts: name and 俗称, summary, groups,
// eligibility, materials, steps and the rest, situations (the life situations
// in residents' words in which a guide is needed). Who qualifies (eligibility)
// and when a guide is needed (situations) are what residents say most.
constexpr std::array<double, 7> kFieldWeight = {3.0, 2.0, 1.0, 1.5, 0.6, 0.4, 2.0};
constexpr double kK1 = 1.2, kB = 0.75;
// Guides are ordered by BM25 × (kCoverageBase + the share of the question they match) / (kCoverageBase + 1):
// the score is BM25's when a guide matches all of the question, less when it matches a part.
constexpr double kCoverageBase = 0.25;
// A guide whose name or one of whose 俗称 the question says outright scores this much more.
constexpr double kNamedBonus = 0.4;
// Of the terms one part of the question brings in, each after the best counts this much of the one before.
constexpr double kOriginDecay = 0.4;
constexpr size_t kOriginFull = 2;
// Words that carry the shape of a question, not what it is about.
const std::set<std::string> kStopwords = {
    "我", "我们", "你", "他", "她", "想", "要", "去", "哪里", "哪儿", "什么", "怎么", "怎样", "怎么办", "如何", "可以", "能",
    "能不能", "吗", "呢", "吧", "啊", "的", "了", "个", "找", "找谁", "谁", "哪", "多少", "需要", "请问", "一下", "有",
    "没有", "是", "在", "给", "让", "和", "跟", "还", "就", "都", "也", "这", "那", "这个", "那个", "里", "该", "得", "么",
    // …and their spoken forms (Shanghainese too: 哪能 how, 伐 question mark, 啥 what).
    "有没有", "可不可以", "是不是", "会不会", "要不要", "为什么", "什么时候", "怎么弄", "怎么样", "干嘛", "该干嘛",
    "哪能", "伐", "啥", "有啥", "咋", "咋办", "想问", "问下", "问问", "听说", "知道", "不知道", "晓得", "不晓得",
    "在哪", "在哪里", "在哪儿", "好像", "觉得", "真的", "现在", "还能", "还要", "还是", "我能", "那种", "这种",
    // …and of when and where it is asked, which the guides' situations also use (今天就要钱救命).
    "今天", "明天", "昨天", "附近", "哪家", "还有", "多少钱", "少钱"};

// An age in the question (85岁, 我妈85了, 七十了, 八十几岁): a person of 60 or more is an older
// resident, of 80 or more a very old one. Amounts, scores and sizes are not ages.
std::vector<std::string> AgeTerms(const std::string& normalized, std::string& said) {
  std::vector<std::string> chars = Characters(normalized);
  static const std::set<std::string> kNotAge = {"元", "块", "分", "万", "千", "平", "米", "斤", "公", "次", "号", "路",
                                                "天", "个", "年", "月", "楼", "室", "户", "人"};
  static const std::map<std::string, int> kTens = {{"六", 60}, {"七", 70}, {"八", 80}, {"九", 90}};
  // The oldest age said counts (我六十七，想帮九十岁的邻居: a very old resident).
  int age = 0;
  for (size_t i = 0; i < chars.size(); ++i) {
    int value = -1;
    size_t next = i;
    if (chars[i][0] >= '0' && chars[i][0] <= '9') {
      if (i > 0 && chars[i - 1][0] >= '0' && chars[i - 1][0] <= '9') continue;
      value = 0;
      while (next < chars.size() && chars[next].size() == 1 && chars[next][0] >= '0' && chars[next][0] <= '9')
        value = std::min(value * 10 + (chars[next++][0] - '0'), 1000);  // a phone number is no age: stop counting
    } else if (auto tens = kTens.find(chars[i]); tens != kTens.end() && i + 1 < chars.size() && chars[i + 1] == "十") {
      value = tens->second;
      next = i + 2;
      static const std::map<std::string, int> kOnes = {{"一", 1}, {"二", 2}, {"三", 3}, {"四", 4}, {"五", 5},
                                                       {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}};
      if (next < chars.size())
        if (auto ones = kOnes.find(chars[next]); ones != kOnes.end()) value += ones->second, ++next;
    } else if (chars[i] == "一" && i + 1 < chars.size() && chars[i + 1] == "百") {
      value = 100;
      next = i + 2;
    }
    if (value < 60 || value > 115) continue;
    if (next < chars.size() && kNotAge.contains(chars[next])) continue;
    if (value <= age) continue;
    age = value;
    said.clear();
    for (size_t k = i; k < next; ++k) said += chars[k];
    i = next - 1;
  }
  if (age == 0) return {};
  if (age >= 80) return {"老年人", "高龄"};
  return {"老年人"};
}

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

void AddTerm(std::vector<QueryTerm>& terms, const std::string& term, double weight, const std::string& origin,
             bool correction = false, int meaning = 0) {
  for (QueryTerm& t : terms) {
    if (t.term == term) {
      if (weight > t.weight) t = {term, weight, origin, correction, meaning};
      return;
    }
  }
  terms.push_back({term, weight, origin, correction, meaning});
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

namespace {

// Space-separated, as the full-text indexes take them.
std::string JoinWords(const std::set<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

GuideIndex::GuideIndex(std::vector<Guide> guides, const Segmenter& segmenter, Synonyms synonyms)
    : guides_(std::move(guides)), segmenter_(segmenter), synonyms_(std::move(synonyms)) {
  // The service terms the segmenter keeps whole, and the words they may be made of.
  auto term = [&](const std::string& w) {
    if (w.empty() || w.find(' ') != std::string::npos) return;
    if (CharCount(w) >= 2 && !known_.contains(w)) service_.emplace_back(Characters(w), w);
    known_.insert(w);
    if (CharCount(w) >= 3) vocabulary_.insert(w);
  };
  for (const auto& [colloquial, meaning] : synonyms_) term(colloquial);
  for (const Guide& g : guides_) {
    if (const json::value* aka = g.body.if_contains("also_known_as"); aka && aka->is_array()) {
      for (const auto& a : aka->as_array())
        if (a.is_string()) term(Normalize(a.as_string()));
    }
    for (const std::string& text : TextsOf(g))
      for (std::string& w : Words(text)) known_.insert(std::move(w));
  }
  std::array<double, kFields> total{};
  for (size_t g = 0; g < guides_.size(); ++g) {
    by_code_[guides_[g].code] = g;
    std::set<std::string> labels = {Normalize(guides_[g].name)};
    if (const json::value* aka = guides_[g].body.if_contains("also_known_as"); aka && aka->is_array())
      for (const auto& a : aka->as_array())
        if (a.is_string()) labels.insert(Normalize(a.as_string()));
    labels_all_.insert(labels.begin(), labels.end());
    labels_.push_back(std::move(labels));
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
    index_terms_.push_back(JoinWords(seen));
    for (int f = 0; f < kFields; ++f)
      // The name and 俗称 are labels: a word counts once there however many of them hold it.
      for (const auto& [w, count] : tf[f]) postings_[w].push_back({g, f, f == 0 ? 1 : count});
    texts_.push_back(std::move(texts));
    length_.push_back(length);
  }
  for (const auto& [word, df] : df_) by_length_[CharCount(word)].emplace_back(Characters(word), word);
  for (const auto& [colloquial, meaning] : synonyms_) {
    std::vector<std::string> words;
    std::vector<int> which;
    // A meaning that is a service term (养老保险转入) is one thing however it is segmented; the words
    // of a longer description (职业技能培训) are alternatives of their own.
    int k = 0;
    for (size_t start = 0; start <= meaning.size(); ++k) {
      size_t end = std::min(meaning.find(' ', start), meaning.size());
      std::string item = meaning.substr(start, end - start);
      bool term = vocabulary_.contains(item);
      for (std::string& w : segmenter_.Words(item))
        if (w != " " && !w.empty() && !kStopwords.contains(w)) {
          words.push_back(std::move(w));
          which.push_back(term ? k : ++k);
        }
      start = end + 1;
    }
    expansions_.emplace_back(colloquial, std::move(words));
    meanings_.push_back(std::move(which));
  }
  for (int f = 0; f < kFields; ++f) average_length_[f] = guides_.empty() ? 1 : std::max(1.0, total[f] / guides_.size());
}

std::vector<std::string> GuideIndex::Parts(const std::string& word) const {
  std::vector<std::string> parts;
  // The segmenter keeps a number with its unit (3600元, 15年) but a resident may write it bare
  // (发3600, 3600块): the number is a part of its own.
  size_t digits = 0;
  while (digits < word.size() && word[digits] >= '0' && word[digits] <= '9') ++digits;
  if (digits >= 2 && digits < word.size()) parts.push_back(word.substr(0, digits));
  if (!vocabulary_.contains(word)) return parts;
  std::vector<std::string> chars = Characters(word);
  std::vector<std::pair<size_t, size_t>> spans;  // [begin, end) in characters
  for (size_t length = chars.size() - 1; length >= 2; --length) {
    for (size_t begin = 0; begin + length <= chars.size(); ++begin) {
      // Only the longest: 居住证补办 gives 居住证 and 补办, not also 居住.
      bool inside = std::any_of(spans.begin(), spans.end(),
                                [&](const auto& s) { return s.first <= begin && begin + length <= s.second; });
      if (inside) continue;
      std::string part;
      for (size_t k = begin; k < begin + length; ++k) part += chars[k];
      if (known_.contains(part) && !kStopwords.contains(part)) {
        spans.emplace_back(begin, begin + length);
        parts.push_back(std::move(part));
      }
    }
  }
  return parts;
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

std::array<std::string, GuideIndex::kFields> GuideIndex::TextsOf(const Guide& guide) {
  const json::object& b = guide.body;
  return {guide.name + " " + Join(b.if_contains("also_known_as")),
          Join(b.if_contains("summary")),
          guide.category + " " + Join(b.if_contains("target_groups")),
          Join(b.if_contains("eligibility")),
          Join(b.if_contains("materials"), "；"),
          Join(b.if_contains("steps"), "；") + " " + Join(b.if_contains("where")) + " " + Join(b.if_contains("fee")) + " " +
              Join(b.if_contains("legal_basis")) + " " + Join(b.if_contains("name_en")),
          Join(b.if_contains("situations"), "；")};
}

std::array<GuideIndex::Field, GuideIndex::kFields> GuideIndex::FieldsOf(const Guide& guide) const {
  std::array<std::string, kFields> texts = TextsOf(guide);
  std::array<Field, kFields> fields;
  for (int f = 0; f < kFields; ++f) {
    std::vector<std::string> words = Words(texts[f]);
    for (size_t i = 0, n = words.size(); i < n; ++i)
      for (std::string& part : Parts(words[i])) words.push_back(std::move(part));
    fields[f] = {std::move(words), texts[f]};
  }
  return fields;
}

std::string GuideIndex::IndexTerms(const Guide& guide) const {
  std::set<std::string> words;
  for (const Field& f : FieldsOf(guide)) words.insert(f.words.begin(), f.words.end());
  return JoinWords(words);
}

const std::string& GuideIndex::IndexedTerms(std::string_view code) const {
  return index_terms_.at(by_code_.at(std::string(code)));
}

std::vector<QueryTerm> GuideIndex::Terms(std::string_view question) const {
  std::string normalized = Normalize(question);
  std::vector<std::string> words = segmenter_.Words(normalized);
  std::erase_if(words, [](const std::string& w) { return w == " " || w.empty(); });
  std::vector<QueryTerm> terms;
  // Neighbouring pieces the dictionary could not join: often a typo. With the words either side.
  struct Split {
    std::string pieces, before, after;
  };
  std::vector<Split> split;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!kStopwords.contains(w)) AddTerm(terms, w, CharCount(w) == 1 ? 0.3 : 1.0, w);
    for (const std::string& part : Parts(w)) AddTerm(terms, part, 0.6, w);
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
        split.push_back({joined, i > 0 ? words[i - 1] : "", j + 1 < words.size() ? words[j + 1] : ""});
      }
    }
  }
  std::string age;
  for (const std::string& w : AgeTerms(normalized, age)) AddTerm(terms, w, 0.9, age);
  // Colloquial terms anywhere in the question bring in what they mean; so do they, and the service
  // terms, when a measure word splits them (改个名字, 评个残疾, 办一下居住证).
  std::string compact;
  {
    std::vector<std::string> chars = Characters(normalized);
    for (size_t k = 0; k < chars.size(); ++k) {
      if (chars[k] == "个" && k > 0 && k + 1 < chars.size()) continue;
      if (chars[k] == "一" && k + 1 < chars.size() && (chars[k + 1] == "个" || chars[k + 1] == "下") && k > 0 &&
          k + 2 < chars.size()) {
        ++k;
        continue;
      }
      compact += chars[k];
    }
  }
  for (size_t e = 0; e < expansions_.size(); ++e) {
    const auto& [colloquial, meaning] = expansions_[e];
    if (normalized.find(colloquial) == std::string::npos && compact.find(colloquial) == std::string::npos) continue;
    for (size_t k = 0; k < meaning.size(); ++k)
      AddTerm(terms, meaning[k], CharCount(meaning[k]) == 1 ? 0.3 : 0.9, colloquial, false, meanings_[e][k] + 1);
  }
  if (compact != normalized)
    for (const std::string& w : vocabulary_)
      if (compact.find(w) != std::string::npos && normalized.find(w) == std::string::npos) {
        AddTerm(terms, w, 0.9, w);
        for (const std::string& part : Parts(w)) AddTerm(terms, part, 0.6, w);
      }
  // Two neighbouring parts of the question whose terms, one of them brought in by a colloquial word,
  // together make a guide's name or 俗称 (敬老卡 and 补办, said as 敬老卡掉了) name that guide.
  for (size_t a = 0, n = terms.size(); a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      const QueryTerm& x = terms[a];
      const QueryTerm& y = terms[b];
      if (x.origin == y.origin || (x.origin == x.term && y.origin == y.term) || CharCount(x.term) < 2 ||
          CharCount(y.term) < 2 || !labels_all_.contains(x.term + y.term) ||
          normalized.find(x.origin + y.origin) == std::string::npos)
        continue;
      AddTerm(terms, x.term + y.term, std::min({0.9, x.weight, y.weight}), x.origin + y.origin);
    }
  // One wrong character: index words (or, for a whole unknown word, colloquial terms too) that
  // differ in one place, those that keep the first character first (低宝 → 低保 before 宝宝),
  // then the commoner ones. A corrected colloquial term brings in what it means.
  auto known_service = [&](const std::string& word) {
    return vocabulary_.contains(word) || synonyms_.contains(word) ||
           std::any_of(labels_.begin(), labels_.end(), [&](const auto& l) { return l.contains(word); });
  };
  auto correct = [&](const std::string& typo, bool service_terms, const std::string& before = "",
                     const std::string& after = "") {
    std::vector<std::string> chars = Characters(typo);
    // A correction that makes a service term with the word before or after it (敬老卡补半 → 敬老卡补办)
    // is likelier than a commoner word: the resident named what the mistyped word is about.
    auto with_neighbour = [&](const std::string& word) {
      return (!before.empty() && vocabulary_.contains(before + word)) ||
             (!after.empty() && vocabulary_.contains(word + after));
    };
    std::vector<std::tuple<bool, bool, bool, int, std::string>> near;
    auto consider = [&](const std::vector<std::string>& other, const std::string& word) {
      if (other.size() != chars.size()) return;
      int differ = 0;
      for (size_t k = 0; k < chars.size() && differ < 2; ++k) differ += chars[k] != other[k];
      auto df = df_.find(word);
      if (differ == 1)
        near.emplace_back(other[0] == chars[0], with_neighbour(word), known_service(word), df == df_.end() ? 0 : df->second,
                          word);
    };
    if (auto same_length = by_length_.find(chars.size()); same_length != by_length_.end())
      for (const auto& [other, indexed] : same_length->second) consider(other, indexed);
    if (service_terms)
      for (const auto& [other, term] : service_)
        if (!df_.contains(term)) consider(other, term);
    std::sort(near.begin(), near.end(), std::greater<>());
    for (size_t k = 0; k < near.size() && k < 2; ++k) {
      // A guide's own term is likelier meant than a word that happens to be one character off.
      double weight = (std::get<0>(near[k]) ? 0.7 : 0.35) * (std::get<1>(near[k]) || std::get<2>(near[k]) ? 1.0 : 0.8);
      // When the pieces hold a word the segmenter found whole (老人 in 老人吃), the rest is more
      // likely a word of its own than a wrong character.
      if (std::any_of(words.begin(), words.end(), [&](const std::string& w) {
            return CharCount(w) >= 2 && !kStopwords.contains(w) && typo.find(w) != std::string::npos && w != typo;
          }))
        weight *= 0.5;
      const std::string& word = std::get<4>(near[k]);
      if (df_.contains(word)) AddTerm(terms, word, weight, typo, true);
      if (chars.size() >= 3)  // two characters are too short to be sure which word was meant
        for (const auto& [colloquial, meaning] : expansions_)
          if (colloquial == word)
            for (const std::string& w : meaning) AddTerm(terms, w, weight * 0.9, typo, true);
    }
  };
  // Pieces or words that start with a numeral are amounts (十五年, 三十几, 一年假), not typos.
  static const std::set<std::string> kNumerals = {"一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "几"};
  for (const Split& pair : split)
    if (!kNumerals.contains(Characters(pair.pieces)[0])) correct(pair.pieces, false, pair.before, pair.after);
  // A whole word of three or four characters that no guide uses and no colloquial term names
  // (医宝卡) may be a mistyped one; two characters are too short to tell a typo from a plain word.
  for (const std::string& w : words) {
    size_t length = CharCount(w);
    if (length < 3 || length > 4 || kStopwords.contains(w) || df_.contains(w) || synonyms_.contains(w)) continue;
    if (std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    if (kNumerals.contains(Characters(w)[0])) continue;
    correct(w, true);
  }
  // Of overlapping mistyped pieces (居主, 主证, 居主证) the longest that has a correction is
  // likelier the word meant: corrections of the pieces inside it count half.
  std::vector<double> scale(terms.size(), 1.0);
  for (size_t t = 0; t < terms.size(); ++t)
    for (const QueryTerm& o : terms)
      if (terms[t].correction && o.correction && o.origin != terms[t].origin &&
          o.origin.find(terms[t].origin) != std::string::npos)
        scale[t] = 0.5;
  for (size_t t = 0; t < terms.size(); ++t) terms[t].weight *= scale[t];
  return terms;
}

std::vector<Hit> GuideIndex::Rank(const std::vector<QueryTerm>& terms, const std::vector<std::string>& candidates,
                                  size_t limit) const {
  std::vector<char> in_pool(guides_.size(), candidates.empty());
  for (const std::string& code : candidates)
    if (auto it = by_code_.find(code); it != by_code_.end()) in_pool[it->second] = true;
  double n = static_cast<double>(guides_.size());
  std::vector<double> score(guides_.size(), 0);
  // matched[t][g]: guide g holds term t in some field.
  std::vector<std::vector<char>> matched(terms.size());
  // What each part of the question adds to each guide, by the terms it brought in: one colloquial
  // word that means three index words must not count three times as much as a word said outright.
  std::map<std::string, std::vector<std::map<int, double>>> by_origin;
  for (size_t t = 0; t < terms.size(); ++t) {
    auto postings = postings_.find(terms[t].term);
    if (postings == postings_.end()) continue;
    matched[t].assign(guides_.size(), 0);
    double df = df_.at(terms[t].term);
    double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    for (const Posting& p : postings->second) {
      if (!in_pool[p.guide]) continue;
      double norm = kK1 * (1 - kB + kB * length_[p.guide][p.field] / average_length_[p.field]);
      auto& parts = by_origin[terms[t].origin];
      if (parts.empty()) parts.resize(guides_.size());
      double c = terms[t].weight * idf * kFieldWeight[p.field] * p.count * (kK1 + 1) / (p.count + norm);
      parts[p.guide][terms[t].meaning] += c;
      matched[t][p.guide] = 1;
    }
  }
  for (auto& [origin, parts] : by_origin)
    for (size_t g = 0; g < guides_.size(); ++g) {
      std::vector<double> c;
      for (const auto& [meaning, x] : parts[g]) c.push_back(x);
      std::sort(c.begin(), c.end(), std::greater<>());
      double factor = 1;
      for (size_t k = 0; k < c.size(); ++k) {
        score[g] += c[k] * factor;
        if (k + 1 >= kOriginFull) factor *= kOriginDecay;
      }
    }
  // A guide that matches more of what the resident said goes first: BM25 alone lets one
  // frequent word in a guide's name outweigh the rest of the question.
  double own_chars = 0;  // the question's own words of two characters or more
  for (const QueryTerm& t : terms)
    if (t.origin == t.term && t.weight >= 1.0) own_chars += CharCount(t.term);
  own_chars = std::max(own_chars, 1.0);
  std::vector<std::pair<double, size_t>> scored;
  std::vector<double> coverage(guides_.size(), 0);
  for (size_t g = 0; g < guides_.size(); ++g) {
    if (score[g] <= 0) continue;
    coverage[g] = Coverage(g, terms, matched);
    // The resident named the guide (社保卡, 火化, 居住证): it goes before those that only hold the word.
    // By the share of the question the name stands for: 社保卡 in 社保卡怎么办 counts fully.
    double named = 0;
    for (const QueryTerm& t : terms)
      if (CharCount(t.term) >= 2 && labels_[g].contains(t.term))
        named = std::max(named, std::min(1.0, t.weight) * std::min(1.0, CharCount(t.origin) / own_chars));
    scored.emplace_back(score[g] * (1 + kNamedBonus * named) * (kCoverageBase + coverage[g]) / (kCoverageBase + 1), g);
  }
  // Ties go to the lower code, so the order never depends on the database.
  std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : guides_[a.second].code < guides_[b.second].code;
  });
  std::vector<Hit> hits;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) {
    size_t g = scored[i].second;
    hits.push_back({&guides_[g], std::round(scored[i].first * 1000) / 1000, Highlight(g, terms), coverage[g]});
  }
  return hits;
}

double GuideIndex::Coverage(size_t guide, const std::vector<QueryTerm>& terms,
                            const std::vector<std::vector<char>>& matched) const {
  auto holds = [&](size_t t) { return !matched[t].empty() && matched[t][guide]; };
  double total = 0, covered = 0;
  // A mistyped word (低包, 登计) is a part of the question like the words the segmenter found:
  // it is covered when one of its corrections is.
  // Overlapping pieces (居注, 注证, 居注证) are one part, as long as the longest; a guide covers as
  // much of it as the longest piece it holds a correction of.
  std::map<std::string, double> typos;  // the part → the characters covered
  for (const QueryTerm& t : terms) {
    if (!t.correction) continue;
    bool own = std::any_of(terms.begin(), terms.end(), [&](const QueryTerm& o) {
      return o.origin == o.term && o.weight >= 1.0 &&
             (o.term.find(t.origin) != std::string::npos || t.origin.find(o.term) != std::string::npos);
    });
    if (own) continue;
    bool inside = std::any_of(terms.begin(), terms.end(), [&](const QueryTerm& o) {
      return o.correction && o.origin != t.origin && o.origin.find(t.origin) != std::string::npos;
    });
    if (!inside) typos.emplace(t.origin, 0);
  }
  for (size_t t = 0; t < terms.size(); ++t) {
    if (!terms[t].correction || !holds(t)) continue;
    for (auto& [part, chars] : typos)
      if (part.find(terms[t].origin) != std::string::npos)
        chars = std::max(chars, static_cast<double>(CharCount(terms[t].origin)));
  }
  for (const auto& [part, chars] : typos) {
    total += CharCount(part);
    covered += chars;
  }
  for (size_t o = 0; o < terms.size(); ++o) {
    const QueryTerm& own = terms[o];
    if (own.origin != own.term || own.weight < 1.0) continue;  // the question's own words of 2+ characters
    double chars = static_cast<double>(CharCount(own.term));
    total += chars;
    bool hit = holds(o);
    for (size_t d = 0; d < terms.size() && !hit; ++d) {
      const QueryTerm& derived = terms[d];
      bool related = derived.origin != derived.term && (derived.origin.find(own.term) != std::string::npos ||
                                                         own.term.find(derived.origin) != std::string::npos);
      hit = related && holds(d);
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
