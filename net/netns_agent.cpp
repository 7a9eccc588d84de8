#include "net/netns_agent.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "base/fd_passing.hpp"

namespace burrow::net {

namespace {

struct Request {
    int family;
    int type;
};

// The agent: one request, one socket, until the channel closes.
[[noreturn]] void agent_main(int channel, int userns, int netns, pid_t parent) {
    if (::setns(userns, CLONE_NEWUSER) < 0 || ::setns(netns, CLONE_NEWNET) < 0) ::_exit(1);
    // Joining the user namespace changed our credentials, which cleared any parent-death signal.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(0);
    // Nothing of the supervisor's (the container's stdio, the listening sockets) stays open here.
    if (channel != 3) {
        ::dup2(channel, 3);
        channel = 3;
    }
    ::syscall(SYS_close_range, 4U, ~0U, 0U);
    for (int fd = 0; fd < 3; ++fd) ::close(fd);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (;;) {
        Request r;
        ssize_t n = ::read(channel, &r, sizeof r);
        if (n < 0 && errno == EINTR) continue;
        if (n != sizeof r) ::_exit(0);
        int fd = ::socket(r.family, r.type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            // A plain byte without an fd says "failed"; the errno follows.
            char fail = 'e';
            int err = errno;
            (void)!::write(channel, &fail, 1);
            (void)!::write(channel, &err, sizeof err);
            continue;
        }
        if (send_fd(channel, fd) != 0) ::_exit(0);
        ::close(fd);
    }
}

}  // namespace

NetnsAgent::~NetnsAgent() {
    channel_.reset();  // the agent sees EOF and exits
    if (agent_pid_ > 0) {
        ::kill(agent_pid_, SIGKILL);
        while (::waitpid(agent_pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

void NetnsAgent::start() {
    std::string base = "/proc/" + std::to_string(container_pid_) + "/ns/";
    UniqueFd userns(::open((base + "user").c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd netns(::open((base + "net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!userns || !netns) throw_errno("open the namespaces of the container (pid " + std::to_string(container_pid_) + ")");
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
    UniqueFd mine(sv[0]), theirs(sv[1]);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork the network agent");
    if (pid == 0) {
        mine.reset();
        agent_main(theirs.get(), userns.get(), netns.get(), parent);
    }
    agent_pid_ = pid;
    channel_ = std::move(mine);
}

UniqueFd NetnsAgent::make_socket(int family, int type) {
    if (!channel_) start();
    Request r{family, type};
    if (::send(channel_.get(), &r, sizeof r, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof r)) {
        channel_.reset();
        throw Error("the container's network agent is gone");
    }
    // SOCK_SEQPACKET keeps the reply's byte and its fd together.
    char byte = 0;
    int fd = -1;
    if (receive_message(channel_.get(), &byte, &fd) <= 0) {
        channel_.reset();
        throw Error("the container's network agent could not join its namespaces");
    }
    if (fd >= 0) return UniqueFd(fd);
    int err = EIO;
    (void)!::read(channel_.get(), &err, sizeof err);
    throw_errno("make a socket in the container's network namespace", err);
}

}  // namespace burrow::net
