// report.html: one self-contained page (it opens offline, from any directory). The page
// template (results/web/report.template.html) holds five marker comments, each replaced
// here: <!--NAS:TITLE--> by the HTML-escaped title, <!--NAS:STYLE--> by the style sheet,
// <!--NAS:DATA--> by the report as JSON in <script id="report-data"
// type="application/json"> (every "<" written "\u003c", as JSON allows inside strings, so
// neither "</" nor "<!--" appears and no text in the data can end or derail the element),
// <!--NAS:LIBRARIES--> by Vega, Vega-Lite and vega-embed, <!--NAS:APP--> by the
// page's three scripts (helpers, plots, page; script text with "</script" escaped). A marker missing from
// the template is an error. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/report.pb.h"
#include "results/report_assets.h"

namespace nas::results {

absl::StatusOr<std::string> RenderReportHtml(const Report& report, const ReportAssets& assets);

// "<space name> — campaign report".
std::string ReportTitle(const Report& report);

// &, <, >, " and ' as character references.
std::string HtmlEscape(absl::string_view text);
// Every "</script" (any case) as "<\/script": safe inside a <script> element, same code.
std::string EscapeScriptText(absl::string_view script);

}  // namespace nas::results
