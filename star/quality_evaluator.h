// The quality hook of a campaign: something that scores an architecture, higher is better.
// The campaign asks it once per candidate (results are stored and cached by candidate hash
// and evaluator name) and labels every score with the evaluator's name and whether it is a
// proxy. Kinds (the space's `evaluator` block):
//   PROXY    training-free stand-in (proxy_quality.h), labelled as such;
//   MAD, CORPUS  trained in this process by the injected trainer (local_evaluator.h), one
//            candidate at a time;
//   SERVICE  trained by remote Evaluator services (service_evaluator.h), one candidate per
//            service at a time, dispatched like the device agents;
//   COMMAND  trained by an external command speaking JSON (command_evaluator.h).
// A trained evaluator's name holds a hash of everything that changes its scores (kind,
// training settings with defaults, seed; the command line for COMMAND), so a campaign whose
// budget changes never reuses stale scores. An evaluation that gives no score (diverged,
// failed, rejected as invalid, timed out, the command failed, every service failed on it)
// is a result too: a score with `failure` set, stored and never tried again. Errors are
// for evaluations that did not happen: Cancelled (the campaign stopped), Unavailable (no
// evaluator service left: resumable), or a broken setup.
// Implementations must be deterministic for a given spec (a resumed campaign recomputes
// nothing it stored, but one that re-evaluates must get the same value). One campaign
// thread calls an evaluator; the callbacks it is given are called one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "evaluator/evaluate.h"
#include "proto/arch_spec.pb.h"
#include "proto/search_space.pb.h"
#include "star/worker_pool.h"

namespace nas::star {

// evaluator.timeout_seconds when 0: the per-candidate deadline of a trained evaluation.
inline constexpr uint32_t kDefaultEvaluationTimeoutSeconds = 3600;

struct QualityJob {
  std::string hash;   // the candidate's canonical hash
  ArchSpec spec;
  std::string label;  // for progress lines: the reference's name, or the hash's first digits
};

struct QualityScore {
  double quality = 0;        // higher is better; meaningless when `failure` is set
  std::string metrics_json;  // details for the store and reports, a JSON object
  std::string failure;       // why there is no score; "" when there is one
};

// What an evaluation may watch and report while it runs.
struct QualityContext {
  const std::atomic<bool>* stop = nullptr;  // set: end soon (evaluations end Cancelled)
  std::function<void(const std::string& line)> on_progress;  // training progress, optional
  std::function<void(const WorkerEvent& event)> on_event;    // service failures, optional
};

class QualityEvaluator {
 public:
  virtual ~QualityEvaluator() = default;
  // Stored with every score, e.g. "proxy:capacity-recall", "mad:1f3a9c0e".
  virtual std::string name() const = 0;
  // True for stand-ins that do not measure quality (shown as such in reports).
  virtual bool is_proxy() const = 0;
  // How many evaluations EvaluateBatch runs at once.
  virtual int parallelism() const { return 1; }

  virtual absl::StatusOr<QualityScore> Evaluate(const QualityJob& job,
                                                const QualityContext& context) = 0;

  // Scores every job, parallelism() at a time, calling on_result once per job as each
  // ends (one call at a time). Once context.stop is set, jobs not started end Cancelled.
  // The default runs them one after the other with Evaluate.
  virtual void EvaluateBatch(
      const std::vector<QualityJob>& jobs, const QualityContext& context,
      const std::function<void(size_t index, const absl::StatusOr<QualityScore>&)>& on_result);
};

// Dispatch of SERVICE evaluations (as the fleet's FleetOptions are for agents).
struct ServicePoolOptions {
  std::chrono::seconds call_slack{120};  // beyond the per-candidate deadline
  int quarantine_after = 3;              // consecutive service failures
  int max_attempts_per_job = 4;          // before the evaluation fails
};

// What the coordinator's build provides to its evaluators.
struct QualityEvaluatorDeps {
  // The in-process trainer for kinds MAD and CORPUS: nas::eval::Evaluate, from the
  // evaluator library (libtorch), which star_lib does not link. star's main passes it in
  // where the build has it; empty = "this build has no in-process evaluator" (MAD and
  // CORPUS are refused with that error; SERVICE and COMMAND need no trainer here).
  eval::EvaluateFn local;
  ServicePoolOptions service;
};

// The evaluator the space's `evaluator` block asks for, or nullptr when the block sets no
// kind (no QUALITY objective: nothing to score). `space_path` resolves a relative
// CORPUS corpus_path (in-process only; SERVICE and COMMAND send the path as written).
// Errors: Unimplemented for MAD/CORPUS without deps.local; NotFound for a missing corpus.
absl::StatusOr<std::unique_ptr<QualityEvaluator>> MakeQualityEvaluator(
    const SearchSpace& space, const QualityEvaluatorDeps& deps = {},
    const std::string& space_path = "");

// The name MakeQualityEvaluator(space)'s evaluator reports, without creating it ("" when
// the space has none).
std::string QualityEvaluatorName(const SearchSpace& space);

}  // namespace nas::star
