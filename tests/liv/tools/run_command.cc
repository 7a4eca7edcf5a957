#include "tests/liv/tools/run_command.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace nas::liv::testing {

RunResult RunCommand(const std::string& binary, const std::string& args) {
  // A file of its own: tests of several processes run at once under ctest -j.
  std::string err_path = ::testing::TempDir() + "run_command_stderr_XXXXXX";
  const int fd = mkstemp(err_path.data());
  if (fd >= 0) close(fd);
  const std::string command = binary + " " + args + " 2>" + err_path;
  RunResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream ss;
  ss << err.rdbuf();
  r.err = ss.str();
  std::remove(err_path.c_str());
  return r;
}

nlohmann::json RunJson(const std::string& binary, const std::string& args) {
  RunResult r = RunCommand(binary, args);
  EXPECT_EQ(r.exit_code, 0) << binary << " " << args << "\n" << r.err;
  return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

}  // namespace nas::liv::testing
