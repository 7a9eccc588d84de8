// Running a helper process (this same binary) inside a new user namespace with an IdMapping.
// The fork side does only async-signal-safe work: unshare, a pipe handshake, dup2, execve.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/idmap.hpp"

namespace burrow::rootless {

// Owns a child process: a Child that is destroyed without wait() kills and reaps it.
class Child {
public:
    Child() = default;
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
    Child& operator=(Child&& o) noexcept;
    ~Child();
    pid_t pid() const { return pid_; }
    // Gives up ownership: the process is no longer killed or waited for by this object.
    pid_t release() {
        pid_t p = pid_;
        pid_ = -1;
        return p;
    }
    // Waits and returns the raw wait status.
    int wait();
    void kill(int sig);

private:
    pid_t pid_ = -1;
};

// Writes the uid/gid maps of `pid`, which has just created its user namespace: newuidmap/newgidmap
// for ranges; a direct single-id map with setgroups denied otherwise.
void write_id_maps(pid_t pid, const IdMapping& map);

// Starts /proc/self/exe with `args` (args[0] is the hidden subcommand, e.g. "__extract") in a new
// user namespace mapped with `map` (newuidmap/newgidmap for ranges; a direct single-id map with
// setgroups deny otherwise). `pass_fds[i]` becomes fd 3+i in the child; all other fds are closed.
// Returns once the maps are written and the child has been let go.
// `stderr_fd` >= 0 replaces the child's stderr (fds 0 and 1 are inherited).
Child spawn_in_userns(const IdMapping& map, const std::vector<std::string>& args, const std::vector<int>& pass_fds,
                      int stderr_fd = -1);

// Runs /proc/self/exe `args` in the user namespace and waits; throws Error with the child's
// stderr when it fails. For short jobs such as removing a tree owned by subordinate ids.
void run_in_userns(const IdMapping& map, const std::vector<std::string>& args);

}  // namespace burrow::rootless
