// Runs a command line for tool tests and captures its exit code, stdout and stderr.
#pragma once

#include <string>

namespace nas::liv::testing {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

RunResult RunCommand(const std::string& binary, const std::string& args);

}  // namespace nas::liv::testing
