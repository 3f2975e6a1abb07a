// Search quality on the project's own sets of resident questions: floors the
// build must keep, and the same answers from SQLite and PostgreSQL.
// tests/services/questions.tsv is the set the search was tuned on;
// heldout.tsv, heldout2.tsv and heldout3.tsv were each written before a round
// of tuning and then became the development set of the next round.
// heldout4.tsv was written from the guides alone, by someone who saw neither
// the search nor the other sets (a third of it describes a situation without
// naming any service); it was untouched until the fifth round and its
// development set. heldout5.tsv, written the same way and spread over 151
// different guides, was untouched until the sixth round. heldout6.tsv, one
// question for each of 150 guides, is never tuned on: its figure shows how the
// tuning carries over, and the test prints only its counts. SHEQU_SEARCH_MISSES=1
// prints the misses (and the words searched for) of the other sets.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "services/services.h"
#include "store/testing.h"

namespace shequ::services {
namespace {

struct Question {
  std::string text;
  std::vector<std::string> expected;
};

std::vector<std::vector<std::string>> ReadTsv(const std::string& name) {
  std::ifstream file(std::string(SHEQU_SOURCE_DIR) + "/tests/services/" + name);
  EXPECT_TRUE(file) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(file, line);  // header
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, '\t');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::vector<Question> Questions(const std::string& name = "questions.tsv") {
  std::vector<Question> out;
  for (const auto& cells : ReadTsv(name)) {
    Question q{cells.at(0), {}};
    std::stringstream codes(cells.at(1));
    for (std::string code; std::getline(codes, code, ',');) q.expected.push_back(code);
    out.push_back(q);
  }
  return out;
}

// The codes of the top `n` answers.
std::vector<std::string> Top(const Catalog& catalog, const std::string& question, size_t n) {
  Result<boost::json::object> found = catalog.Search(question, n);
  EXPECT_TRUE(found.ok()) << question;
  std::vector<std::string> codes;
  if (!found.ok()) return codes;
  for (const auto& item : found->at("items").as_array()) codes.emplace_back(item.at("id").as_string());
  return codes;
}

struct QuestionSet;

class SearchQualityTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    catalog_ = std::make_unique<Catalog>(db(), trail_, Clock::System());
    catalog_->Load();
  }
  // One set against its floors, its figures recorded in the test report.
  void Check(const QuestionSet& set);
  audit::Trail trail_{Clock::System(), nullptr};
  std::unique_ptr<Catalog> catalog_;
};

// The goal is hit@1 >= 90 % and hit@3 >= 98 % (docs/benchmarks.md has the figures);
// these floors are a little below what was reached, so the build fails when quality drops.
constexpr double kHit1Floor = 0.94;  // measured 0.966 (228/236); 0.953 before the guides' situations, 0.924 before the third round
constexpr double kHit3Floor = 0.98;  // measured 1.000 (236/236); 0.996 before the fifth round
// The held-out set was since used to find what the search lacked (in general words, never its
// questions'), so it is a development set now.
constexpr double kHeldOutHit1Floor = 0.87;  // measured 0.894 (76/85); 0.918 before the guides' situations, 0.588 before the first tuning
constexpr double kHeldOutHit3Floor = 0.97;  // measured 0.988 (84/85); 1.000 before the situations, 0.812 before the first tuning
// The second held-out set was the development set of the third round of tuning.
constexpr double kHeldOut2Hit1Floor = 0.95;  // measured 0.968 (121/125); 0.984 before the situations, 0.832 before the third round
constexpr double kHeldOut2Hit3Floor = 0.98;  // measured 1.000 (125/125); 0.960 (120/125) before
// The third was untouched until the third round and the development set of the fourth.
constexpr double kHeldOut3Hit1Floor = 0.93;  // measured 0.953 (143/150); 0.893 before the situations, 0.853 when written
constexpr double kHeldOut3Hit3Floor = 0.97;  // measured 0.993 (149/150); 0.973 before the situations, 0.967 when written
// The fourth was untouched until the fourth round and the development set of the fifth.
constexpr double kHeldOut4Hit1Floor = 0.90;  // measured 0.927 (139/150); 0.840 before the situations, 0.827 when written
constexpr double kHeldOut4Hit3Floor = 0.97;  // measured 0.993 (149/150); 0.940 before the situations and when written
// The fifth was untouched until the sixth round (field weights, two synonyms) and its development set.
constexpr double kHeldOut5Hit1Floor = 0.85;  // measured 0.880 (132/150); 0.840 before the round, 0.667 (100/150) when written
constexpr double kHeldOut5Hit3Floor = 0.96;  // measured 0.987 (148/150); 0.973 before the round, 0.873 (131/150) when written
// The sixth only reports; its floors catch a collapse.
constexpr double kHeldOut6Hit1Floor = 0.77;  // measured 0.807 (121/150); 0.800 (120/150) when written
constexpr double kHeldOut6Hit3Floor = 0.92;  // measured 0.947 (142/150), as when written

