#include <gtest/gtest.h>

#include "bench/report.h"
#include "bench/report_html.h"
#include "bench/stats.h"
#include "test_support.h"

namespace detport::bench {
namespace {

TEST(Stats, KnownSamples) {
  // 1..10: numpy.percentile(x, 50) = 5.5, (x, 90) = 9.1, (x, 99) = 9.91; sample stddev = 3.02765...
  std::vector<double> v{7, 3, 1, 10, 2, 9, 4, 8, 6, 5};
  const Stats s = summarize(v);
  EXPECT_EQ(s.n, 10u);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.p50, 5.5);
  EXPECT_NEAR(s.p90, 9.1, 1e-12);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, 3.0276503540974917, 1e-12);
  const Stats one = summarize({4.0});
  EXPECT_DOUBLE_EQ(one.p99, 4.0);
  EXPECT_DOUBLE_EQ(one.stddev, 0.0);
  EXPECT_EQ(summarize({}).n, 0u);
}

BenchReport sample_report() {
  BenchReport r;
  r.model = "models/x/model.pdmodel";
  r.model_name = "x";
  r.input = "synthetic 1280x720 JPEG";
  r.runs = 5;
  r.warmup = 1;
  r.environment.cpu_model = "Test CPU <fast>";
  for (int threads : {1, 2}) {
    ComboResult c;
    c.backend = "native";
    c.threads = threads;
    c.batch = 1;
    const double scale = threads == 1 ? 1.0 : 0.6;
    c.decode = summarize({0.004, 0.004, 0.005});
    c.preprocess = summarize({0.001, 0.001, 0.001});
    c.inference = summarize({0.020 * scale, 0.021 * scale, 0.022 * scale});
    c.postprocess = summarize({0.0005, 0.0005, 0.0005});
    c.end_to_end_samples = {0.0255 * scale + 0.005, 0.0265 * scale + 0.005, 0.0275 * scale + 0.005};
    c.end_to_end = summarize(c.end_to_end_samples);
    c.images_per_second = 1 / c.end_to_end.p50;
    c.op_types = {{"conv2d+swish", "onednn:brgconv:avx512_core", 40, 0.015 * scale, 3e9, 0.75},
                  {"concat", "native", 5, 0.002 * scale, 0, 0.1}};
    r.combos.push_back(c);
  }
  r.verdict = make_verdict(r);
  return r;
}

TEST(Report, VerdictNamesTheBottleneckAndWhatHelps) {
  const BenchReport r = sample_report();
  EXPECT_NE(r.verdict.find("native backend, 2 threads, batch 1"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("The bottleneck is inference"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("conv2d+swish takes 75%"), std::string::npos) << r.verdict;
  // decode 4 ms + preprocess 1 + post 0.5 of ~22 ms: over 10%.
  EXPECT_NE(r.verdict.find("--reduced-decode"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("2 threads vs 1"), std::string::npos) << r.verdict;
}

TEST(Report, JsonRoundTripsAndIsVersioned) {
  const BenchReport r = sample_report();
  const auto j = to_json(r);
  EXPECT_EQ(j["schema"], "detport.bench/1");
  auto back = report_from_json(j, "mem");
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(to_json(*back).dump(), j.dump());
  auto wrong = report_from_json(nlohmann::json{{"schema", "other/9"}}, "x.json");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("not a detport bench report"), std::string::npos);
  EXPECT_EQ(wrong.error().context, "x.json: /schema");
}

TEST(Report, HtmlIsSelfContainedAndEscaped) {
  const BenchReport r = sample_report();
  const std::string html = render_html({r, r}, {"machine-a", "machine-b"});
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Test CPU &lt;fast&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"),
            html.find("http://www.w3.org/2000/svg"));  // no external resources
  EXPECT_NE(html.find("machine-b native t2 b1"), std::string::npos);
}

TEST(Report, HtmlRendersInHeadlessChromium) {
  if (testing::run_command("command -v chromium").exit_code != 0)
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  testing::TempDir dir;
  const auto path = dir / "report.html";
  testing::spit(path, render_html({sample_report()}, {""}));
  // --dump-dom prints the DOM after parsing and layout: the charts and tables must be in it.
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking "
      "--disable-component-update --disable-sync --user-data-dir='" +
      (dir / "profile").string() + "'";
  auto r = testing::run_command("timeout 120 chromium " + flags + " --dump-dom 'file://" +
                                path.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<svg class=\"chart\""), std::string::npos) << r.out.substr(0, 500);
  EXPECT_NE(r.out.find("Where the time goes"), std::string::npos);
  auto shot = testing::run_command("timeout 120 chromium " + flags + " --screenshot='" +
                                   (dir / "shot.png").string() +
                                   "' --window-size=1200,900 'file://" + path.string() + "'");
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_GT(std::filesystem::file_size(dir / "shot.png"), 10000u);
}

}  // namespace
}  // namespace detport::bench
