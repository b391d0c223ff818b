// Paddle's non-maximum suppression algorithms as plain C++ (no runtime graph needed): the kernels
// of multiclass_nms{,2,3}, matrix_nms and generate_proposals use them, and so does the pipeline to
// post-process models exported without NMS.
//
// Semantics follow Paddle's CPU kernels (paddle/phi/kernels/cpu/multiclass_nms3_kernel.cc,
// matrix_nms_kernel.cc, funcs/detection/nms_util.h), including their tie-breaking:
//  - greedy NMS keeps candidates with score > score_threshold, ordered by score descending with
//    ties in ascending box index (a stable sort), cut to nms_top_k, then keeps a box when its IoU
//    with every box kept so far is <= the adaptive threshold; after each kept box the threshold is
//    multiplied by nms_eta while eta < 1 and the threshold > 0.5;
//  - IoU of [x1,y1,x2,y2] boxes: 0 when disjoint (strict comparisons); `normalized == false` adds 1
//    to widths and heights (pixel boxes); an inverted box has area 0;
//  - keep_top_k ranks every kept box of the image by score (stable, ties in class-then-selection
//    order) and keeps the first keep_top_k;
//  - results are grouped by class in ascending label order; within a class in selection order
//    (score descending), or in ascending box index for the per-class-box (LoD) input form.
// Only 4-coordinate boxes are supported (Paddle's polygon forms of 8..32 values are not).
#pragma once

#include <cstdint>
#include <vector>

namespace detport::runtime::detection {

// Area and IoU of [x1, y1, x2, y2] boxes exactly as Paddle computes them (BBoxArea,
// JaccardOverlap), in T arithmetic.
template <typename T>
T box_area(const T* box, bool normalized);
template <typename T>
T jaccard_overlap(const T* a, const T* b, bool normalized);

// One image's candidates: box (c, i) and score (c, i) for class c and box i, addressed with element
// strides so both of Paddle's input forms fit without copying.
template <typename T>
struct Candidates {
  const T* boxes = nullptr;
  int64_t box_stride = 4;        // between boxes
  int64_t box_class_stride = 0;  // between classes (0: every class shares the boxes)
  const T* scores = nullptr;
  int64_t score_stride = 1;        // between boxes
  int64_t score_class_stride = 0;  // between classes
  int64_t num_boxes = 0;
  int num_classes = 0;

  // Boxes [M, 4] shared by all classes, scores [C, M] (multiclass_nms's batched form).
  static Candidates shared(const T* boxes, const T* scores, int64_t num_boxes, int num_classes);
  // Boxes [M, C, 4] per class, scores [M, C] (the LoD / RoisNum form).
  static Candidates per_class(const T* boxes, const T* scores, int64_t num_boxes, int num_classes);

  const T* box(int c, int64_t i) const { return boxes + i * box_stride + c * box_class_stride; }
  T score(int c, int64_t i) const { return scores[i * score_stride + c * score_class_stride]; }
};

struct NmsOptions {
  float score_threshold = 0.0f;
  int nms_top_k = -1;  // per class before NMS; < 0: all
  float nms_threshold = 0.3f;
  float nms_eta = 1.0f;
  bool normalized = true;
  int keep_top_k = -1;       // per image across classes; < 0: all
  int background_label = 0;  // a class to skip; -1: none
  // Within a class, order results by box index instead of score (Paddle does this for the
  // per-class-box form).
  bool index_order = false;
};

struct Detection {
  int label = 0;
  int64_t index = 0;  // box index within the image
};

// How to run: kReference follows Paddle's code path step by step; kFast sorts only what it needs,
// precomputes areas and spreads classes over threads. Both return identical results.
enum class NmsImpl { kReference, kFast };

// Greedy NMS of class `cls` (Paddle's NMSFast): kept box indices in selection order.
template <typename T>
std::vector<int64_t> greedy_nms(const Candidates<T>& cand, int cls, const NmsOptions& options,
                                NmsImpl impl = NmsImpl::kFast);

// Paddle's MultiClassNMS for one image, in Paddle's output order.
template <typename T>
std::vector<Detection> multiclass_nms(const Candidates<T>& cand, const NmsOptions& options,
                                      NmsImpl impl = NmsImpl::kFast, bool parallel = false);

struct MatrixNmsOptions {
  float score_threshold = 0.0f;
  float post_threshold = 0.0f;  // decayed scores <= this are dropped
  int nms_top_k = -1;           // per class before NMS; < 0: all
  int keep_top_k = -1;          // per image; < 0: all
  bool use_gaussian = false;
  float gaussian_sigma = 2.0f;
  int background_label = 0;
  bool normalized = true;
};

template <typename T>
struct ScoredDetection {
  int label = 0;
  int64_t index = 0;
  T score = 0;  // the decayed score
};

// Paddle's Matrix NMS (SOLOv2) for one image: detections sorted by decayed score descending, cut
// to keep_top_k. Ties are ordered as Paddle's std::partial_sort orders them (same libstdc++
// algorithm, same input sequence), so the result matches Paddle's exactly.
template <typename T>
std::vector<ScoredDetection<T>> matrix_nms(const Candidates<T>& cand,
                                           const MatrixNmsOptions& options, bool parallel = false);

// The NMS of generate_proposals (funcs::NMS): every box is a candidate, taken in score order with
// ties going to the larger index first; pixel_offset selects pixel IoU (+1). Returns kept indices
// in selection order.
template <typename T>
std::vector<int64_t> proposal_nms(const T* boxes, const T* scores, int64_t num_boxes,
                                  T nms_threshold, float eta, bool pixel_offset);

}  // namespace detport::runtime::detection
