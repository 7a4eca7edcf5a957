// Quality kind SERVICE: remote Evaluator services (`evaluator serve`, proto/evaluator.proto)
// at evaluator.addresses, dispatched as the device agents are (worker_pool.h): one
// evaluation per service at a time, so a generation runs as many at once as there are
// services. Each call has a deadline of the per-candidate timeout plus a slack. A
// transport-level failure (unreachable, vanished, deadline exceeded, busy, shutting down)
// is the service's: the evaluation goes to another service, and a service failing
// `quarantine_after` times in a row is quarantined for the rest of the run (both reported
// as events, which the campaign records with the agents' events). INVALID_ARGUMENT is the
// candidate's: a failed evaluation, not retried. An evaluation that failed on
// `max_attempts_per_job` calls is a failed evaluation; one left when every service is
// quarantined ends Unavailable (not stored: the campaign stops, resumable). When the
// campaign stops, the calls in flight are cancelled (Cancelled: redone on resume).
// One campaign thread; the pool's threads deliver results one at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "star/trained_quality.h"

namespace nas::star {

std::unique_ptr<QualityEvaluator> MakeServiceEvaluator(TrainingConfig config,
                                                       std::vector<std::string> addresses,
                                                       const ServicePoolOptions& options);

}  // namespace nas::star
