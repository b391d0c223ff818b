// multiclass_nms / multiclass_nms2 / multiclass_nms3 as ONNX NonMaxSuppression plus the
// post-processing that gives PaddleDetection's results for any batch size: rows
// [label, score, x1, y1, x2, y2] ordered by image, then class, then descending score, at most
// keep_top_k per image, and the per-image counts (NmsRoisNum; for v1, whose counts Paddle keeps
// as LoD, an extra output "bbox_num").
//
// Paddle's semantics (phi multiclass_nms3 kernel) and how they are matched:
// - per class (background_label skipped: its scores are pushed below any threshold), the boxes
//   with score > score_threshold, best nms_top_k first (ties: lower index; ONNX TopK agrees),
//   are suppressed greedily when IoU > nms_threshold: a TopK over the boxes masks all but the
//   best nms_top_k (ScatterElements), then NonMaxSuppression does the rest;
// - normalized=false adds 1 to widths and heights in IoU: the boxes given to NMS get +1 on x2/y2;
// - keep_top_k keeps the best per image: ranks within the image come from a global score order
//   (TopK), an (image, rank) sort key and per-image starts (CumSum of counts);
// - the output order is (image, class, score) by a second sort key.
// nms_eta < 1 (adaptive thresholds) and LoD/RoisNum inputs cannot be matched and are refused.
// matrix_nms has no ONNX equivalent: refused unless --exclude-nms cuts the graph before it.
#include <fmt/format.h>

#include <limits>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;
constexpr int32_t kI32 = onnx::TensorProto_DataType_INT32;
constexpr int32_t kF32 = onnx::TensorProto_DataType_FLOAT;

Support check_multiclass(const OpView& v) {
  if (v.has_in("RoisNum"))
    return Support::no("RoisNum input (LoD boxes per class, RCNN-style) is not exported");
  const VarMeta b = v.in_meta("BBoxes"), s = v.in_meta("Scores");
  if (!b.known || !s.known || b.rank() != 3 || s.rank() != 3)
    return Support::no("needs BBoxes [N,M,4] and Scores [N,C,M] (LoD inputs are not exported)");
  if (b.dims[2] != 4)
    return Support::no(
        fmt::format("boxes with {} coordinates (polygons): ONNX NMS takes 4", b.dims[2]));
  if (v.op().float_attr("nms_eta", 1.0) < 1.0)
    return Support::no("nms_eta < 1 (adaptive NMS threshold) has no ONNX equivalent");
  if (s.dtype != ir::DType::kFloat32 || b.dtype != ir::DType::kFloat32)
    return Support::no("NMS on non-float32 tensors");
  return {};
}

Support check_refused(const OpView& v) {
  if (v.op().type == "matrix_nms")
    return Support::no(
        "matrix NMS (soft score decay over the whole class) has no ONNX equivalent; export with "
        "--exclude-nms and run NMS after the model (detport's post-processing does)");
  return Support::no("no ONNX equivalent; export with --exclude-nms and run NMS after the model");
}

Status emit_refused(MapContext& c) {
  return c.error("not exportable");
}

// Counts of `batch_ids` ([K] int64) per image as [N] int64, N = dims[0] of `shape_of`.
std::string per_image_counts(Graph& g, const std::string& batch_ids, const std::string& n) {
  const std::string images = g.op("Range", {g.i64(0), n, g.i64(1)});
  const std::string eq =
      g.op("Equal", {g.unsqueeze(batch_ids, {1}), g.unsqueeze(images, {0})});  // [K, N]
  return g.reduce("ReduceSum", g.cast(eq, kI64), {0}, false);
}

// Sorts `keys` ([K] int64) ascending; returns the permutation.
std::string argsort_ascending(Graph& g, const std::string& keys, const std::string& k) {
  return g.add("TopK", {keys, k}, 2, {attr("largest", int64_t{0}), attr("sorted", int64_t{1})})[1];
}