struct Measured {
  size_t questions = 0;
  int hit1 = 0, hit3 = 0;
  std::string misses;
  std::vector<double> milliseconds;  // per question
  double at1() const { return hit1 / static_cast<double>(questions); }
  double at3() const { return hit3 / static_cast<double>(questions); }
  double p99() const {
    std::vector<double> sorted = milliseconds;
    std::sort(sorted.begin(), sorted.end());
    return sorted.empty() ? 0 : sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
  }
};

Measured Measure(const Catalog& catalog, const std::vector<Question>& questions) {
  Measured m;
  m.questions = questions.size();
  for (const Question& q : questions) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> top = Top(catalog, q.text, 3);
    m.milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    auto expected = [&](const std::string& code) {
      return std::find(q.expected.begin(), q.expected.end(), code) != q.expected.end();
    };
    bool first = !top.empty() && expected(top[0]);
    bool any = std::any_of(top.begin(), top.end(), expected);
    m.hit1 += first;
    m.hit3 += any;
    if (!first) m.misses += fmt::format("\n  {} → {} (want {})", q.text, fmt::join(top, ","), fmt::join(q.expected, ","));
    if (!first && std::getenv("SHEQU_SEARCH_MISSES")) {
      Result<boost::json::object> found = catalog.Search(q.text, 3);
      if (found.ok()) m.misses += " " + boost::json::serialize(found->at("terms")) + " " + boost::json::serialize(found->at("items").as_array()[0].at("score"));
    }
  }
  return m;
}

// One set of questions against its floors; `show_misses`: SHEQU_SEARCH_MISSES=1
// may print which questions fail (never for a set kept unseen).
struct QuestionSet {
  const char* file;
  size_t at_least;
  double hit1_floor, hit3_floor;
  bool show_misses;
};

void CheckSet(const Catalog& catalog, const QuestionSet& set, const std::function<void(std::string, std::string)>& record) {
  std::vector<Question> questions = Questions(set.file);
  ASSERT_GE(questions.size(), set.at_least);
  Measured m = Measure(catalog, questions);
  std::string name = std::string(set.file).substr(0, std::string(set.file).find('.'));
  record(name + "_hit_at_1", fmt::format("{:.3f}", m.at1()));
  record(name + "_hit_at_3", fmt::format("{:.3f}", m.at3()));
  std::cout << fmt::format("[ quality  ] {}: hit@1 {:.3f} ({}/{}), hit@3 {:.3f} ({}/{}), p99 {:.1f} ms\n", set.file, m.at1(),
                           m.hit1, m.questions, m.at3(), m.hit3, m.questions, m.p99());
  std::string misses = set.show_misses ? m.misses : "";
  if (std::getenv("SHEQU_SEARCH_MISSES")) std::cout << "misses:" << misses << "\n";
  EXPECT_GE(m.at1(), set.hit1_floor) << fmt::format("hit@1 {}/{}", m.hit1, m.questions) << misses;
  EXPECT_GE(m.at3(), set.hit3_floor) << fmt::format("hit@3 {}/{}", m.hit3, m.questions) << misses;
}

