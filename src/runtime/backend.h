// Backends behind one interface: the native runtime, and (issue 7) the exported ONNX model run by
// OpenCV DNN. The pipeline and bench only see this.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/session.h"

namespace detport::runtime {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual const std::vector<InputInfo>& inputs() const = 0;
  virtual const std::vector<std::string>& output_names() const = 0;
  virtual Result<std::vector<NamedTensor>> run(const std::vector<NamedTensor>& inputs) = 0;
  // Per-op profile of the last run, when the backend has one (null otherwise).
  virtual const Profile* profile() const { return nullptr; }
  // One line about how the model runs (plan summary, fallbacks).
  virtual std::string summary() const { return {}; }
};

// The native runtime (compile() of the model with these options).
Result<std::unique_ptr<Backend>> make_native_backend(const ir::Model& model,
                                                     const CompileOptions& options);

}  // namespace detport::runtime
