// The device-agent binary as a process: SIGTERM lets the measurement in flight finish and
// stops cleanly; SIGKILL leaves no orphaned child measuring.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <future>
#include <thread>

#include "tests/device-agent/agent_test_util.h"

extern char** environ;

namespace nas::agent {
namespace {

using namespace testing;

// A device-agent process serving on 127.0.0.1 with an ephemeral port.
class AgentProcess {
 public:
  AgentProcess() {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> args = {NAS_DEVICE_AGENT_BIN, "--listen", "127.0.0.1:0",
                                     "--measure-binary", NAS_LIV_MEASURE_BIN,
                                     "--shutdown-grace", "60"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256] = {};
    EXPECT_NE(fgets(line, sizeof line, f), nullptr);  // "listening 127.0.0.1:PORT"
    fclose(f);
    std::string text(line);
    address_ = text.substr(text.find(' ') + 1);
    address_.erase(address_.find_last_not_of("\n") + 1);
  }
  ~AgentProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return status;
  }

 private:
  pid_t pid_ = 0;
  std::string address_;
};

int64_t WaitForChild(DeviceAgent::Stub& stub) {
  for (int i = 0; i < 500; ++i) {
    grpc::ClientContext context;
    HealthStatus health;
    if (stub.Health(&context, HealthRequest(), &health).ok() && health.in_flight_child_pid() > 0) {
      return health.in_flight_child_pid();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(AgentProcessTest, KillingTheAgentLeavesNoOrphan) {
  AgentProcess agent;
  auto stub = Connect(agent.address());
  auto call = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    MeasureResult result;
    return stub->Measure(&context, SmallRequest("conv_only.textproto", 500), &result);
  });
  const int64_t child = WaitForChild(*stub);
  ASSERT_GT(child, 0);
  ASSERT_TRUE(Alive(static_cast<pid_t>(child)));
  kill(agent.pid(), SIGKILL);
  agent.Wait();
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gone = !Alive(static_cast<pid_t>(child));
  }
  EXPECT_TRUE(gone) << "child " << child << " outlived the agent";
  EXPECT_FALSE(call.get().ok());  // the caller learns the agent went away
}

TEST(AgentProcessTest, SigtermFinishesTheMeasurementInFlightThenStops) {
  AgentProcess agent;
  auto stub = Connect(agent.address());
  auto call = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    MeasureResult result;
    grpc::Status status = stub->Measure(&context, SmallRequest("conv_only.textproto", 8), &result);
    return std::make_pair(status, result);
  });
  ASSERT_GT(WaitForChild(*stub), 0);
  kill(agent.pid(), SIGTERM);
  auto [status, result] = call.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.outcome(), MeasureResult::OK) << result.message();
  const int exit_status = agent.Wait();
  EXPECT_TRUE(WIFEXITED(exit_status));
  EXPECT_EQ(WEXITSTATUS(exit_status), 0);
}

}  // namespace
}  // namespace nas::agent
