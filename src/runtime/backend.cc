#include "runtime/backend.h"

namespace detport::runtime {
namespace {

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(Session session) : session_(std::move(session)) {}
  std::string name() const override { return "native"; }
  const std::vector<InputInfo>& inputs() const override { return session_.inputs(); }
  const std::vector<std::string>& output_names() const override { return session_.output_names(); }
  Result<std::vector<NamedTensor>> run(const std::vector<NamedTensor>& inputs) override {
    return session_.run(inputs);
  }
  const Profile* profile() const override {
    return session_.options().profile ? &session_.profile() : nullptr;
  }
  std::string summary() const override { return session_.plan_summary(); }

 private:
  Session session_;
};

}  // namespace

Result<std::unique_ptr<Backend>> make_native_backend(const ir::Model& model,
                                                     const CompileOptions& options) {
  DETPORT_ASSIGN(Session s, compile(model, options));
  return std::unique_ptr<Backend>(new NativeBackend(std::move(s)));
}

}  // namespace detport::runtime
