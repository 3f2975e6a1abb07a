#pragma once
// Finding a service guide from a resident's own words: the question is
// normalized and split into words, colloquial terms are expanded from the
// synonym table, an age (85岁, 七十了) stands for an older resident, a word with
// one wrong character is matched to the index's word it most likely meant, and
// guides are ranked by BM25 over their fields (name and 俗称 weigh most, then
// the summary and the situations residents describe in their own words) times
// how much of the question they match, so one frequent word cannot outweigh the
// rest, and a little more when the question names the guide (社保卡, 火化). Service terms the segmenter keeps whole (宝宝医保) are indexed with their
// parts too (宝宝, 医保). The databases' full-text indexes only pick the
// candidates; ranking happens here, so SQLite and PostgreSQL answer alike.
#include <boost/json.hpp>
#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/text.h"

namespace shequ::services {

struct Guide {
  std::string code, name, category;
  boost::json::object body;  // the guide as stored (see src/services/guides/*.json)
  int64_t version = 1;
};

// "colloquial<TAB>words it means" per line; # starts a comment.
using Synonyms = std::multimap<std::string, std::string>;
Synonyms ParseSynonyms(std::string_view tsv);

struct QueryTerm {
  std::string term;
  double weight;
  // The part of the question it stands for: itself for the question's own words, the
  // colloquial phrase for an expansion, the mistyped pieces for a correction.
  std::string origin;
  // A correction of a mistyped word: its origin is a part of the question of its own.
  bool correction = false;
  // Which of the meanings of a colloquial term it comes from (养老保险转入 of 社保转移 养老保险转入):
  // the words of one meaning are one thing the resident said, the meanings are alternatives.
  int meaning = 0;
};

struct Hit {
  const Guide* guide;
  // BM25 scaled by coverage: BM25's own when the guide matches all of the question. Best first.
  double score;
  std::string highlight;  // HTML: escaped text with <mark> around matched words
  // Share (0-1, by characters) of the question's own words of two characters or more that the
  // guide matches, directly or through an expansion or correction: low means a guess.
  double coverage;
};

class GuideIndex {
 public:
  GuideIndex(std::vector<Guide> guides, const Segmenter& segmenter, Synonyms synonyms);

  // The words a guide is indexed under (for the databases' full-text index), space-separated.
  std::string IndexTerms(const Guide& guide) const;
  // The same for a guide of this index, as worked out when it was built.
  // REQUIRES: Find(code) is not null.
  const std::string& IndexedTerms(std::string_view code) const;
  // The weighted words of a question: its own, their expansions, corrections.
  std::vector<QueryTerm> Terms(std::string_view question) const;
  // Ranked hits among `candidates` (codes; all guides when empty), best first.
  std::vector<Hit> Rank(const std::vector<QueryTerm>& terms, const std::vector<std::string>& candidates,
                        size_t limit) const;

  const std::vector<Guide>& guides() const { return guides_; }
  const Guide* Find(std::string_view code) const;

 private:
  struct Field {
    std::vector<std::string> words;
    std::string text;  // for highlighting
  };
  static constexpr int kFields = 7;
  std::vector<std::string> Words(std::string_view text) const;
  // The words of a service term the segmenter keeps whole (宝宝医保, 吃低保) that are words of
  // the guides or terms themselves (宝宝, 医保; 低保): so 给宝宝办医保 finds 宝宝医保.
  std::vector<std::string> Parts(const std::string& word) const;
  static std::array<std::string, kFields> TextsOf(const Guide& guide);
  std::array<Field, kFields> FieldsOf(const Guide& guide) const;
  std::string Highlight(size_t guide, const std::vector<QueryTerm>& terms) const;
  double Coverage(size_t guide, const std::vector<QueryTerm>& terms, const std::vector<std::vector<char>>& matched) const;

  std::vector<Guide> guides_;
  const Segmenter& segmenter_;
  Synonyms synonyms_;
  std::vector<std::pair<std::string, std::vector<std::string>>> expansions_;  // synonyms_, segmented once
  std::vector<std::vector<int>> meanings_;  // for each word of expansions_, which meaning of the line it is of
  struct Posting {
    size_t guide;
    int field;
    int count;
  };
  std::unordered_map<std::string, std::vector<Posting>> postings_;  // term → the guides and fields holding it
  std::vector<std::array<int, kFields>> length_;
  std::vector<std::array<std::string, kFields>> texts_;  // as written, for highlighting
  std::vector<std::string> index_terms_;                  // IndexTerms of each guide
  std::array<double, kFields> average_length_{};
  std::map<std::string, int> df_;  // guides containing the term in any field
  // The index's words by their number of characters, split into characters: for typo matching.
  std::map<size_t, std::vector<std::pair<std::vector<std::string>, std::string>>> by_length_;
  std::map<std::string, size_t> by_code_;
  std::vector<std::set<std::string>> labels_;  // each guide's name and 俗称, normalized
  std::set<std::string> labels_all_;            // all of them
  std::set<std::string> vocabulary_;  // the service terms given to the segmenter (俗称, colloquial terms)
  std::set<std::string> known_;       // every word of the guides as segmented, and the service terms
  std::vector<std::pair<std::vector<std::string>, std::string>> service_;  // service terms, split into characters
};

}  // namespace shequ::services
