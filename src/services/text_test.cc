#include "services/text.h"

#include <gtest/gtest.h>

namespace shequ::services {
namespace {

TEST(NormalizeTest, FoldsWidthCaseTraditionalAndPunctuation) {
  EXPECT_EQ(Normalize("ＳＯＳ，社保卡！"), "sos 社保卡");
  EXPECT_EQ(Normalize("長護險怎麼申請？"), "长护险怎么申请");
  EXPECT_EQ(Normalize("  低保   怎么办\t"), "低保 怎么办");
  EXPECT_EQ(Normalize("<script>alert(1)</script>"), "script alert 1 script");
  EXPECT_EQ(Normalize(std::string("\xFF\xFE") + "社保"), "社保");  // invalid bytes dropped
  EXPECT_EQ(Normalize("。，！？"), "");
}

TEST(SegmenterTest, SplitsIntoDictionaryWordsAndKnowsTheProjectVocabulary) {
  Segmenter segmenter({"长护险", "敬老卡"});
  EXPECT_EQ(segmenter.Words("办结婚证要带什么"), (std::vector<std::string>{"办", "结婚证", "要", "带", "什么"}));
  std::vector<std::string> words = segmenter.Words("我想申请长护险");
  EXPECT_NE(std::find(words.begin(), words.end(), "长护险"), words.end());
}

TEST(CharactersTest, SplitsUtf8) {
  EXPECT_EQ(Characters("低保a"), (std::vector<std::string>{"低", "保", "a"}));
}

}  // namespace
}  // namespace shequ::services
