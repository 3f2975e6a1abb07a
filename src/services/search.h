#pragma once
// Finding a service guide from a resident's own words: the question is
// normalized and split into words, colloquial terms are expanded from the
// synonym table, a word with one wrong character is matched to the index's
// word it most likely meant, and guides are ranked by BM25 over their fields
// (name and 俗称 weigh most). The databases' full-text indexes only pick the
// candidates; ranking happens here, so SQLite and PostgreSQL answer alike.
#include <boost/json.hpp>
#include <array>
#include <map>
#include <string>
#include <string_view>
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
};

struct Hit {
  const Guide* guide;
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
  static constexpr int kFields = 6;
  std::vector<std::string> Words(std::string_view text) const;
  std::array<Field, kFields> FieldsOf(const Guide& guide) const;
  std::string Highlight(size_t guide, const std::vector<QueryTerm>& terms) const;
  double Coverage(size_t guide, const std::vector<QueryTerm>& terms) const;

  std::vector<Guide> guides_;
  const Segmenter& segmenter_;
  Synonyms synonyms_;
  std::vector<std::pair<std::string, std::vector<std::string>>> expansions_;  // synonyms_, segmented once
  std::vector<std::array<std::map<std::string, int>, kFields>> tf_;  // per guide, per field: term → count
  std::vector<std::array<int, kFields>> length_;
  std::vector<std::array<std::string, kFields>> texts_;  // as written, for highlighting
  std::array<double, kFields> average_length_{};
  std::map<std::string, int> df_;  // guides containing the term in any field
  // The index's words by their number of characters, split into characters: for typo matching.
  std::map<size_t, std::vector<std::pair<std::vector<std::string>, std::string>>> by_length_;
  std::map<std::string, size_t> by_code_;
};

}  // namespace shequ::services
