// Region proposal ops of Faster/Mask R-CNN: generate_proposals (v1, ImInfo), generate_proposals_v2
// (ImShape, pixel_offset), distribute_fpn_proposals and collect_fpn_proposals.
//
// Paddle's definitions:
//  - generate_proposals(_v2) (paddle/phi/kernels/cpu/generate_proposals_kernel.cc, fluid
//    generate_proposals_op.cc for v1): per image, Scores [N, A, H, W] and BboxDeltas [N, 4A, H, W]
//    are read in (h, w, a) order against Anchors/Variances [H, W, A, 4]. The pre_nms_topN best
//    scores are taken with std::nth_element (all of them, std::sort-ed, when pre_nms_topN <= 0 or
//    >= the count); deltas decode against anchors (off = pixel_offset ? 1 : 0: width = x2 - x1 +
//    off, center = x1 + 0.5 * width, dw/dh clipped at log(1000/16), box = center -/+ size/2, minus
//    off on x2/y2); boxes are clipped to [0, im_w - off] x [0, im_h - off] (v1: the image size
//    divided by ImInfo's scale, rounded); boxes narrower or lower than max(min_size, 1) (v1:
//    measured in the original image scale) or, with pixel_offset, centred outside the image are
//    dropped; if none remain the image yields one all-zero box with score 0. Then NMS (nms.h
//    proposal_nms) unless nms_thresh <= 0, cut to post_nms_topN (when > 0).
//    Outputs RpnRois [R, 4], RpnRoiProbs [R, 1], RpnRoisNum [N] int32.
//  - distribute_fpn_proposals (phi distribute_fpn_proposals_kernel.cc): level =
//    floor(log2(sqrt(area) / refer_scale + 1e-6) + refer_level) clamped to [min_level, max_level]
//    (area with +1 sides when pixel_offset). MultiFpnRois[l] keeps the input order (images in
//    turn); RestoreIndex[i] is ROI i's row in the levels' concatenation; MultiLevelRoIsNum[l] [N].
//  - collect_fpn_proposals (fluid collect_fpn_proposals_op.h): all levels' ROIs ranked by score
//    with std::stable_sort and Paddle's comparator `a >= b` (ties come out as libstdc++'s merge
//    leaves them, reproduced here with the same call), cut to post_nms_topN, then stably grouped
//    by image. RoisNum [N] counts the rows of each image.
// Without a RoisNum input the runtime (which carries no LoD) treats all ROIs as one image.
#include <cmath>
#include <numeric>

#include "runtime/kernels/detection/detection_util.h"
#include "runtime/kernels/detection/nms.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

// ---- generate_proposals ----

struct ProposalAttrs {
  bool v2 = true;
  int pre_nms_top_n = 6000, post_nms_top_n = 1000;
  float nms_thresh = 0.5f, min_size = 0.1f, eta = 1.0f;
  bool pixel_offset = true;
  const char* im_slot() const { return v2 ? "ImShape" : "ImInfo"; }
};

ProposalAttrs proposal_attrs(const ir::Op& op) {
  ProposalAttrs a;
  a.v2 = op.type == "generate_proposals_v2";
  a.pre_nms_top_n = static_cast<int>(op.int_attr("pre_nms_topN", 6000));
  a.post_nms_top_n = static_cast<int>(op.int_attr("post_nms_topN", 1000));
  a.nms_thresh = static_cast<float>(op.float_attr("nms_thresh", 0.5));
  a.min_size = static_cast<float>(op.float_attr("min_size", 0.1));
  a.eta = static_cast<float>(op.float_attr("eta", 1.0));
  a.pixel_offset = a.v2 ? op.bool_attr("pixel_offset", true) : true;
  return a;
}

