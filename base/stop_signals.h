// SIGINT / SIGTERM for long-running commands (`star run`, `evaluator serve`): a handler
// records them and the program polls. A handler rather than a blocked mask and sigwait:
// libraries such as libtorch start threads before main, which a mask set in main does not
// cover, so a signal could land on one of them and kill the process. Async-signal-safe.
#pragma once

namespace nas {

// Installs the handler for SIGINT and SIGTERM (SA_RESTART). Idempotent.
void InstallStopSignalHandler();

// How many SIGINT / SIGTERM arrived since the handler was installed.
int StopSignalsReceived();

// The last of them (SIGINT or SIGTERM), 0 when none.
int LastStopSignal();

}  // namespace nas
