// The Evaluator service on 127.0.0.1 (ephemeral port) around a fake trainer: validation,
// outcomes and errors passed on, cancellation, the bounded queue, health and shutdown.
#include "evaluator/evaluator_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "google/protobuf/text_format.h"
#include "tests/evaluator/fake_trainer.h"

namespace nas::eval {
namespace {

using std::chrono::milliseconds;
using testing::FakeTrainer;
using Behaviour = FakeTrainer::Behaviour;

ArchSpec SmallSpec() {
  ArchSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    name: "small"
    vocab_size: 256
    d_model: 64
    norm_eps: 1e-5
    tie_embeddings: true
    layers { attention { num_heads: 4 num_kv_heads: 2 head_dim: 16 rope_theta: 10000 }
             swiglu { hidden: 128 } }
    layers { short_conv { kernel_size: 3 gating: DOUBLE } swiglu { hidden: 128 } }
  )pb", &spec));
  return spec;
}

EvaluateRequest Request(const std::string& id = "req-1") {
  EvaluateRequest request;
  *request.mutable_spec() = SmallSpec();
  request.mutable_settings()->add_tasks("in_context_recall");
  request.mutable_settings()->mutable_budget()->set_steps(10);
  request.set_seed(7);
  request.set_request_id(id);
  return request;
}

class ServiceTest : public ::testing::Test {
 protected:
  void Start(EvaluatorServiceOptions service = {}) {
    EvaluatorServerOptions options;
    options.service = std::move(service);
    options.service.on_finished = [this](const EvaluationLogEntry& e) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_.push_back(e);
    };
    auto server = EvaluatorServer::Start(trainer_.fn(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    stub_ = Evaluator::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(milliseconds(0));
  }

  grpc::Status Call(const EvaluateRequest& request, EvaluationResult* result,
                    milliseconds deadline = milliseconds(30000)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    return stub_->Evaluate(&context, request, result);
  }

  EvaluatorHealth Health() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    EvaluatorHealth health;
    EXPECT_TRUE(stub_->Health(&context, {}, &health).ok());
    return health;
  }

  // Waits (bounded) until the server's health satisfies `predicate`.
  bool HealthBecomes(const std::function<bool(const EvaluatorHealth&)>& predicate) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < give_up) {
      if (predicate(server_->Health())) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }

  std::vector<EvaluationLogEntry> Log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  FakeTrainer trainer_;
  std::unique_ptr<EvaluatorServer> server_;
  std::unique_ptr<Evaluator::Stub> stub_;
  std::mutex log_mutex_;
  std::vector<EvaluationLogEntry> log_;
};

TEST_F(ServiceTest, EvaluatesARequestAndAnswersTheTrainersResult) {
  Start();
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->address(), "127.0.0.1:" + std::to_string(server_->port()));
  EvaluationResult result;
  const grpc::Status status = Call(Request(), &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.outcome(), EvaluationResult::OK);
  EXPECT_DOUBLE_EQ(result.quality(), FakeTrainer::QualityOf(SmallSpec()));
  EXPECT_EQ(result.seed(), 7u);
  ASSERT_EQ(trainer_.requests().size(), 1u);
  EXPECT_EQ(trainer_.requests()[0].SerializeAsString(), Request().SerializeAsString());
  const auto log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].request_id, "req-1");
  EXPECT_EQ(log[0].spec_name, "small");
  EXPECT_TRUE(log[0].status.ok());
  EXPECT_EQ(log[0].outcome, EvaluationResult::OK);
}

TEST_F(ServiceTest, ABadSpecIsRefusedNamingTheField) {
  Start();
  EvaluateRequest request = Request();
  request.mutable_spec()->mutable_layers(0)->mutable_attention()->set_num_kv_heads(3);
  EvaluationResult result;
  const grpc::Status status = Call(request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("spec.layers[0].attention.num_kv_heads: ", 0), 0u)
      << status.error_message();
  EXPECT_EQ(trainer_.calls(), 0);
  request.clear_spec();
  EXPECT_EQ(Call(request, &result).error_message(), "spec: missing");
}

TEST_F(ServiceTest, BadSettingsAreRefusedNamingTheField) {
  Start();
  EvaluateRequest request = Request();
  request.mutable_settings()->set_tasks(0, "recal");
  EvaluationResult result;
  grpc::Status status = Call(request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("settings.tasks[0]: ", 0), 0u) << status.error_message();
  request = Request();
  request.mutable_settings()->mutable_budget()->add_learning_rates(-1);
  status = Call(request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("settings.budget.learning_rates[0]: ", 0), 0u)
      << status.error_message();
  EXPECT_EQ(trainer_.calls(), 0);
}

TEST_F(ServiceTest, ADivergedTrainingIsAnOkCallWithOutcomeDiverged) {
  trainer_.set_behaviour(Behaviour::kDiverge);
  Start();
  EvaluationResult result;
  ASSERT_TRUE(Call(Request(), &result).ok());
  EXPECT_EQ(result.outcome(), EvaluationResult::DIVERGED);
  EXPECT_EQ(result.failure(), "loss became NaN at step 7");
}

TEST_F(ServiceTest, ErrorsAndExceptionsBecomeStatusesAndTheServiceKeepsServing) {
  trainer_.set_behaviour([](const EvaluateRequest& r) {
    if (r.request_id() == "error") return Behaviour::kError;
    if (r.request_id() == "throw") return Behaviour::kThrow;
    return Behaviour::kOk;
  });
  Start();
  EvaluationResult result;
  grpc::Status status = Call(Request("error"), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "fake internal error");
  status = Call(Request("throw"), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "the evaluation threw: fake exception");
  status = Call(Request("fine"), &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.outcome(), EvaluationResult::OK);
  EXPECT_EQ(server_->Health().completed(), 3u);
}

