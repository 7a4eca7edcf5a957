#include "results/report_assets.h"

// NAS_ASSET_*: absolute paths of the eight files, defined by results/CMakeLists.txt (which
// also makes this file rebuild when one of them changes). Each is included byte for byte
// into .rodata between a start and an end symbol.
#define NAS_INCBIN(symbol, path)                         \
  __asm__(".section .rodata\n"                           \
          ".global " #symbol "_start\n"                  \
          ".balign 16\n" #symbol "_start:\n"             \
          ".incbin \"" path "\"\n"                       \
          ".global " #symbol "_end\n" #symbol "_end:\n"  \
          ".byte 0\n"                                    \
          ".previous\n");                                \
  extern "C" const char symbol##_start[];                \
  extern "C" const char symbol##_end[];

NAS_INCBIN(nas_report_template, NAS_ASSET_TEMPLATE)
NAS_INCBIN(nas_report_css, NAS_ASSET_CSS)
NAS_INCBIN(nas_report_js_util, NAS_ASSET_JS_UTIL)
NAS_INCBIN(nas_report_js_plots, NAS_ASSET_JS_PLOTS)
NAS_INCBIN(nas_report_js, NAS_ASSET_JS)
NAS_INCBIN(nas_report_vega, NAS_ASSET_VEGA)
NAS_INCBIN(nas_report_vega_lite, NAS_ASSET_VEGA_LITE)
NAS_INCBIN(nas_report_vega_embed, NAS_ASSET_VEGA_EMBED)

namespace nas::results {
namespace {

absl::string_view Between(const char* start, const char* end) {
  return absl::string_view(start, static_cast<size_t>(end - start));
}

}  // namespace

const ReportAssets& EmbeddedReportAssets() {
  static const ReportAssets assets = {
      Between(nas_report_template_start, nas_report_template_end),
      Between(nas_report_css_start, nas_report_css_end),
      Between(nas_report_js_util_start, nas_report_js_util_end),
      Between(nas_report_js_plots_start, nas_report_js_plots_end),
      Between(nas_report_js_start, nas_report_js_end),
      Between(nas_report_vega_start, nas_report_vega_end),
      Between(nas_report_vega_lite_start, nas_report_vega_lite_end),
      Between(nas_report_vega_embed_start, nas_report_vega_embed_end),
  };
  return assets;
}

}  // namespace nas::results
