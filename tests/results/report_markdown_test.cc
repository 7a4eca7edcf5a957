#include "results/report_markdown.h"

#include <gtest/gtest.h>

#include "tests/results/tiny_report.h"

namespace nas::results {
namespace {

TEST(ReportMarkdownTest, TinyReport) {
  EXPECT_EQ(ReportMarkdown(testing::TinyReport()),
            "# tiny \u2014 campaign report\n"
            "\n"
            "running: 2 of 3 generations, 3 candidates (1 rejected), 4 measurements (1 failed); "
            "quality: proxy:capacity-recall (a proxy)  \n"
            "store: /tmp/tiny.db\n"
            "\n"
            "Warnings:\n"
            "\n"
            "- 1 measurement failed (1 TIMEOUT).\n"
            "\n"
            "## Pareto front (1 candidate) and references\n"
            "\n"
            "| front | layers | hash | reference | parameters | quality[proxy:capacity-recall] | "
            "decode_ms_per_token[laptop,depth=64] |\n"
            "|---|---|---|---|---|---|---|\n"
            "| * | CCA | aaaaaaaa |  | 0.412M | 0.8125 | 1.25 ms |\n"
            "| infeasible | AAA | bbbbbbbb | tiny-transformer | 0.500M | 0.5000 | n/a |\n"
            "\n"
            "* on the front. Layers: A = attention, C = gated short conv.\n");
}

TEST(ReportMarkdownTest, QualityColumnWhenQualityIsNoObjective) {
  Report r = testing::TinyReport();
  r.mutable_objectives()->erase(r.mutable_objectives()->begin());
  for (Candidate& c : *r.mutable_candidates()) {
    c.mutable_objective_values()->erase(c.mutable_objective_values()->begin());
  }
  const std::string md = ReportMarkdown(r);
  EXPECT_NE(md.find("| front | layers | hash | reference | parameters | quality | "
                    "decode_ms_per_token[laptop,depth=64] |\n"
                    "|---|---|---|---|---|---|---|\n"
                    "| * | CCA | aaaaaaaa |  | 0.412M | 0.8125 | 1.25 ms |\n"
                    "| infeasible | AAA | bbbbbbbb | tiny-transformer | 0.500M | 0.5000 | n/a |\n"),
            std::string::npos)
      << md;
}

TEST(ReportMarkdownTest, ReadableValues) {
  ObjectiveInfo o;
  o.set_unit("bytes");
  EXPECT_EQ(ReadableValue(o, 3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
  o.set_unit("tokens/s");
  EXPECT_EQ(ReadableValue(o, 850.34), "850.3 tok/s");
  o.set_unit("parameters");
  EXPECT_EQ(ReadableValue(o, 412345), "0.412M");
  o.set_unit("ms");
  EXPECT_EQ(ReadableValue(o, 12.345), "12.3 ms");
}

}  // namespace
}  // namespace nas::results
