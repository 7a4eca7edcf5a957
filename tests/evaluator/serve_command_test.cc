// `serve`: its log lines, its flags, and the subcommand as a real process
// (evaluator-serve-fake) on 127.0.0.1: it says where it listens, serves, logs one line per
// request and stops cleanly on SIGTERM.
#include "evaluator/serve_command.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "google/protobuf/text_format.h"
#include "tests/evaluator/fake_trainer.h"

namespace nas::eval {
namespace {

using std::chrono::milliseconds;

TEST(ServeCommandTest, OneLogLinePerRequest) {
  EvaluationLogEntry entry;
  entry.request_id = "1f3a/mad:5d2c";
  entry.spec_name = "tiny-3";
  entry.seconds = 12.34;
  entry.outcome = EvaluationResult::OK;
  entry.quality = 0.53214;
  EXPECT_EQ(FormatEvaluationLog(entry), "evaluate tiny-3 [1f3a/mad:5d2c] 12.3 s: OK quality 0.5321");
  entry.outcome = EvaluationResult::DIVERGED;
  EXPECT_EQ(FormatEvaluationLog(entry), "evaluate tiny-3 [1f3a/mad:5d2c] 12.3 s: DIVERGED");
  entry.spec_name.clear();
  entry.request_id.clear();
  entry.seconds = 0;
  entry.status = absl::InvalidArgumentError("spec.layers[0].attention.num_kv_heads: 3 ...");
  EXPECT_EQ(FormatEvaluationLog(entry),
            "evaluate (unnamed) [no request id] 0.0 s: INVALID_ARGUMENT: "
            "spec.layers[0].attention.num_kv_heads: 3 ...");
}

TEST(ServeCommandTest, FlagsHaveDefaultsAndHelp) {
  testing::FakeTrainer trainer;
  CLI::App app{"test"};
  AddServeCommand(app, trainer.fn());
  CLI::App* serve = app.get_subcommand("serve");
  ASSERT_NE(serve, nullptr);
  const std::string help = serve->help();
  for (const char* flag : {"--listen", "--slots", "--max-queue", "--shutdown-grace"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " missing from:\n" << help;
  }
  EXPECT_NE(help.find(kDefaultServeAddress), std::string::npos) << help;
  EXPECT_NE(help.find("RESOURCE_EXHAUSTED"), std::string::npos) << help;
  // A bad value is refused by the parser (not by the server).
  const char* argv[] = {"test", "serve", "--slots", "0"};
  EXPECT_THROW(app.parse(4, const_cast<char**>(argv)), CLI::ValidationError);
}

// evaluator-serve-fake as a child process: stdout through a pipe, stderr to a file.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args)
      : stderr_path_(::testing::TempDir() + "serve_fake_" + std::to_string(getpid()) + "_" +
                     std::to_string(next_id_++) + ".err") {
    int out[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    std::vector<std::string> argv = {NAS_EVALUATOR_SERVE_FAKE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    const int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(out[1], STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execv(c_argv[0], c_argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err);
    out_ = out[0];
  }

  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    std::remove(stderr_path_.c_str());
  }

  // The first line on stdout, waiting at most `timeout`; "" when none came.
  std::string FirstLine(milliseconds timeout) {
    std::string text;
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < give_up) {
      pollfd fd{out_, POLLIN, 0};
      if (poll(&fd, 1, 100) <= 0) continue;
      char buffer[256];
      const ssize_t n = read(out_, buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
    }
    const size_t end = text.find('\n');
    return end == std::string::npos ? "" : text.substr(0, end);
  }

  // Sends `signal` and waits at most `timeout` for the exit; its status, or -1.
  int Stop(int signal, milliseconds timeout) {
    kill(pid_, signal);
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    return -1;
  }

  std::string StderrText() const {
    std::ifstream in(stderr_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  static inline int next_id_ = 0;
  std::string stderr_path_;
  pid_t pid_ = 0;
  int out_ = -1;
};

TEST(ServeCommandTest, ServesLogsAndStopsCleanlyOnSigterm) {
  ServeProcess serve({"serve", "--listen", "127.0.0.1:0", "--slots", "2"});
  const std::string line = serve.FirstLine(milliseconds(30000));
  ASSERT_EQ(line.rfind("listening 127.0.0.1:", 0), 0u) << line << "\n" << serve.StderrText();
  const std::string address = line.substr(std::string("listening ").size());
  // The channel stays open, idle, as a coordinator's does between calls.
  auto stub = Evaluator::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  EvaluateRequest request;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    spec {
      name: "served"
      vocab_size: 256
      d_model: 64
      norm_eps: 1e-5
      layers { short_conv { kernel_size: 3 gating: DOUBLE } swiglu { hidden: 128 } }
    }
    seed: 3
    request_id: "ok"
  )pb", &request));
  for (const char* id : {"ok", "diverge"}) {
    request.set_request_id(id);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    EvaluationResult result;
    const grpc::Status status = stub->Evaluate(&context, request, &result);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(result.outcome(), std::string(id) == "ok" ? EvaluationResult::OK
                                                        : EvaluationResult::DIVERGED);
  }
  EXPECT_EQ(serve.Stop(SIGTERM, milliseconds(30000)), 0) << serve.StderrText();
  const std::string err = serve.StderrText();
  EXPECT_NE(err.find("evaluator: serving on " + address + " (2 evaluation slot(s)"),
            std::string::npos) << err;
  EXPECT_NE(err.find("evaluate served [ok] "), std::string::npos) << err;
  EXPECT_NE(err.find(": OK quality "), std::string::npos) << err;
  EXPECT_NE(err.find("evaluate served [diverge] "), std::string::npos) << err;
  EXPECT_NE(err.find(": DIVERGED"), std::string::npos) << err;
  EXPECT_NE(err.find("evaluator: stopped"), std::string::npos) << err;
}

TEST(ServeCommandTest, AnAddressInUseIsAOneLineErrorAndExitStatus1) {
  ServeProcess first({"serve", "--listen", "127.0.0.1:0"});
  const std::string line = first.FirstLine(milliseconds(30000));
  ASSERT_EQ(line.rfind("listening ", 0), 0u) << line;
  const std::string address = line.substr(std::string("listening ").size());
  ServeProcess second({"serve", "--listen", address});
  EXPECT_EQ(second.FirstLine(milliseconds(30000)), "");
  EXPECT_EQ(second.Stop(0, milliseconds(30000)), 1);
  EXPECT_NE(second.StderrText().find("evaluator: --listen: cannot listen on " + address),
            std::string::npos)
      << second.StderrText();
  EXPECT_EQ(first.Stop(SIGINT, milliseconds(30000)), 0);
}

}  // namespace
}  // namespace nas::eval