Status infer_proposals(InferContext& ctx) {
  const ProposalAttrs a = proposal_attrs(ctx.op());
  for (const char* slot : {"Scores", "BboxDeltas", a.im_slot(), "Anchors", "Variances"})
    DETPORT_TRY(require_input(ctx, slot));
  const TensorMeta& s = ctx.input("Scores");
  const TensorMeta& d = ctx.input("BboxDeltas");
  const TensorMeta& im = ctx.input(a.im_slot());
  if (!du::is_float_type(s.dtype)) return ctx.error("Scores must be float");
  for (const char* slot : {"BboxDeltas", a.im_slot(), "Anchors", "Variances"})
    if (ctx.input(slot).dtype != s.dtype)
      return ctx.error(fmt::format("{} must have the element type of Scores", slot));
  if (s.dims.size() != 4 || d.dims.size() != 4 || d.dims[0] != s.dims[0] ||
      d.dims[1] != 4 * s.dims[1] || d.dims[2] != s.dims[2] || d.dims[3] != s.dims[3])
    return ctx.error(
        fmt::format("expected Scores [N, A, H, W] and BboxDeltas [N, 4A, H, W], got "
                    "{} and {}",
                    dims_to_string(s.dims), dims_to_string(d.dims)));
  const int64_t per_image = s.dims[1] * s.dims[2] * s.dims[3];
  for (const char* slot : {"Anchors", "Variances"})
    if (ctx.input(slot).numel() != per_image * 4)
      return ctx.error(fmt::format("{} {} does not hold H*W*A = {} boxes", slot,
                                   dims_to_string(ctx.input(slot).dims), per_image));
  const int64_t im_cols = a.v2 ? 2 : 3;
  if (im.dims.size() != 2 || im.dims[0] != s.dims[0] || im.dims[1] < im_cols)
    return ctx.error(
        fmt::format("{} must be [N, {}], got {}", a.im_slot(), im_cols, dims_to_string(im.dims)));
  ctx.set_dynamic_output("RpnRois", 0, {s.dtype, {-1, 4}});
  ctx.set_dynamic_output("RpnRoiProbs", 0, {s.dtype, {-1, 1}});
  if (ctx.has_output("RpnRoisNum")) ctx.set_output("RpnRoisNum", {DType::kInt32, {s.dims[0]}});
  return {};
}

