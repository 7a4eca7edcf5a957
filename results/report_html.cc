#include "results/report_html.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "results/report_json.h"

namespace nas::results {

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string EscapeScriptText(absl::string_view script) {
  static constexpr absl::string_view kTag = "</script";
  std::string out;
  out.reserve(script.size());
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i] == '<' && i + kTag.size() <= script.size()) {
      bool match = true;
      for (size_t k = 1; k < kTag.size() && match; ++k) {
        match = std::tolower(static_cast<unsigned char>(script[i + k])) == kTag[k];
      }
      if (match) {
        out += "<\\";
        continue;
      }
    }
    out += script[i];
  }
  return out;
}

std::string ReportTitle(const Report& report) {
  const std::string& name = report.campaign().space_name();
  return absl::StrCat(name.empty() ? "campaign" : name, " \u2014 campaign report");
}

namespace {

std::string Script(absl::string_view code) {
  return absl::StrCat("<script>", EscapeScriptText(code), "</script>");
}

}  // namespace

absl::StatusOr<std::string> RenderReportHtml(const Report& report, const ReportAssets& assets) {
  absl::StatusOr<std::string> json = ReportToJson(report);
  if (!json.ok()) return json.status();
  struct Fill {
    absl::string_view marker;
    std::string text;
    size_t at = absl::string_view::npos;
  };
  std::vector<Fill> fills = {
      {"<!--NAS:TITLE-->", HtmlEscape(ReportTitle(report))},
      {"<!--NAS:STYLE-->", absl::StrCat("<style>", assets.css, "</style>")},
      {"<!--NAS:DATA-->",
       absl::StrCat("<script id=\"report-data\" type=\"application/json\">",
                    absl::StrReplaceAll(*json, {{"<", "\\u003c"}}), "</script>")},
      {"<!--NAS:LIBRARIES-->",
       absl::StrCat(Script(assets.vega), Script(assets.vega_lite), Script(assets.vega_embed))},
      {"<!--NAS:APP-->",
       absl::StrCat(Script(assets.js_util), Script(assets.js_plots), Script(assets.js))},
  };
  // Every marker is found in the template itself, never in text put in for another.
  const absl::string_view page = assets.template_html;
  for (Fill& fill : fills) {
    fill.at = page.find(fill.marker);
    if (fill.at == absl::string_view::npos) {
      return absl::InternalError(
          absl::StrCat("the report page template has no ", fill.marker, " marker"));
    }
  }
  std::sort(fills.begin(), fills.end(), [](const Fill& a, const Fill& b) { return a.at < b.at; });
  std::string out;
  size_t done = 0;
  for (const Fill& fill : fills) {
    absl::StrAppend(&out, page.substr(done, fill.at - done), fill.text);
    done = fill.at + fill.marker.size();
  }
  absl::StrAppend(&out, page.substr(done));
  return out;
}

}  // namespace nas::results
