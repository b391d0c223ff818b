// Runs `detport` on every file of the malformed-input corpus (tests/malformed/cases.txt) and
// checks the exit code and the specific error text each must produce.
#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace detport {
namespace {

struct Case {
  std::string name, args, expected;
  int exit_code = 0;
};

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

std::vector<Case> load_cases() {
  std::vector<Case> cases;
  std::ifstream in(testing::source_dir() / "tests/malformed/cases.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const auto bar = line.find(" | ", start);
      parts.push_back(trim(line.substr(start, bar - start)));
      start = bar + 3;
    }
    parts.push_back(trim(line.substr(start)));
    Case c{parts[0], parts[1], parts[3], std::stoi(parts[2])};
    const auto dir = (testing::source_dir() / "tests/malformed").string();
    for (auto pos = c.args.find("{dir}"); pos != std::string::npos; pos = c.args.find("{dir}"))
      c.args.replace(pos, 5, dir);
    cases.push_back(c);
  }
  return cases;
}

TEST(MalformedCorpus, EveryCaseGetsItsSpecificErrorAndExitCode) {
  const auto cases = load_cases();
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = testing::run_detport(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    const std::string& text = c.exit_code == 0 ? r.out : r.err;
    EXPECT_NE(text.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << text;
    if (c.exit_code != 0) {
      EXPECT_EQ(r.err.rfind("detport: error: ", 0), 0u) << r.err;
    }
  }
}

}  // namespace
}  // namespace detport
