// Sockets inside a container's network namespace for a process that stays outside it.
//
// The supervisor must stay in the host's namespace (its listening sockets and libslirp's
// outbound sockets live there), and a process cannot go back once it has left. A socket keeps
// the namespace it was made in, so a small forked agent joins the container's user and network
// namespaces and makes sockets there on request; the supervisor connects them itself.
// The agent starts on the first request and ends with its channel (or the supervisor).
#pragma once
#include <sys/types.h>

#include "base/fd.hpp"

namespace burrow::net {

class NetnsAgent {
public:
    explicit NetnsAgent(pid_t container_pid) : container_pid_(container_pid) {}
    ~NetnsAgent();
    NetnsAgent(const NetnsAgent&) = delete;
    NetnsAgent& operator=(const NetnsAgent&) = delete;

    // A new non-blocking, close-on-exec socket in the container's network namespace. Throws Error
    // when the agent cannot be started or the socket not made. The caller must be single-threaded
    // (the agent is forked and joins a user namespace, which a threaded process cannot).
    UniqueFd make_socket(int family, int type);

    pid_t agent_pid() const { return agent_pid_; }

private:
    void start();

    pid_t container_pid_;
    pid_t agent_pid_ = -1;
    UniqueFd channel_;
};

}  // namespace burrow::net
