// Helpers for campaign tests: a copy of the shipped tiny search space pointed at test
// agents (and optionally changed), written to a fresh file, and readers of what a
// campaign leaves in its store (final population, front as CSV).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "proto/search_space.pb.h"

namespace nas::star::testing {

// search-spaces/tiny.textproto with its "laptop" and "phone" agents replaced, its
// evaluator replaced by the training-free proxy (these tests are about the campaign's
// mechanics; tests of trained quality set their own evaluator in `edit`), `edit` applied,
// written to TempDir()/NAME.textproto; returns the path.
std::string WriteTinySpace(const std::string& name, const std::vector<std::string>& laptop_agents,
                           const std::vector<std::string>& phone_agents,
                           const std::function<void(SearchSpace&)>& edit = {});

// A path under TempDir() with no file (nor -wal/-shm) left from an earlier run.
std::string FreshDbPath(const std::string& name);

// The last generation's population (candidate hashes) and the front as CSV; fails the
// test when the store cannot be read.
std::vector<std::string> FinalPopulation(const std::string& db);
std::string FrontCsvOf(const std::string& db);

}  // namespace nas::star::testing