TEST_F(ServiceTest, APassedDeadlineCancelsTheEvaluation) {
  trainer_.set_behaviour(Behaviour::kWaitForCancel);
  Start();
  EvaluationResult result;
  const grpc::Status status = Call(Request(), &result, milliseconds(300));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(trainer_.WaitFor([](int, int cancels) { return cancels == 1; }))
      << "the trainer never saw its cancel flag";
  EXPECT_TRUE(HealthBecomes([](const EvaluatorHealth& h) { return h.running() == 0; }));
  // The slot is free again.
  trainer_.set_behaviour(Behaviour::kOk);
  EXPECT_TRUE(Call(Request(), &result).ok());
}

TEST_F(ServiceTest, TheQueueIsBoundedAndHealthCountsWhatWaits) {
  trainer_.set_behaviour(Behaviour::kWaitForRelease);
  EvaluatorServiceOptions options;
  options.slots = 1;
  options.max_queue = 1;
  Start(options);
  grpc::Status first, second;
  std::thread a([&] {
    EvaluationResult r;
    first = Call(Request("a"), &r);
  });
  ASSERT_TRUE(trainer_.WaitFor([](int calls, int) { return calls == 1; }));
  std::thread b([&] {
    EvaluationResult r;
    second = Call(Request("b"), &r);
  });
  ASSERT_TRUE(HealthBecomes([](const EvaluatorHealth& h) { return h.queued() == 1; }));
  const EvaluatorHealth busy = Health();
  EXPECT_TRUE(busy.serving());
  EXPECT_EQ(busy.running(), 1u);
  EXPECT_EQ(busy.queued(), 1u);
  EXPECT_EQ(busy.completed(), 0u);
  EXPECT_FALSE(busy.host().empty());
  EXPECT_EQ(busy.version(), kEvaluatorServiceVersion);
  EvaluationResult r;
  const grpc::Status third = Call(Request("c"), &r);
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(third.error_message().find("busy"), std::string::npos) << third.error_message();
  trainer_.Release();
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first.error_message();
  EXPECT_TRUE(second.ok()) << second.error_message();
  const EvaluatorHealth idle = Health();
  EXPECT_EQ(idle.running(), 0u);
  EXPECT_EQ(idle.queued(), 0u);
  EXPECT_EQ(idle.completed(), 2u);
  EXPECT_EQ(trainer_.calls(), 2);
}

TEST_F(ServiceTest, SlotsRunEvaluationsAtTheSameTime) {
  trainer_.set_behaviour(Behaviour::kWaitForRelease);
  EvaluatorServiceOptions options;
  options.slots = 2;
  Start(options);
  std::vector<std::thread> callers;
  std::vector<grpc::Status> statuses(2);
  for (int i = 0; i < 2; ++i) {
    callers.emplace_back([&, i] {
      EvaluationResult r;
      statuses[i] = Call(Request("r" + std::to_string(i)), &r);
    });
  }
  // Both reach the trainer before either is released.
  EXPECT_TRUE(trainer_.WaitFor([](int calls, int) { return calls == 2; }));
  EXPECT_EQ(server_->Health().running(), 2u);
  trainer_.Release();
  for (auto& t : callers) t.join();
  for (const auto& s : statuses) EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(ServiceTest, AQueuedRequestWhoseCallerGivesUpIsDropped) {
  trainer_.set_behaviour(Behaviour::kWaitForRelease);
  Start();
  grpc::Status first;
  std::thread a([&] {
    EvaluationResult r;
    first = Call(Request("a"), &r);
  });
  ASSERT_TRUE(trainer_.WaitFor([](int calls, int) { return calls == 1; }));
  EvaluationResult r;
  EXPECT_EQ(Call(Request("b"), &r, milliseconds(300)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(HealthBecomes([](const EvaluatorHealth& h) { return h.queued() == 0; }));
  trainer_.Release();
  a.join();
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(trainer_.calls(), 1);  // "b" never reached the trainer
}

TEST_F(ServiceTest, ShutdownCancelsWhatRunsFailsWhatWaitsAndStops) {
  trainer_.set_behaviour(Behaviour::kWaitForCancel);
  Start();
  std::vector<grpc::Status> statuses(2);
  std::thread a([&] {
    EvaluationResult r;
    statuses[0] = Call(Request("a"), &r);
  });
  ASSERT_TRUE(trainer_.WaitFor([](int calls, int) { return calls == 1; }));
  std::thread b([&] {
    EvaluationResult r;
    statuses[1] = Call(Request("b"), &r);
  });
  ASSERT_TRUE(HealthBecomes([](const EvaluatorHealth& h) { return h.queued() == 1; }));
  server_->Shutdown(milliseconds(0));
  a.join();
  b.join();
  EXPECT_EQ(statuses[0].error_code(), grpc::StatusCode::UNAVAILABLE) << statuses[0].error_message();
  EXPECT_EQ(statuses[1].error_code(), grpc::StatusCode::UNAVAILABLE) << statuses[1].error_message();
  EXPECT_EQ(trainer_.cancels_seen(), 1);
  EXPECT_EQ(trainer_.calls(), 1);
  EXPECT_FALSE(server_->Health().serving());
  // The port is closed: a new call fails at once.
  EvaluationResult r;
  EXPECT_EQ(Call(Request(), &r, milliseconds(2000)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(EvaluatorServerTest, AnAddressItCannotListenOnIsAnError) {
  FakeTrainer trainer;
  EvaluatorServerOptions options;
  options.listen = "256.1.1.1:1";
  auto server = EvaluatorServer::Start(trainer.fn(), options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(), "--listen: cannot listen on 256.1.1.1:1");
}

}  // namespace
}  // namespace nas::eval