template <typename T>
void one_image(const ProposalAttrs& a, const T* im, const std::vector<T>& scores,
               const std::vector<T>& deltas, const T* anchors, const T* vars,
               std::vector<T>& out_boxes, std::vector<T>& out_scores) {
  const int n = static_cast<int>(scores.size());
  std::vector<int> index(static_cast<std::size_t>(n));
  std::iota(index.begin(), index.end(), 0);
  auto compare = [&](const int64_t& i, const int64_t& j) {
    return scores[static_cast<std::size_t>(i)] > scores[static_cast<std::size_t>(j)];
  };
  int count = n;
  if (a.pre_nms_top_n <= 0 || a.pre_nms_top_n >= n) {
    std::sort(index.begin(), index.end(), compare);
  } else {
    std::nth_element(index.begin(), index.begin() + a.pre_nms_top_n, index.end(), compare);
    count = a.pre_nms_top_n;
  }
  const T off = a.pixel_offset ? T(1) : T(0);
  const T clip = static_cast<T>(std::log(1000.0 / 16.0));
  std::vector<T> boxes(static_cast<std::size_t>(count) * 4), sel(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    const auto i = static_cast<std::size_t>(index[static_cast<std::size_t>(k)]);
    const T* an = anchors + i * 4;
    const T* v = vars + i * 4;
    const T* dl = deltas.data() + i * 4;
    const T aw = an[2] - an[0] + off, ah = an[3] - an[1] + off;
    const T acx = static_cast<T>(an[0] + 0.5 * aw), acy = static_cast<T>(an[1] + 0.5 * ah);
    const T cx = v[0] * dl[0] * aw + acx;
    const T cy = v[1] * dl[1] * ah + acy;
    const T w = std::exp(std::min<T>(v[2] * dl[2], clip)) * aw;
    const T h = std::exp(std::min<T>(v[3] * dl[3], clip)) * ah;
    T* b = boxes.data() + static_cast<std::size_t>(k) * 4;
    b[0] = cx - w / 2;
    b[1] = cy - h / 2;
    b[2] = cx + w / 2 - off;
    b[3] = cy + h / 2 - off;
    sel[static_cast<std::size_t>(k)] = scores[i];
  }
  // Clip to the image (v1: the original image, ImInfo = (h, w, scale)).
  const T im_w = a.v2 ? im[1] : static_cast<T>(std::round(im[1] / im[2]));
  const T im_h = a.v2 ? im[0] : static_cast<T>(std::round(im[0] / im[2]));
  for (std::size_t i = 0; i < boxes.size(); ++i)
    boxes[i] = std::max(std::min(boxes[i], (i % 4 == 0 || i % 4 == 2 ? im_w : im_h) - off), T(0));
  // Filter small boxes.
  const float min_size = std::max(a.min_size, 1.0f);
  std::vector<T> kept_boxes, kept_scores;
  for (int k = 0; k < count; ++k) {
    const T* b = boxes.data() + static_cast<std::size_t>(k) * 4;
    T ws = b[2] - b[0] + off, hs = b[3] - b[1] + off;
    bool keep;
    if (a.pixel_offset) {
      const T x_ctr = b[0] + ws / 2, y_ctr = b[1] + hs / 2;
      if (!a.v2) {
        ws = (b[2] - b[0]) / im[2] + 1;
        hs = (b[3] - b[1]) / im[2] + 1;
      }
      keep = ws >= min_size && hs >= min_size && x_ctr <= im[1] && y_ctr <= im[0];
    } else {
      keep = ws >= min_size && hs >= min_size;
    }
    if (!keep) continue;
    kept_boxes.insert(kept_boxes.end(), b, b + 4);
    kept_scores.push_back(sel[static_cast<std::size_t>(k)]);
  }
  if (kept_scores.empty()) {
    out_boxes.insert(out_boxes.end(), 4, T(0));
    out_scores.push_back(T(0));
    return;
  }
  if (a.nms_thresh <= 0) {
    out_boxes.insert(out_boxes.end(), kept_boxes.begin(), kept_boxes.end());
    out_scores.insert(out_scores.end(), kept_scores.begin(), kept_scores.end());
    return;
  }
  auto keep = detection::proposal_nms<T>(kept_boxes.data(), kept_scores.data(),
                                         static_cast<int64_t>(kept_scores.size()),
                                         static_cast<T>(a.nms_thresh), a.eta, a.pixel_offset);
  if (a.post_nms_top_n > 0 && static_cast<std::size_t>(a.post_nms_top_n) < keep.size())
    keep.resize(static_cast<std::size_t>(a.post_nms_top_n));
  for (int64_t k : keep) {
    const auto u = static_cast<std::size_t>(k);
    out_boxes.insert(out_boxes.end(), kept_boxes.begin() + static_cast<std::ptrdiff_t>(u * 4),
                     kept_boxes.begin() + static_cast<std::ptrdiff_t>(u * 4 + 4));
    out_scores.push_back(kept_scores[u]);
  }
}

