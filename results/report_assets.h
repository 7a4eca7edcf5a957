// The files the report page is made of, compiled into the binary at build time (so that
// `star report` works from any directory and the page opens offline): the page template,
// its style sheet and scripts (results/web/report*.{html,css,js}), and the pinned Vega, Vega-Lite and
// vega-embed builds (results/web/node_modules, installed by scripts/web_deps.sh).
// Immutable; thread-safe.
#pragma once

#include "absl/strings/string_view.h"

namespace nas::results {

struct ReportAssets {
  absl::string_view template_html;  // with the <!--NAS:...--> markers report_html.h fills
  absl::string_view css;
  // The page's own scripts, run in this order: helpers, Vega-Lite specs, the page.
  absl::string_view js_util;
  absl::string_view js_plots;
  absl::string_view js;
  absl::string_view vega;
  absl::string_view vega_lite;
  absl::string_view vega_embed;
};

const ReportAssets& EmbeddedReportAssets();

}  // namespace nas::results
