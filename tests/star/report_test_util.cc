#include "tests/star/report_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

namespace nas::star::testing {

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

std::set<std::string> FrontFromCandidatesCsv(const std::string& csv) {
  const auto rows = ParseCsv(csv);
  EXPECT_FALSE(rows.empty());
  if (rows.empty()) return {};
  const auto& header = rows[0];
  EXPECT_EQ(header[0], "hash");
  EXPECT_EQ(header[5], "feasible");
  EXPECT_EQ(header[9], "quality_failure");
  std::vector<bool> maximised;
  for (size_t k = 10; k < header.size(); ++k) {
    maximised.push_back(header[k].rfind("quality", 0) == 0 ||
                        header[k].rfind("prefill_tokens_per_s", 0) == 0);
  }
  struct Point {
    std::string hash;
    std::vector<double> minimised;
  };
  std::vector<Point> feasible;
  for (size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), header.size()) << "row " << r;
    if (rows[r].size() != header.size() || rows[r][5] != "1") continue;
    Point p{rows[r][0], {}};
    for (size_t k = 10; k < header.size(); ++k) {
      const std::string& cell = rows[r][k];
      const double v = cell.empty() ? std::numeric_limits<double>::infinity()
                                    : (maximised[k - 10] ? -std::stod(cell) : std::stod(cell));
      p.minimised.push_back(v);
    }
    feasible.push_back(std::move(p));
  }
  std::set<std::string> front;
  for (const Point& a : feasible) {
    bool dominated = false;
    for (const Point& b : feasible) {
      bool no_worse = true, better = false;
      for (size_t k = 0; k < a.minimised.size(); ++k) {
        no_worse &= b.minimised[k] <= a.minimised[k];
        better |= b.minimised[k] < a.minimised[k];
      }
      if (no_worse && better) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.insert(a.hash);
  }
  return front;
}

std::set<std::string> HashesOfCsv(const std::string& csv) {
  std::set<std::string> out;
  const auto rows = ParseCsv(csv);
  for (size_t r = 1; r < rows.size(); ++r) out.insert(rows[r][0]);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace nas::star::testing
