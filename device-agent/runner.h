// How the agent starts its measuring binary on the device: locally (the default), or under
// a command prefix — `qemu-aarch64` (an ARM64 build under emulation, the CI stand-in for a
// phone), `ssh HOST`, or `adb -s SERIAL shell` (the binary is pushed once to the device).
// The agent runs nothing but this one binary: requests only choose its flags. The spec
// travels on standard input ("-m -"), so remote runners need no file transfer.
// Immutable after Prepare(); thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas::agent {

struct RunnerConfig {
  std::string kind = "local";          // local | qemu | ssh | adb
  std::string binary;                  // the liv-measure to run (a local path)
  std::vector<std::string> prefix;     // qemu: {"qemu-aarch64"}; ssh: {"ssh", "HOST"};
                                       // adb: {"adb", "-s", "SERIAL", "shell"}
  std::string remote_binary;           // adb / ssh: the path on the device
};

class Runner {
 public:
  // Checks the configuration: a known kind, a binary that exists for local and qemu.
  static absl::StatusOr<Runner> Create(RunnerConfig config);

  // adb: pushes the binary to remote_binary once (and makes it executable).
  absl::Status Prepare();

  // The full command line for the measuring binary with these arguments.
  std::vector<std::string> Command(const std::vector<std::string>& args) const;

  // "local", or the prefix as one string, for Describe and provenance.
  std::string Description() const;

  const RunnerConfig& config() const { return config_; }

 private:
  explicit Runner(RunnerConfig config) : config_(std::move(config)) {}
  RunnerConfig config_;
};

// Default prefixes: qemu -> qemu-aarch64; adb needs --runner-prefix with the serial.
std::vector<std::string> DefaultPrefix(const std::string& kind);

// Quotes an argument for a remote POSIX shell (adb shell and ssh join their arguments).
std::string ShellQuote(const std::string& arg);

}  // namespace nas::agent