class GenerateProposals final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const ProposalAttrs a = proposal_attrs(ctx.op());
    const Tensor& s = ctx.input("Scores");
    return du::dispatch_float(ctx, s.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      const Tensor& d = ctx.input("BboxDeltas");
      const Tensor& im = ctx.input(a.im_slot());
      const int64_t n = s.dim(0), an = s.dim(1), h = s.dim(2), w = s.dim(3), hw = h * w;
      std::vector<std::vector<T>> boxes(static_cast<std::size_t>(n)),
          probs(static_cast<std::size_t>(n));
      for (int64_t b = 0; b < n; ++b) {
        // Transpose this image's scores and deltas to (h, w, a) order.
        std::vector<T> sc(static_cast<std::size_t>(an * hw)),
            dl(static_cast<std::size_t>(an * hw * 4));
        const T* ps = s.data<T>() + b * an * hw;
        const T* pd = d.data<T>() + b * an * 4 * hw;
        for (int64_t c = 0; c < an; ++c)
          for (int64_t p = 0; p < hw; ++p)
            sc[static_cast<std::size_t>(p * an + c)] = ps[c * hw + p];
        for (int64_t c = 0; c < an * 4; ++c)
          for (int64_t p = 0; p < hw; ++p)
            dl[static_cast<std::size_t>(p * an * 4 + c)] = pd[c * hw + p];
        one_image<T>(a, im.data<T>() + b * im.dim(1), sc, dl, ctx.input("Anchors").data<T>(),
                     ctx.input("Variances").data<T>(), boxes[static_cast<std::size_t>(b)],
                     probs[static_cast<std::size_t>(b)]);
      }
      int64_t total = 0;
      for (const auto& p : probs) total += static_cast<int64_t>(p.size());
      T* rois = ctx.allocate("RpnRois", 0, {s.dtype(), {total, 4}}).data<T>();
      T* pr = ctx.allocate("RpnRoiProbs", 0, {s.dtype(), {total, 1}}).data<T>();
      for (int64_t b = 0; b < n; ++b) {
        rois = std::copy(boxes[static_cast<std::size_t>(b)].begin(),
                         boxes[static_cast<std::size_t>(b)].end(), rois);
        pr = std::copy(probs[static_cast<std::size_t>(b)].begin(),
                       probs[static_cast<std::size_t>(b)].end(), pr);
        if (ctx.has_output("RpnRoisNum"))
          ctx.output("RpnRoisNum").data<int32_t>()[b] =
              static_cast<int32_t>(probs[static_cast<std::size_t>(b)].size());
      }
      return {};
    });
  }
};

// ---- distribute_fpn_proposals ----

struct DistributeAttrs {
  int min_level = 0, max_level = 0, refer_level = 0, refer_scale = 0;
  bool pixel_offset = true;
  int levels() const { return max_level - min_level + 1; }
};

Result<DistributeAttrs> distribute_attrs(const ir::Op& op) {
  DistributeAttrs a;
  for (auto [name, into] : {std::pair{"min_level", &a.min_level},
                            {"max_level", &a.max_level},
                            {"refer_level", &a.refer_level},
                            {"refer_scale", &a.refer_scale}}) {
    DETPORT_ASSIGN(*into, du::required_int(op, name));
  }
  a.pixel_offset = op.bool_attr("pixel_offset", true);
  if (a.max_level < a.min_level)
    return make_error(ErrorCode::kInvalidInput, "max_level is below min_level");
  if (a.refer_scale <= 0)
    return make_error(ErrorCode::kInvalidInput, "refer_scale must be positive");
  return a;
}

Status infer_distribute(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "FpnRois"));
  auto a = distribute_attrs(ctx.op());
  if (!a.ok()) return ctx.error(a.error().message);
  const TensorMeta& rois = ctx.input("FpnRois");
  if (rois.dims.size() != 2 || rois.dims[1] != 4 || !du::is_float_type(rois.dtype))
    return ctx.error(
        fmt::format("FpnRois must be float [R, 4], got {}", dims_to_string(rois.dims)));
  int64_t images = 1;
  if (ctx.has_input("RoisNum")) images = ctx.input("RoisNum").numel();
  if (ctx.output_count("MultiFpnRois") != static_cast<std::size_t>(a->levels()))
    return ctx.error(fmt::format("{} MultiFpnRois outputs for {} levels",
                                 ctx.output_count("MultiFpnRois"), a->levels()));
  for (std::size_t l = 0; l < ctx.output_count("MultiFpnRois"); ++l)
    ctx.set_dynamic_output("MultiFpnRois", l, {rois.dtype, {-1, 4}});
  for (std::size_t l = 0; l < ctx.output_count("MultiLevelRoIsNum"); ++l)
    ctx.set_output("MultiLevelRoIsNum", l, {DType::kInt32, {images}});
  if (ctx.has_output("RestoreIndex"))
    ctx.set_output("RestoreIndex", {DType::kInt32, {rois.dims[0], 1}});
  return {};
}

