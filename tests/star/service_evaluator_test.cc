// The SERVICE evaluator against real Evaluator services on 127.0.0.1 (ephemeral ports)
// around fake trainers: parallel dispatch, retries and quarantine, what is a result and
// what is a service failure, and stopping.
#include "star/service_evaluator.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "evaluator/evaluator_service.h"
#include "google/protobuf/text_format.h"
#include "star/trained_quality.h"
#include "tests/evaluator/fake_trainer.h"

namespace nas::star {
namespace {

using eval::testing::FakeTrainer;
using Behaviour = FakeTrainer::Behaviour;
using std::chrono::milliseconds;

// An Evaluator service on 127.0.0.1 around its own fake trainer.
struct Service {
  Service() {
    auto started = eval::EvaluatorServer::Start(trainer.fn(), {});
    EXPECT_TRUE(started.ok()) << started.status();
    server = std::move(started).value();
    address = server->address();
  }
  FakeTrainer trainer;
  std::unique_ptr<eval::EvaluatorServer> server;
  std::string address;
};

// An address where nothing listens any more.
std::string DeadAddress() {
  Service gone;
  gone.server->Shutdown(milliseconds(0));
  return gone.address;
}

ArchSpec Spec(int layers, int kv_heads = 2) {
  ArchSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    vocab_size: 256 d_model: 64 norm_eps: 1e-5 tie_embeddings: true
  )pb", &spec));
  spec.set_name("spec-" + std::to_string(layers));
  for (int i = 0; i < layers; ++i) {
    Layer* layer = spec.add_layers();
    Attention* a = layer->mutable_attention();
    a->set_num_heads(4);
    a->set_num_kv_heads(kv_heads);
    a->set_head_dim(16);
    a->set_rope_theta(10000);
    layer->mutable_swiglu()->set_hidden(128);
  }
  return spec;
}

std::vector<QualityJob> Jobs(int n) {
  std::vector<QualityJob> jobs;
  for (int i = 0; i < n; ++i) {
    jobs.push_back({"hash" + std::to_string(i), Spec(i + 1), "job" + std::to_string(i)});
  }
  return jobs;
}

eval::EvaluationSettings Settings() {
  eval::EvaluationSettings settings;
  settings.add_tasks("in_context_recall");
  settings.mutable_budget()->set_steps(10);
  return settings;
}

struct Outcome {
  std::map<size_t, absl::StatusOr<QualityScore>> results;
  std::vector<WorkerEvent> events;
  int duplicates = 0;
};

class ServiceEvaluatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<QualityEvaluator> Make(std::vector<std::string> addresses,
                                         ServicePoolOptions options = {},
                                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
    return MakeServiceEvaluator({"service-mad:test", Settings(), 11, timeout},
                                std::move(addresses), options);
  }

  Outcome Run(QualityEvaluator& evaluator, const std::vector<QualityJob>& jobs) {
    Outcome o;
    QualityContext context;
    context.stop = &stop_;
    context.on_event = [&](const WorkerEvent& e) { o.events.push_back(e); };
    evaluator.EvaluateBatch(jobs, context, [&](size_t i, const absl::StatusOr<QualityScore>& s) {
      if (!o.results.emplace(i, s).second) ++o.duplicates;
    });
    return o;
  }

  std::atomic<bool> stop_{false};
};

TEST_F(ServiceEvaluatorTest, EvaluatesEveryJobOnceAndUsesEveryServiceAtOnce) {
  Service a, b;
  // Each service holds its first evaluation until both services have one: the batch must
  // run two at a time for this to finish.
  for (Service* s : {&a, &b}) s->trainer.set_behaviour(Behaviour::kWaitForRelease);
  auto evaluator = Make({a.address, b.address});
  EXPECT_EQ(evaluator->parallelism(), 2);
  const std::vector<QualityJob> jobs = Jobs(6);
  Outcome o;
  std::thread batch([&] { o = Run(*evaluator, jobs); });
  EXPECT_TRUE(a.trainer.WaitFor([](int calls, int) { return calls >= 1; }));
  EXPECT_TRUE(b.trainer.WaitFor([](int calls, int) { return calls >= 1; }));
  a.trainer.Release();
  b.trainer.Release();
  batch.join();
  ASSERT_EQ(o.results.size(), 6u);
  EXPECT_EQ(o.duplicates, 0);
  for (const auto& [i, score] : o.results) {
    ASSERT_TRUE(score.ok()) << score.status();
    EXPECT_EQ(score->failure, "");
    EXPECT_DOUBLE_EQ(score->quality, FakeTrainer::QualityOf(jobs[i].spec));
    EXPECT_NE(score->metrics_json.find("\"outcome\":\"OK\""), std::string::npos)
        << score->metrics_json;
  }
  EXPECT_EQ(a.trainer.calls() + b.trainer.calls(), 6);
  EXPECT_GE(a.trainer.calls(), 1);
  EXPECT_GE(b.trainer.calls(), 1);
  EXPECT_TRUE(o.events.empty());
  // What the services were sent: the spec, the settings, the seed, an id naming both.
  for (const auto& r : a.trainer.requests()) {
    EXPECT_EQ(r.seed(), 11u);
    EXPECT_EQ(r.settings().SerializeAsString(), Settings().SerializeAsString());
    EXPECT_NE(r.request_id().find("/service-mad:test"), std::string::npos) << r.request_id();
  }
}

