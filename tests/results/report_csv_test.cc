#include "results/report_csv.h"

#include <gtest/gtest.h>

#include "tests/results/tiny_report.h"

namespace nas::results {
namespace {

TEST(ReportCsvTest, FieldsAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(CsvField("CCA"), "CCA");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(ReportCsvTest, NumbersReadBackExactly) {
  EXPECT_EQ(CsvNumber(0.1), "0.1");
  EXPECT_EQ(CsvNumber(412345), "412345");
  EXPECT_EQ(CsvNumber(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(CsvNumber(1e30), "1e+30");
}

constexpr char kHeader[] =
    "hash,layers,reference,generation,parameters,feasible,on_front,rejected_reason,quality,"
    "quality_failure,quality[proxy:capacity-recall],\"decode_ms_per_token[laptop,depth=64]\"\n";

TEST(ReportCsvTest, CandidatesCsvHasEveryCandidate) {
  EXPECT_EQ(CandidatesCsv(testing::TinyReport(), CsvRows::kAll),
            std::string(kHeader) +
                "aaaaaaaaaaaaaaaa,CCA,,1,412345,1,1,,0.8125,,0.8125,1.25\n"
                "bbbbbbbbbbbbbbbb,AAA,tiny-transformer,0,500000,0,0,,0.5,,0.5,\n"
                "cccccccccccccccc,RRR,,2,9000000,0,0,\"parameters 9000000 > 600000, "
                "\"\"max_parameters\"\"\",,,,\n");
}

TEST(ReportCsvTest, HeaderQuotesAnObjectiveNameWithAComma) {
  // "decode_ms_per_token[laptop,depth=64]" has a comma: it must be one quoted field.
  const std::string csv = CandidatesCsv(testing::TinyReport(), CsvRows::kFront);
  EXPECT_NE(csv.find(",\"decode_ms_per_token[laptop,depth=64]\"\n"), std::string::npos) << csv;
}

TEST(ReportCsvTest, FrontCsvHasOnlyTheFrontAndFrontAndReferencesAddsThem) {
  const Report r = testing::TinyReport();
  const std::string front = CandidatesCsv(r, CsvRows::kFront);
  EXPECT_EQ(front.substr(front.find('\n') + 1),
            "aaaaaaaaaaaaaaaa,CCA,,1,412345,1,1,,0.8125,,0.8125,1.25\n");
  const std::string with_references = CandidatesCsv(r, CsvRows::kFrontAndReferences);
  EXPECT_EQ(with_references.substr(with_references.find('\n') + 1),
            "aaaaaaaaaaaaaaaa,CCA,,1,412345,1,1,,0.8125,,0.8125,1.25\n"
            "bbbbbbbbbbbbbbbb,AAA,tiny-transformer,0,500000,0,0,,0.5,,0.5,\n");
}

}  // namespace
}  // namespace nas::results
