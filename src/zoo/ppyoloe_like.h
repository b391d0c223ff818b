// A PP-YOLOE+-shaped detector built with the IR builder, with the op mix and attribute sets of a
// real PP-YOLOE+ export (../shared/models/ppyoloe_plus_p24): swish activations, ESE attention
// (reduce_mean + hard_sigmoid), SPP max pools, nearest upsampling, a distribution-focal box head
// (softmax + a fixed 1x1 projection conv), decoding by scale_factor and multiclass_nms3.
#pragma once

#include <cstdint>

#include "ir/deploy_config.h"
#include "ir/model.h"

namespace detport::zoo {

struct PPYoloEOptions {
  int64_t input_size = 320;  // square, a multiple of 32
  int64_t num_classes = 4;
  int64_t width = 32;  // neck and head channels
  int reg_max = 16;    // DFL bins - 1, as PP-YOLOE+ uses
};

// Ops carry the attributes Paddle's Python layers set (e.g. swish beta, conv2d/softmax use_cudnn
// as on a CUDA build) before any exporter clips them; compat::apply_export_form turns the model
// into a given release's export form. ProgramDesc.version and op_version_map are left unset.
ir::Model ppyoloe_like(const PPYoloEOptions& options = {});

// infer_cfg.yml as PaddleDetection writes it for PP-YOLOE+ (Resize interp 2, NormalizeImage
// without mean/std scaling, Permute).
ir::DeployConfig ppyoloe_deploy_config(const PPYoloEOptions& options = {});

}  // namespace detport::zoo
