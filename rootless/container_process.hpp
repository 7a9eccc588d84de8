// Starting a container's first process: clone into new namespaces, write the id maps from the
// parent, then in the child a straight sequence of small steps (hostname, lo up, mounts,
// rlimits, credentials, seccomp, exec) on data prepared before the clone.
//
// The handshake between the two processes is a pair of pipes carrying named messages:
//   child  -> parent  kChildCloned          (implicit: the clone returned)
//   parent -> child   kMapsWritten          the uid/gid maps are in place, go on
//   child  -> parent  StepFailure{step,err} a step failed; the child exits
//   child  -> parent  EOF                   execve succeeded (the pipe is close-on-exec)
#pragma once
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net/tap.hpp"
#include "base/idmap.hpp"
#include "rootless/mount_plan.hpp"
#include "rootless/seccomp.hpp"

namespace burrow::rootless {

struct Rlimit {
    int resource = 0;  // RLIMIT_*
    rlim_t soft = 0, hard = 0;
};

struct ProcessSpec {
    // An fd of an existing user namespace to create the container in (the shared one of
    // userns_holder.hpp): no id maps are written then. -1 = a new user namespace with `map`.
    int join_userns = -1;
    // Namespaces besides user, mount and pid (always new).
    bool new_net = true;
    // The slirp network: with new_net, the child creates `tap` (net/tap.hpp) in its namespace and
    // sends the tap's fd over this socket before anything else is mounted. -1 = only lo.
    int tap_socket = -1;
    net::TapPlan tap;
    bool new_uts = true;
    bool new_ipc = true;
    bool new_cgroup = false;
    std::string hostname;
    std::vector<MountOp> mounts;      // executed after the mount tree is made private
    // fuse-overlayfs: when `force_fuse`, or when the native overlay mount (mounts[0]) fails, this
    // command mounts the rootfs instead and `mounts_after_rootfs` follow. Empty = no fallback.
    std::vector<std::string> fuse_argv;
    bool force_fuse = false;
    std::vector<MountOp> mounts_after_rootfs;
    std::string lower_base;           // cwd while mounting (overlay lowerdirs are relative to it)
    // Credentials of the process inside.
    uint32_t uid = 0, gid = 0;
    std::vector<uint32_t> groups;
    bool set_groups = true;           // false with a single-id map (setgroups is denied)
    uint64_t caps = 0;                // bounding set; also effective/permitted when uid == 0
    bool no_new_privs = false;
    SeccompProgram seccomp;
    std::vector<Rlimit> rlimits;
    mode_t umask = 022;
    std::string workdir = "/";
    bool create_workdir = true;       // a missing workdir is made (the image's); --workdir's and exec's must exist
    std::string container_id;         // for Podman's workdir messages of a start ("" = exec: runc's words)
    std::vector<std::string> argv;    // argv[0] looked up in PATH from env when it has no '/'
    std::vector<std::string> env;
    // stdio of the process: fds in the parent (-1 = /dev/null)
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
    bool tty = false;                 // stdin is a pty slave: new session + controlling terminal
    // With tty: the child opens the pty in the container's own devpts (so `tty` and ttyname work
    // inside) and sends the master over this socket (receive it with receive_console).
    int console_socket = -1;
    unsigned short rows = 24, cols = 80;
    bool init = false;                // a minimal pid 1 that reaps and forwards signals
    int extra_fd = -1;                // passed as fd 3 (e.g. a sync socket); -1 = none
    unsigned preserve_fds = 0;        // --preserve-fds: the caller's fds 3..3+N-1 stay open as they are
};

// Which step failed in the child, for the message.
enum class Step : int {
    none = 0, wait_maps, hostname, loopback, mount_private, mounts, rlimits, workdir, groups, setgid, setuid,
    caps, no_new_privs, seccomp, stdio, exec_not_found, exec_denied, exec_other, fork_init, join, fuse, network,
};

struct StartFailure {
    Step step = Step::none;
    int err = 0;
    size_t mount_index = 0;  // the failed mount op; for Step::network the net::TapStep
};

class ContainerProcess {
public:
    ContainerProcess() = default;
    ContainerProcess(pid_t pid, int status_fd) : pid_(pid), status_fd_(status_fd) {}
    ContainerProcess(ContainerProcess&& o) noexcept;
    ContainerProcess& operator=(ContainerProcess&&) noexcept;
    ContainerProcess(const ContainerProcess&) = delete;
    ~ContainerProcess();
    pid_t pid() const { return pid_; }
    // Releases ownership (the caller waits for it from now on).
    pid_t release();

private:
    pid_t pid_ = -1;
    int status_fd_ = -1;
};

// Clones the container process, writes `map` for it and waits until it has exec'd. Throws Error
// with exit code 125 for an engine failure, 126 when the command is not executable, 127 when it
// is not found (Podman's codes), naming the step and the path.
ContainerProcess start_container_process(const ProcessSpec& spec, const IdMapping& map);

// Starts `spec` inside the namespaces of the running process `target` (a container's pid 1):
// the returned process mirrors the command's exit status (128 + signal when killed) and
// forwards the signals it gets to it. Same exit codes and errors as start_container_process.
ContainerProcess start_exec_process(const ProcessSpec& spec, pid_t target);

// Runs `fn` in a child process that joined the user and mount namespaces of `target` (so its
// "/" is the container's rootfs and it may write files there as root of the container); fds
// opened before the call still reach the host. Returns fn's result (exit code), or throws with the
// child's error message. The caller must be single-threaded.
int run_in_container_mounts(pid_t target, const std::function<int()>& fn);

// The pty master a child sent over its console socket.
int receive_console(int socket_fd);

// The message for a failure (pure; unit-tested).
std::string describe_failure(const StartFailure& f, const ProcessSpec& spec);
int failure_exit_code(const StartFailure& f);

}  // namespace burrow::rootless