class Distribute final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    auto a = distribute_attrs(ctx.op());
    if (!a.ok()) return ctx.error(a.error().message);
    const Tensor& rois = ctx.input("FpnRois");
    const int64_t r = rois.dim(0);
    std::vector<int64_t> first{0, r};
    if (ctx.has_input("RoisNum")) {
      auto off = du::offsets_from_rois_num(ctx.input("RoisNum"), r);
      if (!off.ok()) return ctx.error(off.error().message);
      first = *off;
    }
    return du::dispatch_float(ctx, rois.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      const int levels = a->levels();
      const T* p = rois.data<T>();
      std::vector<int> level(static_cast<std::size_t>(r));
      std::vector<int64_t> per_level(static_cast<std::size_t>(levels), 0);
      for (int64_t i = 0; i < r; ++i) {
        const T scale = std::sqrt(detection::box_area(p + i * 4, !a->pixel_offset));
        const T lv =
            std::floor(std::log2(scale / static_cast<T>(a->refer_scale) + static_cast<T>(1e-6)) +
                       static_cast<T>(a->refer_level));
        const int l =
            static_cast<int>(du::clamp_to_int(lv, a->min_level, a->max_level)) - a->min_level;
        level[static_cast<std::size_t>(i)] = l;
        ++per_level[static_cast<std::size_t>(l)];
      }
      std::vector<T*> dst(static_cast<std::size_t>(levels));
      std::vector<int64_t> start(static_cast<std::size_t>(levels), 0), next(start);
      for (int l = 0; l < levels; ++l) {
        dst[static_cast<std::size_t>(l)] =
            ctx.allocate("MultiFpnRois", static_cast<std::size_t>(l),
                         {rois.dtype(), {per_level[static_cast<std::size_t>(l)], 4}})
                .template data<T>();
        if (l > 0)
          start[static_cast<std::size_t>(l)] =
              start[static_cast<std::size_t>(l) - 1] + per_level[static_cast<std::size_t>(l) - 1];
      }
      const bool counts = ctx.output_count("MultiLevelRoIsNum") == static_cast<std::size_t>(levels);
      int32_t* restore =
          ctx.has_output("RestoreIndex") ? ctx.output("RestoreIndex").data<int32_t>() : nullptr;
      for (std::size_t img = 0; img + 1 < first.size(); ++img) {
        if (counts)
          for (int l = 0; l < levels; ++l)
            ctx.output("MultiLevelRoIsNum", static_cast<std::size_t>(l)).data<int32_t>()[img] = 0;
        for (int64_t i = first[img]; i < first[img + 1]; ++i) {
          const auto l = static_cast<std::size_t>(level[static_cast<std::size_t>(i)]);
          std::copy_n(p + i * 4, 4, dst[l] + next[l] * 4);
          if (restore != nullptr) restore[i] = static_cast<int32_t>(start[l] + next[l]);
          ++next[l];
          if (counts) ++ctx.output("MultiLevelRoIsNum", l).data<int32_t>()[img];
        }
      }
      return {};
    });
  }
};

// ---- collect_fpn_proposals ----

Status infer_collect(InferContext& ctx) {
  const std::size_t levels = ctx.input_count("MultiLevelRois");
  if (levels == 0 || ctx.input_count("MultiLevelScores") != levels)
    return ctx.error("MultiLevelRois and MultiLevelScores must list the same levels");
  const std::size_t nums = ctx.input_count("MultiLevelRoIsNum");
  if (nums != 0 && nums != levels) return ctx.error("MultiLevelRoIsNum must list every level");
  if (ctx.op().int_attr("post_nms_topN", 100) < 0) return ctx.error("post_nms_topN is negative");
  const DType t = ctx.input("MultiLevelRois").dtype;
  for (std::size_t l = 0; l < levels; ++l) {
    const TensorMeta& r = ctx.input("MultiLevelRois", l);
    const TensorMeta& s = ctx.input("MultiLevelScores", l);
    if (r.dtype != t || s.dtype != t || !du::is_float_type(t))
      return ctx.error("every level's ROIs and scores must share one float type");
    if (r.dims.size() != 2 || r.dims[1] != 4 || s.numel() != r.dims[0])
      return ctx.error(fmt::format("level {}: ROIs {} and scores {} do not match", l,
                                   dims_to_string(r.dims), dims_to_string(s.dims)));
  }
  const int64_t images = nums == 0 ? 1 : ctx.input("MultiLevelRoIsNum").numel();
  ctx.set_dynamic_output("FpnRois", 0, {t, {-1, 4}});
  if (ctx.has_output("RoisNum")) ctx.set_output("RoisNum", {DType::kInt32, {images}});
  return {};
}