void SearchQualityTest::Check(const QuestionSet& set) {
  CheckSet(*catalog_, set, [this](std::string key, std::string value) { RecordProperty(key, value); });
}

TEST_P(SearchQualityTest, FindsTheRightGuideForResidentsQuestions) {
  Check({"questions.tsv", 150, kHit1Floor, kHit3Floor, true});
}

TEST_P(SearchQualityTest, HeldOutQuestions) {
  Check({"heldout.tsv", 60, kHeldOutHit1Floor, kHeldOutHit3Floor, true});
}

TEST_P(SearchQualityTest, SecondHeldOutQuestions) {
  Check({"heldout2.tsv", 80, kHeldOut2Hit1Floor, kHeldOut2Hit3Floor, true});
}

TEST_P(SearchQualityTest, ThirdHeldOutQuestions) {
  Check({"heldout3.tsv", 150, kHeldOut3Hit1Floor, kHeldOut3Hit3Floor, true});
}

TEST_P(SearchQualityTest, FourthHeldOutQuestions) {
  Check({"heldout4.tsv", 150, kHeldOut4Hit1Floor, kHeldOut4Hit3Floor, true});
}

TEST_P(SearchQualityTest, FifthHeldOutQuestions) {
  Check({"heldout5.tsv", 150, kHeldOut5Hit1Floor, kHeldOut5Hit3Floor, true});
}

// Written from the guides alone by someone who saw neither the search code nor the other sets, and
// never tuned on: it shows how the tuning carries over. Only its counts are ever printed.
TEST_P(SearchQualityTest, SixthHeldOutQuestions) {
  Check({"heldout6.tsv", 150, kHeldOut6Hit1Floor, kHeldOut6Hit3Floor, false});
}

TEST_P(SearchQualityTest, OffersAPersonWhenNoGuideFits) {
  int offered = 0, total = 0;
  std::string confident;
  for (const auto& cells : ReadTsv("unanswerable.tsv")) {
    Result<boost::json::object> found = catalog_->Search(cells.at(0), 3);
    ASSERT_TRUE(found.ok());
    ++total;
    if (found->at("suggest_consultation").as_bool()) {
      ++offered;
    } else {
      confident += "\n  " + cells.at(0);
    }
  }
  ASSERT_GE(total, 10);
  EXPECT_GE(offered, total - 1) << "answered with confidence:" << confident;  // 14 of 15 measured
}

TEST_P(SearchQualityTest, EveryRequiredGuideNameFindsItselfFirst) {
  for (const char* name : {"老年综合津贴申领", "最低生活保障申请", "残疾人证申领", "上海市居住证申领", "法律援助申请", "丧葬补助金申领"}) {
    Result<boost::json::object> found = catalog_->Search(name, 1);
    ASSERT_TRUE(found.ok());
    ASSERT_FALSE(found->at("items").as_array().empty()) << name;
    EXPECT_EQ(found->at("items").as_array()[0].at("name").as_string(), name);
  }
}

SHEQU_BOTH_STORES(SearchQualityTest);

// Ranking happens in the application: both databases give the same answers in the same order.
TEST(SearchStoresTest, SqliteAndPostgresqlAnswerAlike) {
  store::testing::TempDatabase sqlite(store::testing::Kind::kSqlite);
  store::testing::TempDatabase postgres(store::testing::Kind::kPostgres);
  if (!postgres.available()) GTEST_SKIP() << "SHEQU_TEST_DB does not name a PostgreSQL server";
  audit::Trail trail(Clock::System(), nullptr);
  Catalog a(sqlite.db(), trail, Clock::System()), b(postgres.db(), trail, Clock::System());
  a.Load();
  b.Load();
  for (const Question& q : Questions()) {
    Result<boost::json::object> x = a.Search(q.text, 5), y = b.Search(q.text, 5);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(boost::json::serialize(x->at("items")), boost::json::serialize(y->at("items"))) << q.text;
  }
}

}  // namespace
}  // namespace shequ::services
