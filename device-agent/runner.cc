#include "device-agent/runner.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "device-agent/child_process.h"

namespace nas::agent {

std::vector<std::string> DefaultPrefix(const std::string& kind) {
  if (kind == "qemu") return {"qemu-aarch64"};
  return {};
}

std::string ShellQuote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_=.,/:+") == std::string::npos) {
    return arg;
  }
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

absl::StatusOr<Runner> Runner::Create(RunnerConfig config) {
  const std::string& kind = config.kind;
  if (kind != "local" && kind != "qemu" && kind != "ssh" && kind != "adb") {
    return absl::InvalidArgumentError(
        absl::StrCat("--runner: unknown runner \"", kind, "\" (local, qemu, ssh, adb)"));
  }
  if (config.prefix.empty()) config.prefix = DefaultPrefix(kind);
  if (kind != "local" && config.prefix.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--runner-prefix: the ", kind, " runner needs a prefix, e.g. ",
        kind == "ssh" ? "\"ssh HOST\"" : "\"adb -s SERIAL shell\""));
  }
  if (kind == "local" || kind == "qemu" || kind == "adb") {
    std::error_code ec;
    if (config.binary.empty() || !std::filesystem::is_regular_file(config.binary, ec)) {
      return absl::NotFoundError(
          absl::StrCat("--measure-binary: \"", config.binary, "\" is not a file"));
    }
    config.binary = std::filesystem::absolute(config.binary).string();
  }
  if (kind == "adb" && config.remote_binary.empty()) {
    config.remote_binary = "/data/local/tmp/liv-measure";
  }
  if (kind == "ssh" && config.remote_binary.empty()) config.remote_binary = config.binary;
  return Runner(std::move(config));
}

absl::Status Runner::Prepare() {
  if (config_.kind != "adb") return absl::OkStatus();
  // adb -s SERIAL shell -> adb -s SERIAL push BINARY REMOTE; then chmod through the shell.
  std::vector<std::string> push(config_.prefix.begin(), config_.prefix.end() - 1);
  push.insert(push.end(), {"push", config_.binary, config_.remote_binary});
  ChildProcess child;
  ChildLimits limits;
  limits.deadline = std::chrono::minutes(5);
  auto pushed = child.Run(push, "", limits);
  if (!pushed.ok()) return pushed.status();
  if (pushed->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat("adb push failed: ", pushed->err));
  }
  std::vector<std::string> chmod = config_.prefix;
  chmod.insert(chmod.end(), {"chmod", "755", config_.remote_binary});
  auto done = ChildProcess().Run(chmod, "", limits);
  if (!done.ok()) return done.status();
  return absl::OkStatus();
}

std::vector<std::string> Runner::Command(const std::vector<std::string>& args) const {
  std::vector<std::string> command = config_.prefix;
  const bool remote_shell = config_.kind == "ssh" || config_.kind == "adb";
  command.push_back(remote_shell ? ShellQuote(config_.remote_binary) : config_.binary);
  for (const std::string& a : args) command.push_back(remote_shell ? ShellQuote(a) : a);
  return command;
}

std::string Runner::Description() const {
  if (config_.kind == "local") return "local";
  return absl::StrCat(config_.kind, ": ", absl::StrJoin(config_.prefix, " "));
}

}  // namespace nas::agent