TEST_F(ServiceEvaluatorTest, AServiceStoppedMidwayLeavesItsWorkToTheOther) {
  Service a, b;
  // a's first evaluation runs until a shuts down; b answers at once.
  a.trainer.set_behaviour(Behaviour::kWaitForCancel);
  auto evaluator = Make({a.address, b.address});
  const std::vector<QualityJob> jobs = Jobs(6);
  Outcome o;
  std::thread batch([&] { o = Run(*evaluator, jobs); });
  ASSERT_TRUE(a.trainer.WaitFor([](int calls, int) { return calls == 1; }));
  a.server->Shutdown(milliseconds(0));
  batch.join();
  ASSERT_EQ(o.results.size(), 6u);
  for (const auto& [i, score] : o.results) {
    ASSERT_TRUE(score.ok()) << score.status();
    EXPECT_EQ(score->failure, "") << i;
    EXPECT_DOUBLE_EQ(score->quality, FakeTrainer::QualityOf(jobs[i].spec));
  }
  EXPECT_EQ(b.trainer.calls(), 6);  // including the job a was running
  ASSERT_FALSE(o.events.empty());
  for (const WorkerEvent& e : o.events) EXPECT_EQ(e.worker, a.address);
  EXPECT_EQ(o.events[0].kind, WorkerEventKind::kFailure);
  EXPECT_NE(o.events[0].message.find("UNAVAILABLE"), std::string::npos) << o.events[0].message;
}

