// Helpers shared by tests: where the read-only shared data lives, temp dirs, running the CLI.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace detport::testing {

inline std::filesystem::path shared_dir() {
  return DETPORT_SHARED_DIR;
}
inline std::filesystem::path models_dir() {
  return shared_dir() / "models";
}
inline std::filesystem::path source_dir() {
  return DETPORT_SOURCE_DIR;
}

// Skips the calling test with a clear message when a shared model is absent (a user's clone).
#define DETPORT_REQUIRE_SHARED(path)                                                           \
  do {                                                                                         \
    if (!std::filesystem::exists(path))                                                        \
      GTEST_SKIP() << "shared test data not found at " << (path)                               \
                   << " (set -DDETPORT_SHARED_DIR to the directory holding models/, images/)"; \
  } while (0)

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("detport-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a shell command, capturing stdout and stderr.
inline CommandResult run_command(const std::string& command) {
  TempDir tmp;
  const auto out = tmp / "stdout";
  const auto err = tmp / "stderr";
  const std::string full = command + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// Runs the detport binary built alongside the tests.
inline CommandResult run_detport(const std::string& args) {
  return run_command(std::string("'") + DETPORT_BINARY + "' " + args);
}

}  // namespace detport::testing
