// Runs a command line for tool tests and captures its exit code, stdout and stderr.
#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace nas::liv::testing {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

RunResult RunCommand(const std::string& binary, const std::string& args);

// Runs the command and parses its stdout as JSON: a test failure (with its stderr) unless it
// exits 0, and a discarded value (is_discarded()) when stdout is not JSON.
nlohmann::json RunJson(const std::string& binary, const std::string& args);

}  // namespace nas::liv::testing
