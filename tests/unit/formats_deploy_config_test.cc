#include <gtest/gtest.h>

#include "formats/deploy_config/deploy_config_reader.h"
#include "formats/deploy_config/deploy_config_writer.h"
#include "formats/deploy_config/yaml_scalar.h"

namespace detport::formats {
namespace {

constexpr const char* kPicoDet = R"(mode: paddle
draw_threshold: 0.5
metric: COCO
use_dynamic_shape: false
arch: GFL
min_subgraph_size: 3
Preprocess:
- interp: 2
  keep_ratio: false
  target_size:
  - 800
  - 608
  type: Resize
- is_scale: true
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
  type: NormalizeImage
- type: Permute
- stride: 32
  type: PadStride
label_list:
- Text
- '123'
- 7
NMS:
  keep_top_k: 100
  name: MultiClassNMS
  nms_threshold: 0.5
  nms_top_k: 1000
  score_threshold: 0.3
fpn_stride: [8, 16, 32, 64]
)";

TEST(DeployConfig, ReadsPaddleDetectionConfigs) {
  auto cfg = parse_deploy_config(kPicoDet, "infer_cfg.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().describe();
  EXPECT_EQ(cfg->flavor, ir::DeployConfig::Flavor::kPaddleDetection);
  EXPECT_EQ(cfg->arch, "GFL");
  EXPECT_EQ(cfg->mode, "paddle");
  EXPECT_EQ(cfg->min_subgraph_size, 3);
  EXPECT_EQ(cfg->draw_threshold, 0.5);
  EXPECT_EQ(cfg->use_dynamic_shape, false);
  ASSERT_EQ(cfg->preprocess.size(), 4u);
  EXPECT_EQ(cfg->preprocess[0].type, "Resize");
  EXPECT_EQ(cfg->preprocess[0].params["target_size"], (nlohmann::ordered_json{800, 608}));
  EXPECT_EQ(cfg->preprocess[0].params["interp"], 2);
  EXPECT_EQ(cfg->preprocess[0].params.count("type"), 0u);
  EXPECT_EQ(cfg->preprocess[1].params["is_scale"], true);
  EXPECT_DOUBLE_EQ(cfg->preprocess[1].params["mean"][1].get<double>(), 0.456);
  EXPECT_EQ(cfg->preprocess[3].params["stride"], 32);
  EXPECT_EQ(cfg->label_list, (std::vector<std::string>{"Text", "123", "7"}));
  ASSERT_TRUE(cfg->nms.has_value());
  EXPECT_EQ(cfg->nms->name, "MultiClassNMS");
  EXPECT_EQ(cfg->nms->keep_top_k, 100);
  EXPECT_EQ(cfg->nms->score_threshold, 0.3);
  EXPECT_EQ(cfg->fpn_stride, (std::vector<int64_t>{8, 16, 32, 64}));
}

TEST(DeployConfig, ReadsPaddleXClassificationConfigs) {
  auto cfg = parse_deploy_config(R"(Global:
  model_name: PP-LCNet_x0_25_textline_ori
PreProcess:
  transform_ops:
  - ResizeImage:
      size: [160, 80]
  - NormalizeImage:
      scale: 0.00392156862745098
      order: ''
  - ToCHWImage: null
PostProcess:
  Topk:
    topk: 1
)",
                                 "inference.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().describe();
  EXPECT_EQ(cfg->flavor, ir::DeployConfig::Flavor::kPaddleX);
  EXPECT_EQ(cfg->model_name, "PP-LCNet_x0_25_textline_ori");
  ASSERT_EQ(cfg->preprocess.size(), 3u);
  EXPECT_EQ(cfg->preprocess[0].type, "ResizeImage");
  EXPECT_EQ(cfg->preprocess[1].params["order"], "");
  EXPECT_TRUE(cfg->preprocess[2].params.empty());
}

TEST(DeployConfig, TypesScalarsAsPyYaml) {
  EXPECT_EQ(plain_scalar("1"), 1);
  EXPECT_EQ(plain_scalar("-12_0"), -120);
  EXPECT_EQ(plain_scalar("0.5"), 0.5);
  EXPECT_EQ(plain_scalar("1./255."), "1./255.");  // PaddleOCR writes this; it is a string to PyYAML
  EXPECT_EQ(plain_scalar("1e5"), "1e5");          // no dot: a string in YAML 1.1
  EXPECT_EQ(plain_scalar("1.0e+5"), 100000.0);
  EXPECT_EQ(plain_scalar("yes"), true);
  EXPECT_EQ(plain_scalar("Off"), false);
  EXPECT_TRUE(plain_scalar("~").is_null());
  EXPECT_EQ(plain_scalar("nearest"), "nearest");
}

struct Bad {
  std::string text;
  std::string context;
  std::string message;
};

TEST(DeployConfig, BadInputIsNamedPrecisely) {
  const std::vector<Bad> cases{
      {"a: [1, 2\n", "cfg.yml: line", "not valid YAML"},
      {"- 1\n- 2\n", "cfg.yml", "expected a mapping"},
      {"Preprocess: 3\n", "cfg.yml: Preprocess",
       "expected a sequence of transforms, found an integer"},
      {"Preprocess:\n- interp: 2\n", "cfg.yml: Preprocess[0]", "no 'type' key"},
      {"Preprocess:\n- type: [1]\n", "cfg.yml: Preprocess[0].type",
       "expected a string, found a sequence"},
      {"label_list: {a: 1}\n", "cfg.yml: label_list", "expected a sequence of names"},
      {"draw_threshold: high\n", "cfg.yml: draw_threshold", "expected a number, found a string"},
      {"min_subgraph_size: 2.5\n", "cfg.yml: min_subgraph_size", "expected an integer"},
      {"NMS:\n  keep_top_k: many\n", "cfg.yml: NMS.keep_top_k", "expected an integer"},
      {"fpn_stride: [8, x]\n", "cfg.yml: fpn_stride[1]", "expected an integer"},
      {std::string(200, '[') + std::string(200, ']'), "cfg.yml: line 1", "nest more than 64"},
      {std::string("a: 1\0b: 2", 9), "cfg.yml", "NUL"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text.substr(0, 40));
    auto r = parse_deploy_config(c.text, "cfg.yml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().context.find(c.context), std::string::npos) << r.error().describe();
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().describe();
  }
}

TEST(DeployConfig, AliasBombIsBounded) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev)
    text += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  auto r = parse_deploy_config(text, "bomb.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expands to more than"), std::string::npos)
      << r.error().describe();
}

TEST(DeployConfig, WriterRoundTrips) {
  auto cfg = parse_deploy_config(kPicoDet, "infer_cfg.yml");
  ASSERT_TRUE(cfg.ok());
  cfg->raw["label_list"].push_back("true");  // a string that must stay a string
  auto text = emit_deploy_config(*cfg);
  ASSERT_TRUE(text.ok()) << text.error().describe();
  auto back = parse_deploy_config(*text, "again.yml");
  ASSERT_TRUE(back.ok()) << back.error().describe() << "\n" << *text;
  EXPECT_EQ(back->raw, cfg->raw);
  EXPECT_EQ(back->label_list.back(), "true");
}

}  // namespace
}  // namespace detport::formats
