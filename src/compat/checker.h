// `detport check`: what happens when a model meets a Paddle release. Rules run over the IR and the
// target's release data; each finding says what breaks, how badly, for which op instances, why
// (with its sources) and how to fix it. docs/COMPAT.md lists every rule with its evidence.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compat/catalog.h"
#include "compat/release_data.h"
#include "ir/model.h"

namespace detport::compat {

enum class Severity {
  kBreaksLoad,   // the target refuses the model, or half-loads it (see PADDLE_FORMATS.md 0.1)
  kWrongResult,  // it loads but computes something else
  kSlow,         // same result, slower kernels
  kInfo,         // a difference worth knowing that changes nothing for the target
};
std::string_view severity_name(Severity s);  // "breaks-load", "wrong-result", "slow", "info"

// An op instance a finding is about.
struct OpRef {
  int32_t block = 0;
  int32_t index = 0;  // position in the block
  std::string type;
  std::vector<std::string> outputs;  // its output variable names, to find it in a graph viewer
};

struct Finding {
  std::string rule;  // stable id, e.g. "extra-attr-default"
  Severity severity = Severity::kInfo;
  std::string title;                  // one line: what is different
  std::string explanation;            // a paragraph: why it matters, with the evidence
  std::string fix;                    // what to do
  std::string convert_rule;           // the `detport convert` rewrite that fixes it, if any
  std::vector<std::string> evidence;  // source ids (data/compat/sources.json)
  std::vector<OpRef> ops;             // empty for model-wide findings
  std::size_t op_count = 0;           // instances involved (ops may be truncated)
};

enum class Verdict { kLoads, kSlower, kComputesDifferently, kFails };
std::string_view verdict_name(
    Verdict v);  // "loads", "loads-slower", "computes-differently", "fails"

struct Report {
  std::string target;  // as the user named it ("2.3.2")
  const ReleaseData* release = nullptr;
  const ReleaseData* producer = nullptr;  // the exporting release's data, when known
  std::vector<Finding> findings;          // most severe first

  Verdict verdict() const;
  std::size_t count(Severity s) const;
  // The one-line summary shown first.
  std::string headline() const;
};

struct CheckOptions {
  std::size_t max_ops_per_finding = 20;  // op instances listed per finding (op_count has all)
};

// Checks `model` against the release `target` names ("2.3.2"); `target_release` is its data.
Report check(const ir::Model& model, const Catalog& catalog, const ReleaseData& target_release,
             std::string target, const CheckOptions& options = {});

}  // namespace detport::compat
