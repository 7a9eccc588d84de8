// `exec`: a new process in a running container, with the credentials path a start uses
// (container_setup.hpp's set_process_credentials), typed options in, the exit code out.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/engine/container_files.hpp"
#include "storage/container_store.hpp"

namespace burrow::storage {
class Store;
}

namespace burrow::engine {

// Podman's code for an exec session that could not be made (libpod's ExecErrorCodeGeneric).
inline constexpr int kExitExecGeneric = 255;

struct ExecOptions {
    std::vector<std::string> argv;        // the command (not empty)
    std::vector<std::string> env;         // -e: KEY=VALUE, or KEY (taken from our environment)
    std::vector<std::string> env_files;   // --env-file, applied before -e
    std::optional<std::string> user;      // --user; none = the container's user and groups
    std::optional<std::string> workdir;   // --workdir; none = the container's
    bool tty = false, interactive = false, detach = false, privileged = false;
    unsigned preserve_fds = 0;            // the caller's fds 3..3+N-1 reach the command
};

// Runs the command. Attached: returns its exit code (128+N when killed by signal N). Detached:
// returns 0 once it runs and writes the session id to `session_id`; the command then keeps none of
// the caller's descriptors (stdio is /dev/null), so `out=$(burrow exec -d ...)` returns at once.
// Errors: 255 (Podman's ExecErrorCodeGeneric) for a container that is not running or a user that
// cannot be found, 126/127 for a command that cannot be run / is not there.
int exec_in_container(storage::Store& store, const storage::ContainerConfig& cfg, const ExecOptions& opts,
                      std::string* session_id = nullptr);

}  // namespace burrow::engine
