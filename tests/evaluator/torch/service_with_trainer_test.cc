// The Evaluator service around the real trainer (nas::eval::Evaluate, as `evaluator serve`
// runs it) on 127.0.0.1 with an ephemeral port: one server takes a bad ArchSpec, a training
// that diverges, a missing corpus and a good request in turn, answers each as it should and
// keeps serving; the good request's result equals the in-process evaluation of the same seed.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "evaluator/evaluate.h"
#include "evaluator/evaluator_service.h"
#include "liv/model/spec_source.h"

namespace nas::eval {
namespace {

using std::chrono::milliseconds;

EvaluateRequest RecallRequest(uint64_t seed) {
  EvaluateRequest request;
  auto spec = liv::LoadArchSpec(NAS_TEST_DATA_DIR "/specs/mad_hybrid.textproto");
  EXPECT_TRUE(spec.ok()) << spec.status();
  *request.mutable_spec() = *spec;
  request.set_seed(seed);
  request.set_request_id("recall-" + std::to_string(seed));
  EvaluationSettings& s = *request.mutable_settings();
  s.add_tasks("in_context_recall");
  s.set_seq_len(32);
  TrainingBudget& b = *s.mutable_budget();
  b.set_steps(12);
  b.set_batch_size(8);
  b.set_log_every(4);
  b.set_warmup_steps(2);
  b.set_eval_examples(64);
  b.set_threads(2);
  return request;
}

class ServiceWithTrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = EvaluatorServer::Start(Evaluate, EvaluatorServerOptions{});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    stub_ = Evaluator::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown(milliseconds(0));
  }

  grpc::Status Call(const EvaluateRequest& request, EvaluationResult* result) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
    return stub_->Evaluate(&context, request, result);
  }

  std::unique_ptr<EvaluatorServer> server_;
  std::unique_ptr<Evaluator::Stub> stub_;
};

TEST_F(ServiceWithTrainerTest, SurvivesABadSpecADivergenceAndAMissingCorpus) {
  ASSERT_EQ(server_->address().rfind("127.0.0.1:", 0), 0u) << server_->address();

  // 1. A bad ArchSpec: INVALID_ARGUMENT naming the field.
  EvaluateRequest bad = RecallRequest(1);
  bad.mutable_spec()->mutable_layers(3)->mutable_attention()->set_num_kv_heads(3);
  EvaluationResult result;
  grpc::Status status = Call(bad, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("spec.layers[3].attention"), std::string::npos)
      << status.error_message();

  // 2. A training that diverges (decoupled weight decay lr * wd = 9900 per step makes the
  // weights overflow): an OK call whose outcome is DIVERGED, with the reason.
  EvaluateRequest diverging = RecallRequest(1);
  TrainingBudget& b = *diverging.mutable_settings()->mutable_budget();
  b.add_learning_rates(9.9);
  b.set_weight_decay(1000);
  b.set_grad_clip(0);
  b.set_warmup_steps(1);
  b.set_steps(40);
  result.Clear();
  status = Call(diverging, &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.outcome(), EvaluationResult::DIVERGED);
  ASSERT_EQ(result.runs_size(), 1);
  EXPECT_TRUE(result.runs(0).diverged());
  EXPECT_NE(result.failure().find("diverged"), std::string::npos) << result.failure();

  // 3. A corpus that does not exist: NOT_FOUND naming the path.
  EvaluateRequest corpus = RecallRequest(1);
  corpus.mutable_settings()->clear_tasks();
  corpus.mutable_settings()->clear_seq_len();
  corpus.mutable_settings()->set_mode(EvaluationSettings::CORPUS);
  corpus.mutable_settings()->set_corpus_path("/nonexistent/corpus.txt");
  result.Clear();
  status = Call(corpus, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_NE(status.error_message().find("/nonexistent/corpus.txt"), std::string::npos)
      << status.error_message();

  // 4. The same server still trains, and its answer is the in-process evaluation's.
  result.Clear();
  status = Call(RecallRequest(3), &result);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.outcome(), EvaluationResult::OK);
  auto local = Evaluate(RecallRequest(3));
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(result.quality(), local->quality());
  ASSERT_EQ(result.runs_size(), local->runs_size());
  EXPECT_EQ(result.runs(0).final_train_loss(), local->runs(0).final_train_loss());
  EXPECT_EQ(result.runs(0).curve_size(), 3);

  EvaluatorHealth health = server_->Health();
  EXPECT_EQ(health.running(), 0u);
  EXPECT_EQ(health.queued(), 0u);
  EXPECT_EQ(health.completed(), 3u);  // the bad spec never reached a slot
}

}  // namespace
}  // namespace nas::eval