Status emit_multiclass(MapContext& c) {
  DETPORT_ASSIGN(std::string boxes, c.in("BBoxes"));
  DETPORT_ASSIGN(std::string scores, c.in("Scores"));
  auto& g = c.g();
  const ir::Op& op = c.op();
  const VarMeta sm = c.in_meta("Scores");
  const float score_thr = static_cast<float>(op.float_attr("score_threshold", 0.0));
  const float iou_thr = static_cast<float>(op.float_attr("nms_threshold", 0.3));
  const int64_t nms_top_k = op.int_attr("nms_top_k", -1);
  const int64_t keep_top_k = op.int_attr("keep_top_k", -1);
  const int64_t background = op.int_attr("background_label", 0);
  const bool normalized = op.bool_attr("normalized", true);
  const float lowest = std::numeric_limits<float>::lowest();

  const std::string shape = g.op("Shape", {scores});
  const std::string n = g.take(shape, 0, 0, false);   // images (0-D)
  const std::string cls = g.take(shape, 0, 1, true);  // classes [1]
  const std::string m = g.take(shape, 0, 2, true);    // boxes [1]

  // Background class out of the competition.
  std::string s = scores;
  if (background >= 0 && (sm.dims[1] < 0 || background < sm.dims[1])) {
    const std::string classes = g.op("Range", {g.i64(0), g.reshape(cls, {}), g.i64(1)});
    const std::string is_bg = g.reshape(g.op("Equal", {classes, g.i64(background)}), {1, -1, 1});
    s = g.op("Where", {is_bg, g.f32(lowest), s});
  }
  // Only the best nms_top_k boxes of each class take part.
  if (nms_top_k > -1 && !(sm.dims[2] >= 0 && nms_top_k >= sm.dims[2])) {
    const std::string k = g.min_i64(m, g.i64s({nms_top_k}));
    const std::string idx = g.add("TopK", {s, k}, 2, {attr("axis", int64_t{2})})[1];
    const std::string zeros = g.op("ConstantOfShape", {shape});  // float 0
    const std::string ones = g.op("Expand", {g.f32(1.f), g.op("Shape", {idx})});
    const std::string chosen =
        g.op("ScatterElements", {zeros, idx, ones}, {attr("axis", int64_t{2})});
    s = g.op("Where", {g.op("Greater", {chosen, g.f32(0.f)}), s, g.f32(lowest)});
  }
  // IoU with +1 on widths and heights: shift x2, y2.
  std::string nms_boxes = boxes;
  if (!normalized) nms_boxes = g.op("Add", {boxes, g.f32s({0.f, 0.f, 1.f, 1.f})});
  const int64_t max_per_class = nms_top_k > -1 ? nms_top_k : std::numeric_limits<int32_t>::max();
  const std::string sel =
      g.op("NonMaxSuppression", {nms_boxes, s, g.i64s({max_per_class}), g.f32s({iou_thr}),
                                 g.f32s({score_thr})});  // [K, 3]: image, class, box
  const std::string b = g.take(sel, 1, 0, false);
  const std::string cl = g.take(sel, 1, 1, false);
  const std::string bi = g.take(sel, 1, 2, false);
  const std::string score = g.op("GatherND", {scores, sel});         // [K]
  const std::string k = g.take(g.op("Shape", {score}), 0, 0, true);  // [1]
  const std::string range_k = g.op("Range", {g.i64(0), g.reshape(k, {}), g.i64(1)});

  // Global rank of every kept box by score (ties: NMS output order, i.e. class then rank).
  const std::string by_score =
      g.add("TopK", {score, k}, 2, {attr("largest", int64_t{1}), attr("sorted", int64_t{1})})[1];
  const std::string rank = g.op("ScatterElements",
                                {g.op("ConstantOfShape", {k},
                                      {attr("value",
                                            [] {
                                              onnx::TensorProto t;
                                              t.set_data_type(kI64);
                                              t.add_dims(1);
                                              t.add_int64_data(0);
                                              return t;
                                            }())}),
                                 by_score, range_k},
                                {attr("axis", int64_t{0})});
  std::string kept = range_k;  // indices into the K selections
  const std::string counts_all = per_image_counts(g, b, n);
  if (keep_top_k > -1) {
    // Per image: sort by (image, rank); position minus the image's start is the rank inside it.
    const std::string key = g.op("Add", {g.op("Mul", {b, k}), rank});
    const std::string order = argsort_ascending(g, key, k);
    const std::string starts =
        g.op("CumSum", {counts_all, g.i64(0)}, {attr("exclusive", int64_t{1})});
    const std::string start_of = g.op("Gather", {starts, g.op("Gather", {b, order})});
    const std::string in_image = g.op("Sub", {range_k, start_of});
    const std::string keep = g.op("Less", {in_image, g.i64(keep_top_k)});
    kept = g.op("Gather", {order, g.squeeze(g.op("NonZero", {keep}), {0})});
  }
  // Order: image, class, descending score.
  const std::string kb = g.op("Gather", {b, kept});
  const std::string kc = g.op("Gather", {cl, kept});
  const std::string kr = g.op("Gather", {rank, kept});
  const std::string kk = g.take(g.op("Shape", {kept}), 0, 0, true);
  const std::string c64 = cls;
  const std::string key2 =
      g.op("Add", {g.op("Mul", {g.op("Add", {g.op("Mul", {kb, c64}), kc}), k}), kr});
  const std::string final_idx = g.op("Gather", {kept, argsort_ascending(g, key2, kk)});

  const std::string fb = g.op("Gather", {b, final_idx});
  const std::string fc = g.op("Gather", {cl, final_idx});
  const std::string fi = g.op("Gather", {bi, final_idx});
  const std::string fs = g.op("Gather", {score, final_idx});
  const std::string box_idx =
      g.op("Concat", {g.unsqueeze(fb, {1}), g.unsqueeze(fi, {1})}, {attr("axis", int64_t{1})});
  const std::string fbox = g.op("GatherND", {boxes, box_idx});  // [K', 4]
  const std::string rows =
      g.op("Concat", {g.unsqueeze(g.cast(fc, kF32), {1}), g.unsqueeze(fs, {1}), fbox},
           {attr("axis", int64_t{1})});
  const std::string counts = g.cast(per_image_counts(g, fb, n), kI32);

  if (op.type == "multiclass_nms") {
    // v1: no detections at all gives one row [-1] (phi kernel, return_index false).
    const std::string none = g.op("Equal", {g.reduce("ReduceSum", counts, {}, false),
                                            g.op("Cast", {g.i64(0)}, {attr("to", int64_t{kI32})})});
    onnx::GraphProto then_g, else_g;
    then_g.set_name(g.fresh("nms_empty"));
    else_g.set_name(g.fresh("nms_rows"));
    const std::string then_out = g.fresh("nms_minus_one");
    const std::string else_out = g.fresh("nms_rows_out");
    {
      auto* node = then_g.add_node();
      node->set_op_type("Constant");
      node->set_name(g.origin() + "/Constant_empty");
      node->add_output(then_out);
      onnx::TensorProto t;
      t.set_data_type(kF32);
      t.add_dims(1);
      t.add_dims(1);
      t.add_float_data(-1.f);
      *node->add_attribute() = attr("value", t);
      auto* o = then_g.add_output();
      o->set_name(then_out);
      o->mutable_type()->mutable_tensor_type()->set_elem_type(kF32);
    }
    {
      auto* node = else_g.add_node();
      node->set_op_type("Identity");
      node->set_name(g.origin() + "/Identity_rows");
      node->add_input(rows);
      node->add_output(else_out);
      auto* o = else_g.add_output();
      o->set_name(else_out);
      o->mutable_type()->mutable_tensor_type()->set_elem_type(kF32);
    }
    onnx::AttributeProto then_a, else_a;
    then_a.set_name("then_branch");
    then_a.set_type(onnx::AttributeProto_AttributeType_GRAPH);
    *then_a.mutable_g() = then_g;
    else_a.set_name("else_branch");
    else_a.set_type(onnx::AttributeProto_AttributeType_GRAPH);
    *else_a.mutable_g() = else_g;
    c.emit1("If", {none}, {then_a, else_a});
    c.set_dynamic("Out");
    const std::string count_name =
        g.taken("bbox_num") ? g.fresh(op.output("Out").front() + "_num") : g.fresh("bbox_num");
    g.add_to("Identity", {counts}, {count_name});
    c.add_output(count_name, count_name, ir::DType::kInt32, {-1});
    return {};
  }
  c.set_out("Out", rows);
  c.set_dynamic("Out");
  if (c.has_out("NmsRoisNum")) {
    c.set_out("NmsRoisNum", counts);
    c.set_dynamic("NmsRoisNum");
  }
  if (c.has_out("Index")) {
    // Index into the flattened [N*M] boxes.
    const std::string flat = g.op("Add", {g.op("Mul", {fb, m}), fi});
    c.set_out("Index", g.cast(g.unsqueeze(flat, {1}), kI32));
    c.set_dynamic("Index");
  }
  return {};
}

}  // namespace

void add_nms_mappers(MapperTable& t) {
  const char* notes =
      "NonMaxSuppression + TopK/ScatterElements/CumSum/GatherND post-processing: PaddleDetection's "
      "bbox [M,6] + bbox_num for any batch size; refused: nms_eta < 1, RoisNum/LoD inputs";
  for (const char* type : {"multiclass_nms3", "multiclass_nms2", "multiclass_nms"})
    t.add({type, emit_multiclass, check_multiclass, kMinOpset, kMaxOpset,
           "NonMaxSuppression, TopK, ScatterElements, CumSum, GatherND, Concat", notes});
  for (const char* type : {"matrix_nms", "locality_aware_nms"})
    t.add({type, emit_refused, check_refused, kMinOpset, kMaxOpset, "-",
           "refused unless --exclude-nms (no ONNX equivalent)"});
}

}  // namespace detport::onnx_export