template <typename T>
struct Ranked {
  T score;
  int64_t index;
  int level;
  int64_t image;
};

class Collect final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const std::size_t levels = ctx.input_count("MultiLevelRois");
    const bool has_nums = ctx.input_count("MultiLevelRoIsNum") == levels;
    const Tensor& first = ctx.input("MultiLevelRois");
    return du::dispatch_float(ctx, first.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      std::vector<Ranked<T>> all;
      int64_t images = 1;
      for (std::size_t l = 0; l < levels; ++l) {
        const Tensor& rois = ctx.input("MultiLevelRois", l);
        const T* sc = ctx.input("MultiLevelScores", l).data<T>();
        std::vector<int64_t> off{0, rois.dim(0)};
        if (has_nums) {
          auto o = du::offsets_from_rois_num(ctx.input("MultiLevelRoIsNum", l), rois.dim(0));
          if (!o.ok()) return ctx.error(o.error().message);
          off = *o;
        }
        images = static_cast<int64_t>(off.size()) - 1;
        for (std::size_t img = 0; img + 1 < off.size(); ++img)
          for (int64_t i = off[img]; i < off[img + 1]; ++i)
            all.push_back({sc[i], i, static_cast<int>(l), static_cast<int64_t>(img)});
      }
      const std::size_t top =
          std::min(all.size(), static_cast<std::size_t>(ctx.op().int_attr("post_nms_topN", 100)));
      // Paddle's comparator is `>=`; the same libstdc++ stable_sort call reproduces its order.
      std::stable_sort(all.begin(), all.end(),
                       [](const Ranked<T>& a, const Ranked<T>& b) { return a.score >= b.score; });
      all.resize(top);
      std::stable_sort(all.begin(), all.end(),
                       [](const Ranked<T>& a, const Ranked<T>& b) { return a.image < b.image; });
      T* out = ctx.allocate("FpnRois", 0, {first.dtype(), {static_cast<int64_t>(top), 4}})
                   .template data<T>();
      for (const auto& r : all)
        out = std::copy_n(
            ctx.input("MultiLevelRois", static_cast<std::size_t>(r.level)).template data<T>() +
                r.index * 4,
            4, out);
      if (ctx.has_output("RoisNum")) {
        int32_t* num = ctx.output("RoisNum").data<int32_t>();
        std::fill_n(num, ctx.output("RoisNum").numel(), 0);
        for (const auto& r : all)
          if (r.image < ctx.output("RoisNum").numel()) ++num[r.image];
        (void)images;
      }
      return {};
    });
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

}  // namespace

void register_detection_proposals(OpRegistry& r) {
  for (const char* type : {"generate_proposals", "generate_proposals_v2"}) {
    OpDef d;
    d.type = type;
    d.infer = infer_proposals;
    d.reference = make<GenerateProposals>;
    r.add(std::move(d));
  }
  OpDef d;
  d.type = "distribute_fpn_proposals";
  d.infer = infer_distribute;
  d.reference = make<Distribute>;
  r.add(d);
  OpDef c;
  c.type = "collect_fpn_proposals";
  c.infer = infer_collect;
  c.reference = make<Collect>;
  r.add(c);
}

}  // namespace detport::runtime::kernels