TEST_F(ServiceEvaluatorTest, AFailingServiceIsQuarantinedAfterConsecutiveFailures) {
  Service healthy;
  // The healthy service holds its first evaluation until the dead one is quarantined, so
  // the dead one gets every other attempt.
  healthy.trainer.set_behaviour(Behaviour::kWaitForRelease);
  const std::string dead = DeadAddress();
  ServicePoolOptions options;
  options.quarantine_after = 3;
  auto evaluator = Make({dead, healthy.address}, options);
  const std::vector<QualityJob> jobs = Jobs(4);
  Outcome o;
  std::mutex mutex;
  std::condition_variable quarantined;
  bool was_quarantined = false;
  std::thread batch([&] {
    QualityContext context;
    context.stop = &stop_;
    context.on_event = [&](const WorkerEvent& e) {
      std::lock_guard<std::mutex> lock(mutex);
      o.events.push_back(e);
      if (e.kind == WorkerEventKind::kQuarantined) {
        was_quarantined = true;
        quarantined.notify_all();
      }
    };
    evaluator->EvaluateBatch(jobs, context, [&](size_t i, const absl::StatusOr<QualityScore>& s) {
      std::lock_guard<std::mutex> lock(mutex);
      o.results.emplace(i, s);
    });
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    EXPECT_TRUE(quarantined.wait_for(lock, std::chrono::seconds(30), [&] { return was_quarantined; }));
  }
  healthy.trainer.Release();
  batch.join();
  ASSERT_EQ(o.results.size(), 4u);
  for (const auto& [i, score] : o.results) {
    ASSERT_TRUE(score.ok()) << score.status();
    EXPECT_EQ(score->failure, "");
  }
  int failures = 0, quarantines = 0;
  for (const WorkerEvent& e : o.events) {
    EXPECT_EQ(e.worker, dead);
    failures += e.kind == WorkerEventKind::kFailure;
    quarantines += e.kind == WorkerEventKind::kQuarantined;
  }
  EXPECT_EQ(failures, 3);
  EXPECT_EQ(quarantines, 1);
  EXPECT_EQ(healthy.trainer.calls(), 4);
  // Quarantine lasts: the next batch does not try the dead service again.
  Outcome again = Run(*evaluator, Jobs(2));
  EXPECT_EQ(again.results.size(), 2u);
  EXPECT_TRUE(again.events.empty());
}

TEST_F(ServiceEvaluatorTest, RejectedAndDivergedCandidatesAreFailedEvaluationsNotServiceFailures) {
  Service s;
  s.trainer.set_behaviour([](const eval::EvaluateRequest& r) {
    return r.spec().layers_size() == 2 ? Behaviour::kDiverge : Behaviour::kOk;
  });
  auto evaluator = Make({s.address});
  std::vector<QualityJob> jobs = Jobs(3);
  jobs[0].spec = Spec(1, /*kv_heads=*/3);  // 3 does not divide 4 heads
  Outcome o = Run(*evaluator, jobs);
  ASSERT_EQ(o.results.size(), 3u);
  ASSERT_TRUE(o.results.at(0).ok());
  EXPECT_EQ(o.results.at(0)->failure.rfind(
                "rejected by the evaluator service: spec.layers[0].attention.num_kv_heads: ", 0),
            0u)
      << o.results.at(0)->failure;
  ASSERT_TRUE(o.results.at(1).ok());
  EXPECT_EQ(o.results.at(1)->failure, "diverged: loss became NaN at step 7");
  EXPECT_NE(o.results.at(1)->metrics_json.find("DIVERGED"), std::string::npos);
  ASSERT_TRUE(o.results.at(2).ok());
  EXPECT_EQ(o.results.at(2)->failure, "");
  EXPECT_TRUE(o.events.empty());
  EXPECT_EQ(s.trainer.calls(), 2);  // the invalid spec never reached the trainer
}

TEST_F(ServiceEvaluatorTest, AnEvaluationThatFailsOnEveryAttemptIsAFailedEvaluation) {
  Service s;
  s.trainer.set_behaviour(Behaviour::kError);
  ServicePoolOptions options;
  options.max_attempts_per_job = 2;
  options.quarantine_after = 10;
  auto evaluator = Make({s.address}, options);
  Outcome o = Run(*evaluator, Jobs(1));
  ASSERT_EQ(o.results.size(), 1u);
  ASSERT_TRUE(o.results.at(0).ok()) << o.results.at(0).status();
  EXPECT_EQ(o.results.at(0)->failure,
            "no evaluator service could evaluate it after 2 attempts: INTERNAL: fake internal "
            "error");
  EXPECT_EQ(s.trainer.calls(), 2);
  EXPECT_EQ(o.events.size(), 2u);
}

TEST_F(ServiceEvaluatorTest, WhenNoServiceIsLeftEvaluationsDoNotHappen) {
  ServicePoolOptions options;
  options.quarantine_after = 1;
  auto evaluator = Make({DeadAddress()}, options);
  Outcome o = Run(*evaluator, Jobs(3));
  ASSERT_EQ(o.results.size(), 3u);
  for (const auto& [i, score] : o.results) {
    EXPECT_EQ(score.status().code(), absl::StatusCode::kUnavailable) << i;
  }
  EXPECT_NE(o.results.at(0).status().message().find("every evaluator service is quarantined"),
            std::string::npos)
      << o.results.at(0).status();
}

TEST_F(ServiceEvaluatorTest, StoppingCancelsTheEvaluationsInFlightWithoutBlamingTheService) {
  Service s;
  s.trainer.set_behaviour(Behaviour::kWaitForCancel);
  auto evaluator = Make({s.address});
  Outcome o;
  std::thread batch([&] { o = Run(*evaluator, Jobs(3)); });
  ASSERT_TRUE(s.trainer.WaitFor([](int calls, int) { return calls == 1; }));
  stop_ = true;
  batch.join();
  ASSERT_EQ(o.results.size(), 3u);
  for (const auto& [i, score] : o.results) {
    EXPECT_EQ(score.status().code(), absl::StatusCode::kCancelled) << i;
  }
  EXPECT_TRUE(s.trainer.WaitFor([](int, int cancels) { return cancels == 1; }));
  EXPECT_EQ(s.trainer.calls(), 1);
  EXPECT_TRUE(o.events.empty());
}

TEST_F(ServiceEvaluatorTest, TheCallDeadlineIsTheTimeoutPlusTheSlack) {
  Service s;
  s.trainer.set_behaviour(Behaviour::kWaitForCancel);
  ServicePoolOptions options;
  options.call_slack = std::chrono::seconds(0);
  options.max_attempts_per_job = 1;
  auto evaluator = Make({s.address}, options, std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  Outcome o = Run(*evaluator, Jobs(1));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  ASSERT_TRUE(o.results.at(0).ok());
  EXPECT_NE(o.results.at(0)->failure.find("DEADLINE_EXCEEDED"), std::string::npos)
      << o.results.at(0)->failure;
  // The service saw its caller go and cancelled the training.
  EXPECT_TRUE(s.trainer.WaitFor([](int, int cancels) { return cancels == 1; }));
}

}  // namespace
}  // namespace nas::star
