#include "results/report_html.h"

#include <gtest/gtest.h>

#include "tests/results/tiny_report.h"

namespace nas::results {
namespace {

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr char kTemplate[] =
    "<html><head><title><!--NAS:TITLE--></title>\n<!--NAS:STYLE-->\n</head><body>\n"
    "<!--NAS:DATA-->\n<!--NAS:LIBRARIES-->\n<!--NAS:APP-->\n</body></html>\n";

ReportAssets FakeAssets() {
  return {kTemplate, "body{color:red}", "util();", "plots();",
          "app();",  "VEGA('</script>');", "VEGALITE();", "EMBED();"};
}

TEST(ReportHtmlTest, EveryMarkerIsReplacedInPlace) {
  Report report = testing::TinyReport();
  report.add_warnings("a warning with </script><b> in it & \"quotes\"");
  report.mutable_campaign()->set_space_description("<!--<script>");
  report.mutable_campaign()->set_space_name("tiny <b>");
  auto html = RenderReportHtml(report, FakeAssets());
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_EQ(Count(*html, "<!--NAS:"), 0);
  EXPECT_EQ(html->find("<html><head><title>tiny &lt;b&gt; \u2014 campaign report</title>\n"
                       "<style>body{color:red}</style>\n</head><body>\n"
                       "<script id=\"report-data\" type=\"application/json\">{"),
            0u)
      << *html;
  EXPECT_NE(html->find("</script>\n<script>VEGA('<\\/script>');</script><script>VEGALITE();"
                       "</script><script>EMBED();</script>\n"
                       "<script>util();</script><script>plots();</script><script>app();</script>\n"
                       "</body></html>\n"),
            std::string::npos)
      << *html;
  // Inside the data no "</" is left (protobuf's JSON writes "<" as \u003c; "</" would be
  // written "<\/" otherwise).
  const size_t data = html->find("application/json\">");
  const size_t data_end = html->find("</script>", data);
  const std::string json = html->substr(data, data_end - data);
  EXPECT_EQ(json.find("</"), std::string::npos);
  EXPECT_EQ(json.find('<'), std::string::npos);
  EXPECT_NE(json.find("a warning with \\u003c/script\\u003e\\u003cb\\u003e in it & \\\"quotes\\\""),
            std::string::npos)
      << json;
}

TEST(ReportHtmlTest, AMissingMarkerIsAnError) {
  ReportAssets assets = FakeAssets();
  assets.template_html = "<html><!--NAS:TITLE--><!--NAS:STYLE--><!--NAS:DATA--><!--NAS:APP-->";
  auto html = RenderReportHtml(testing::TinyReport(), assets);
  ASSERT_FALSE(html.ok());
  EXPECT_NE(html.status().message().find("<!--NAS:LIBRARIES-->"), std::string::npos);
}

TEST(ReportHtmlTest, EmbeddedAssetsHaveTheMarkersAndTheLibrariesOnce) {
  const ReportAssets& assets = EmbeddedReportAssets();
  EXPECT_GT(assets.vega.size(), 100000u);
  EXPECT_GT(assets.vega_lite.size(), 100000u);
  EXPECT_GT(assets.vega_embed.size(), 10000u);
  auto html = RenderReportHtml(testing::TinyReport(), assets);
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_EQ(Count(*html, "<!--NAS:"), 0);
  EXPECT_EQ(Count(*html, "<script id=\"report-data\" type=\"application/json\">"), 1);
  const std::string vega_head(assets.vega.substr(0, 200));
  EXPECT_EQ(Count(*html, vega_head), 1);
  // The template's own script elements plus the seven put in (data, three libraries, the
  // page's three): no "</script" inside the inserted text closes an element early.
  const std::string page_template(assets.template_html);
  EXPECT_EQ(Count(*html, "</script"), Count(page_template, "</script") + 7);
}

TEST(ReportHtmlTest, ScriptTextEscapesClosingTagsInAnyCase) {
  EXPECT_EQ(EscapeScriptText("a</script>b</SCRIPT x"), "a<\\/script>b<\\/SCRIPT x");
  EXPECT_EQ(EscapeScriptText("a</scrip"), "a</scrip");
  EXPECT_EQ(HtmlEscape("<a href='x'>&\""), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
}

}  // namespace
}  // namespace nas::results
