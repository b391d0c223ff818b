// Every neural-network op of the real exports in ../shared/models, with its exact attributes (each
// distinct attribute set once) and the shapes its program declares (unknown batch -> 1, unknown
// spatial dims -> 16), compiled and run on both paths: the attribute sets Paddle really writes must
// be accepted (or refused with a clear message) and the optimised kernels must agree with the
// references on them. Weights come from the params file when present, random otherwise.
#include <set>

#include "formats/model_io.h"
#include "nn_test_util.h"
#include "test_support.h"

namespace detport::testing {
namespace {

const std::set<std::string>& nn_ops() {
  static const std::set<std::string> ops{"pool2d",
                                         "batch_norm",
                                         "layer_norm",
                                         "group_norm",
                                         "instance_norm",
                                         "softmax",
                                         "log_softmax",
                                         "matmul",
                                         "matmul_v2",
                                         "mul",
                                         "fc",
                                         "nearest_interp",
                                         "nearest_interp_v2",
                                         "bilinear_interp",
                                         "bilinear_interp_v2",
                                         "bicubic_interp_v2",
                                         "linear_interp_v2",
                                         "conv2d_transpose",
                                         "depthwise_conv2d_transpose",
                                         "pad2d",
                                         "pad3d",
                                         "pixel_shuffle",
                                         "prelu",
                                         "p_norm",
                                         "deformable_conv",
                                         "deformable_conv_v1",
                                         "grid_sampler",
                                         "affine_channel",
                                         "lrn"};
  return ops;
}

Tensor input_for(const ir::Model& m, const std::string& name, uint32_t seed) {
  const ir::Var* var = m.program.global_block().find_var(name);
  Dims dims = var != nullptr && var->tensor ? var->tensor->dims : Dims{1};
  for (std::size_t i = 0; i < dims.size(); ++i)
    if (dims[i] < 0) dims[i] = i == 0 ? 1 : 16;
  if (auto w = m.weights.find(name);
      w != m.weights.end() && w->second.dtype == ir::DType::kFloat32) {
    Tensor t = Tensor::empty(ir::DType::kFloat32, w->second.dims);
    std::memcpy(t.raw(), w->second.bytes.data(), t.bytes());
    return t;
  }
  // Variances must stay positive; everything else is centred noise.
  const bool variance = name.find(".w_2") != std::string::npos;
  return random_tensor(dims, seed, variance ? 0.5f : -1.0f, variance ? 1.5f : 1.0f);
}

TEST(RealModelAttributes, OptimizedMatchesReferenceOnEveryNnOp) {
  DETPORT_REQUIRE_SHARED(models_dir());
  int checked = 0;
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(models_dir())) {
    if (!entry.is_directory() || entry.path().filename().string().rfind("pir_", 0) == 0) continue;
    auto model = formats::load_model(entry.path());
    if (!model.ok()) continue;  // graph-only or unreadable models are other tests' business
    uint32_t seed = 1;
    for (const ir::Op& op : model->program.global_block().ops) {
      if (nn_ops().count(op.type) == 0) continue;
      std::vector<OpInput> inputs;
      std::string key = op.type;
      for (const auto& slot : op.inputs)
        for (const auto& arg : slot.args) {
          const ir::Var* var = model->program.global_block().find_var(arg);
          const bool constant = var != nullptr && var->is_persistable();
          inputs.push_back({slot.name, input_for(*model, arg, seed++), constant});
          key += slot.name + ";";
        }
      for (const auto& a : op.attrs)  // op_callstack, op_namescope, ... differ on every op
        if (a.name.rfind("op_", 0) != 0) key += a.name + "=" + a.value.to_string() + ";";
      if (!seen.insert(key).second) continue;
      std::vector<OpOutput> outputs;
      for (const auto& slot : op.outputs)
        if (!slot.args.empty())
          outputs.push_back({slot.name, ir::DType::kFloat32, static_cast<int>(slot.args.size())});
      SCOPED_TRACE(entry.path().filename().string() + ": " + op.type + " -> " +
                   op.outputs[0].args[0]);
      // The direct reference of a 512-channel deformable conv takes minutes in a debug build; there
      // the optimised path alone must accept the attributes (deformable_conv_test compares).
      int64_t work = 1;
      for (const auto& in : inputs)
        if (in.slot == "Filter" || in.slot == "Input") work *= in.value.numel();
      if (op.type == "deformable_conv" && work > (int64_t{1} << 28)) {
        auto r = run_model(one_op_model(op.type, inputs, op.attrs, outputs), feeds(inputs), true);
        EXPECT_TRUE(r.ok()) << r.error().describe();
      } else {
        check_optimized_matches_reference(op.type, inputs, op.attrs, outputs, 1e-4);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10) << "expected the real exports' pool2d/interp/softmax/... ops";
}

}  // namespace
}  // namespace detport::testing
