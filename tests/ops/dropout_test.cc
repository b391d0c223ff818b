// dropout at inference: upscale_in_train is the identity, downgrade_in_infer scales by 1 - p
// (Paddle's is_test semantics), in both attribute spellings (legacy dropout_implementation, PIR
// mode with a constant p input); training-mode dropout is refused.
#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

TEST(Dropout, UpscaleInTrainIsTheIdentity) {
  Tensor x = random_tensor({2, 3, 5}, 1);
  auto out = run_reference("dropout", {{"X", x}},
                           {{"is_test", Attribute::boolean(true)},
                            {"dropout_prob", Attribute::f32(0.3f)},
                            {"dropout_implementation", Attribute::str("upscale_in_train")}},
                           {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), x.to_vector<float>());
}

TEST(Dropout, DowngradeInInferScalesByTheKeepProbability) {
  Tensor x = Tensor::from({4}, std::vector<float>{1, -2, 4, 0.5f}, ir::DType::kFloat32);
  // Legacy default mode, dropout_prob 0.25: x * 0.75.
  auto legacy = run_reference(
      "dropout", {{"X", x}},
      {{"is_test", Attribute::boolean(true)}, {"dropout_prob", Attribute::f32(0.25f)}}, {{"Out"}});
  ASSERT_EQ(legacy.size(), 1u);
  EXPECT_EQ(legacy[0].tensor.to_vector<float>(), (std::vector<float>{0.75f, -1.5f, 3, 0.375f}));
  // PIR form: mode attribute, probability from the constant input p = 0.5.
  auto pir = run_reference(
      "dropout",
      {{"X", x}, {"p", Tensor::from({1}, std::vector<float>{0.5f}, ir::DType::kFloat32), true}},
      {{"is_test", Attribute::boolean(true)}, {"mode", Attribute::str("downgrade_in_infer")}},
      {{"Out"}, {"Mask", ir::DType::kUInt8}});
  ASSERT_EQ(pir.size(), 2u);
  EXPECT_EQ(pir[0].tensor.to_vector<float>(), (std::vector<float>{0.5f, -1, 2, 0.25f}));
}

TEST(Dropout, TrainingModeIsRefused) {
  Tensor x = random_tensor({3}, 2);
  const ir::Model model =
      one_op_model("dropout", {{"X", x}}, {{"is_test", Attribute::boolean(false)}}, {{"Out"}});
  auto r = run_model(model, feeds({{"X", x}}), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("training-mode dropout"), std::string::npos)
      << r.error().describe();
}

}  // namespace
}  // namespace detport::testing
