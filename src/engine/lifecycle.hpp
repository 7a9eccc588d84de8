// The container lifecycle: start (attached: this process supervises; detached: a forked
// supervisor that keeps only the small burrow-supervisor executable resident), stop, kill,
// wait, remove, and recording an exit.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

struct StartOptions {
    bool attach = false;       // foreground: relay stdio, return the exit code
    bool interactive = false;  // relay stdin (-i)
    bool sig_proxy = true;
    bool attach_stdout = true, attach_stderr = true;  // run --attach: which output reaches us
    unsigned preserve_fds = 0;  // --preserve-fds: fds 3..3+N-1 passed into the container as they are
};

// Where the container's output is logged: "" for the none, journald and passthrough drivers
// (burrow writes no journal), --log-opt path=, or the container's ctr.log.
std::string log_file(const storage::ContainerStore& containers, const storage::ContainerConfig& cfg);

// Starts a created or exited container. Attached: returns the container's exit code after it
// exited (its exit recorded, --rm honoured). Detached: returns 0 once the process runs.
// Errors (exit 125/126/127) leave the container created, with the error in its state.
int start_container(storage::Store& store, const storage::ContainerConfig& cfg, const StartOptions& opts);

// Records the exit of the run whose pid 1 was `pid` (ignored when a newer run or a removal
// came first).
void record_exit(storage::Store& store, const std::string& id, pid_t pid, int exit_code);

// Sends the stop signal, waits up to `timeout` seconds, then SIGKILL; returns when the
// container's processes are gone and its exit is recorded.
void stop_container(storage::Store& store, const storage::ContainerConfig& cfg, unsigned timeout);

// Sends `sig` to the container's pid 1. Throws (125, Podman's text) when it is not running.
void kill_container(storage::Store& store, const storage::ContainerConfig& cfg, int sig);

struct WaitOptions {
    // Podman's state names ("stopped", "exited", "running", "created", ...); none = until it exits.
    std::vector<std::string> conditions;
    long long interval_ms = 250;  // how often a wanted state is polled
};

// Waits until the container exited (returns its exit code; a container that never ran or whose
// start failed returns at once) or is in one of the other wanted states (returns -1).
int wait_container(storage::Store& store, const storage::ContainerConfig& cfg, const WaitOptions& opts = {});

// Removes a container. A running one needs `force` (then it is stopped with `timeout` first);
// without force it is refused with Podman's text and exit code 2.
void remove_container(storage::Store& store, const storage::ContainerConfig& cfg, bool force, unsigned timeout);

// "SIGTERM", "TERM", "15", "-15", "sigterm" -> 15, as Podman parses them. Throws Podman's
// `invalid signal: X` or `valid signals are 1 through 64` (125).
int parse_signal(const std::string& s);

// Removes the container's record when it was created with --rm (after its exit).
void remove_if_auto(storage::Store& store, const std::string& id);

}  // namespace burrow::engine
