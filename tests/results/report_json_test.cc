#include "results/report_json.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "tests/results/tiny_report.h"

namespace nas::results {
namespace {

TEST(ReportJsonTest, RoundTripsExactly) {
  const Report report = testing::TinyReport();
  auto json = ReportToJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  auto back = ReportFromJson(*json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(report, *back));
}

TEST(ReportJsonTest, SnakeCaseScalarsAlwaysOptionalsOnlyWhenSetInt64AsStrings) {
  auto json = ReportToJson(testing::TinyReport());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_NE(json->find("\"generated_unix_ms\":\"1700000000000\""), std::string::npos) << *json;
  EXPECT_NE(json->find("\"quality_is_objective\":false"), std::string::npos);
  EXPECT_NE(json->find("\"space_path\":\"\""), std::string::npos);
  EXPECT_NE(json->find("\"objective_values\":[{\"value\":0.8125},{\"value\":1.25}]"),
            std::string::npos);
  // The reference's missing decode figure: an OptionalValue with no value.
  EXPECT_NE(json->find("\"objective_values\":[{\"value\":0.5},{}]"), std::string::npos);
  // The rejected candidate has no quality: the key is absent, not 0.
  const size_t rejected = json->find("\"hash\":\"cccccccccccccccc\"");
  ASSERT_NE(rejected, std::string::npos);
  const size_t next = json->find("\"hash\"", rejected + 1);
  EXPECT_EQ(json->substr(rejected, next - rejected).find("\"quality\":"), std::string::npos);
}

TEST(ReportJsonTest, BadJsonIsAnError) {
  EXPECT_FALSE(ReportFromJson("{\"no_such_field\": 1}").ok());
  EXPECT_FALSE(ReportFromJson("not json").ok());
}

}  // namespace
}  // namespace nas::results
