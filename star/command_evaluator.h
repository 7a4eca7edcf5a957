// Quality kind COMMAND: an external training command, one run per candidate
// (evaluator/README.md, "External training command"). The command line runs under
// /bin/sh -c in its own process group; it reads the EvaluateRequest as one JSON object on
// its standard input and prints the EvaluationResult as one JSON object on its standard
// output (proto field names; unknown fields are ignored); its stderr is captured, and its
// last lines go into the reason when it fails. The whole group is killed when the
// per-candidate deadline passes (a failed evaluation, "killed after the N s timeout") or
// the campaign stops (Cancelled: redone on resume). A non-zero exit status, a signal, or
// output that is not an EvaluationResult is a failed evaluation whose reason names the
// command and what went wrong. One candidate at a time. One campaign thread.
#pragma once

#include <memory>
#include <string>

#include "star/trained_quality.h"

namespace nas::star {

std::unique_ptr<QualityEvaluator> MakeCommandEvaluator(TrainingConfig config,
                                                       std::string command);

}  // namespace nas::star
