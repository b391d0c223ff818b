// detport: read, check, convert, run and measure PaddleDetection models from any Paddle release.
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli.h"

namespace detport::cli {

int exit_code_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::kIncompatible:
      return kIncompatible;
    case ErrorCode::kInternal:
      return kInternal;
    default:
      return kBadInput;
  }
}

int report(const Error& e) {
  fmt::print(stderr, "detport: error: {}\n", e.describe());
  return exit_code_for(e);
}

}  // namespace detport::cli

int main(int argc, char** argv) {
  using namespace detport::cli;
  CLI::App app{
      "detport: run PaddleDetection models exported by any Paddle release, and find out "
      "what is wrong and what is slow"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "detport 0.1.0");
  Runner run;
  add_inspect(app, run);
  add_demo(app, run);
  add_export_onnx(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kBadInput;
  }
  try {
    return run ? run() : kBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "detport: internal error: {}\n", e.what());
    return kInternal;
  }
}
