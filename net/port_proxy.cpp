#include "net/port_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "base/log.hpp"
#include "base/error.hpp"

namespace burrow::net {

namespace {

constexpr size_t kNone = SIZE_MAX;
constexpr int64_t kUdpIdleMs = 60000;  // a UDP "connection" ends after a minute of silence
// A bulk transfer's pipe grows to this, for fewer and bigger splices. Only then: a pipe's capacity
// counts against the user's fs.pipe-user-pages-soft (64 MiB), and once past it every new pipe of
// the user's gets a single page.
constexpr int kBulkPipeSize = 256 << 10;

int64_t now_ms() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void set_nodelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// One direction of a TCP session: source socket -> pipe -> sink socket.
struct Pump {
    UniqueFd r, w;
    size_t queued = 0, capacity = 0;
    bool eof = false;   // the source sent FIN (or is gone)
    bool shut = false;  // the sink got our FIN

    bool open() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) return false;
        r = UniqueFd(p[0]);
        w = UniqueFd(p[1]);
        int size = ::fcntl(w.get(), F_GETPIPE_SZ);
        capacity = size > 0 ? static_cast<size_t>(size) : 65536;
        return true;
    }
    void grow() {
        if (capacity >= static_cast<size_t>(kBulkPipeSize)) return;
        int size = ::fcntl(w.get(), F_SETPIPE_SZ, kBulkPipeSize);  // may be refused: the size stays
        if (size > 0) capacity = static_cast<size_t>(size);
    }
    bool done() const { return shut; }

    // Moves what it can without blocking. False on a connection error.
    bool move(int src, int dst) {
        for (int round = 0; round < 8; ++round) {
            bool progress = false;
            if (!eof && queued < capacity) {
                ssize_t n = ::splice(src, nullptr, w.get(), nullptr, capacity - queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                    queued += static_cast<size_t>(n), progress = true;
                    if (queued == capacity) grow();  // the source outruns the sink: a bulk transfer
                } else if (n == 0) {
                    eof = true, progress = true;
                }
                else if (errno != EAGAIN && errno != EINTR) return false;
            }
            if (queued > 0) {
                ssize_t n = ::splice(r.get(), nullptr, dst, nullptr, queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) queued -= static_cast<size_t>(n), progress = true;
                else if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            }
            if (eof && queued == 0 && !shut) {
                ::shutdown(dst, SHUT_WR);
                shut = true;
            }
            if (!progress) break;
        }
        return true;
    }
    // What the source and the sink are polled for.
    short source_events() const { return !eof && queued < capacity ? POLLIN : 0; }
    short sink_events() const { return queued > 0 ? POLLOUT : 0; }
};

bool same_address(const sockaddr_storage& a, socklen_t alen, const sockaddr_storage& b, socklen_t blen) {
    return alen == blen && std::memcmp(&a, &b, alen) == 0;
}

}  // namespace

struct PortProxy::TcpSession {
    UniqueFd client, server;
    bool connecting = true;
    bool dead = false;
    Pump up, down;  // up: client -> container, down: container -> client
    size_t ci = kNone, si = kNone;

    bool finished() const { return dead || (up.done() && down.done()); }
    void pump() {
        if (!up.move(client.get(), server.get()) || !down.move(server.get(), client.get())) dead = true;
    }
};

struct PortProxy::UdpFlow {
    size_t listener = 0;
    sockaddr_storage client {};
    socklen_t client_len = 0;
    UniqueFd sock;  // connected to the container's port, inside its namespace
    int64_t last_ms = 0;
    size_t idx = kNone;
};

PortProxy::PortProxy(std::vector<Listener> listeners, uint32_t guest, pid_t container_pid)
    : listeners_(std::move(listeners)), guest_(guest), agent_(container_pid), datagram_(65536) {
    // Six descriptors per TCP connection: the soft limit of 1024 would cap a busy server at ~170.
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

PortProxy::~PortProxy() = default;

sockaddr_storage PortProxy::guest_address(uint16_t port, socklen_t& len) const {
    sockaddr_storage ss {};
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(guest_);
    len = sizeof *sin;
    return ss;
}

void PortProxy::fill(std::vector<pollfd>& fds, int& timeout_ms) {
    listener_index_.resize(listeners_.size());
    for (size_t i = 0; i < listeners_.size(); ++i) {
        listener_index_[i] = fds.size();
        fds.push_back({listeners_[i].fd.get(), POLLIN, 0});
    }
    // A socket is polled only for what the session still needs from it: a socket that hung up
    // and owes nothing must not be in the set, or poll would report its POLLHUP forever.
    for (auto& s : tcp_) {
        s->ci = s->si = kNone;
        short ce = 0, se = 0;
        if (s->connecting) {
            se = POLLOUT;
        } else {
            ce = static_cast<short>(s->up.source_events() | s->down.sink_events());
            se = static_cast<short>(s->down.source_events() | s->up.sink_events());
        }
        if (ce) s->ci = fds.size(), fds.push_back({s->client.get(), ce, 0});
        if (se) s->si = fds.size(), fds.push_back({s->server.get(), se, 0});
    }
    int64_t now = udp_.empty() ? 0 : now_ms();
    for (auto& f : udp_) {
        f->idx = fds.size();
        fds.push_back({f->sock.get(), POLLIN, 0});
        int64_t left = std::max<int64_t>(0, f->last_ms + kUdpIdleMs - now) + 1;
        if (timeout_ms < 0 || left < timeout_ms) timeout_ms = static_cast<int>(std::min<int64_t>(left, INT_MAX));
    }
}

void PortProxy::accept_tcp(size_t li) {
    const Listener& l = listeners_[li];
    for (int i = 0; i < 64; ++i) {
        int c = ::accept4(l.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) return;  // EAGAIN, or a connection that died in the backlog
        auto s = std::make_unique<TcpSession>();
        s->client = UniqueFd(c);
        try {
            s->server = agent_.make_socket(AF_INET, SOCK_STREAM);
        } catch (const Error& e) {
            log::warn("port " + std::to_string(l.host_port) + ": " + e.what());
            continue;  // the client sees the connection close
        }
        if (!s->up.open() || !s->down.open()) continue;
        set_nodelay(s->client.get());
        set_nodelay(s->server.get());
        socklen_t len = 0;
        sockaddr_storage ss = guest_address(l.container_port, len);
        if (::connect(s->server.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) s->connecting = false;
        else if (errno != EINPROGRESS) continue;  // refused at once: nothing listens in the container
        tcp_.push_back(std::move(s));
    }
}

void PortProxy::relay_udp_in(size_t li) {
    const Listener& l = listeners_[li];
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage from {};
        socklen_t from_len = sizeof from;
        ssize_t n = ::recvfrom(l.fd.get(), datagram_.data(), datagram_.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) return;
        UdpFlow* flow = nullptr;
        for (auto& f : udp_)
            if (f->listener == li && same_address(f->client, f->client_len, from, from_len)) flow = f.get();
        if (!flow) {
            auto f = std::make_unique<UdpFlow>();
            f->listener = li;
            f->client = from;
            f->client_len = from_len;
            try {
                f->sock = agent_.make_socket(AF_INET, SOCK_DGRAM);
            } catch (const Error& e) {
                log::warn("port " + std::to_string(l.host_port) + "/udp: " + e.what());
                continue;
            }
            socklen_t len = 0;
            sockaddr_storage ss = guest_address(l.container_port, len);
            if (::connect(f->sock.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) continue;
            udp_.push_back(std::move(f));
            flow = udp_.back().get();
        }
        flow->last_ms = now_ms();
        (void)::send(flow->sock.get(), datagram_.data(), static_cast<size_t>(n), MSG_DONTWAIT);
    }
}

void PortProxy::dispatch(const std::vector<pollfd>& fds) {
    auto revents = [&](size_t idx) -> short { return idx < fds.size() ? fds[idx].revents : 0; };
    for (auto& s : tcp_) {
        short ce = revents(s->ci), se = revents(s->si);
        if (!ce && !se) continue;
        if (s->connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            if (::getsockopt(s->server.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
                s->dead = true;  // nothing listens on that port in the container
                continue;
            }
            s->connecting = false;
        }
        s->pump();
    }
    std::erase_if(tcp_, [](const std::unique_ptr<TcpSession>& s) { return s->finished(); });

    int64_t now = udp_.empty() ? 0 : now_ms();
    for (auto& f : udp_) {
        if (!(revents(f->idx) & POLLIN)) continue;
        const Listener& l = listeners_[f->listener];
        for (int i = 0; i < 64; ++i) {
            ssize_t n = ::recv(f->sock.get(), datagram_.data(), datagram_.size(), MSG_DONTWAIT);
            if (n < 0) break;
            f->last_ms = now;
            (void)::sendto(l.fd.get(), datagram_.data(), static_cast<size_t>(n), MSG_DONTWAIT,
                           reinterpret_cast<const sockaddr*>(&f->client), f->client_len);
        }
    }
    if (!udp_.empty())
        std::erase_if(udp_, [&](const std::unique_ptr<UdpFlow>& f) { return now - f->last_ms >= kUdpIdleMs; });

    // New connections last: the sessions above index the fds of this round only.
    for (size_t i = 0; i < listeners_.size() && i < listener_index_.size(); ++i) {
        if (!(revents(listener_index_[i]) & POLLIN)) continue;
        if (listeners_[i].protocol == "udp") relay_udp_in(i);
        else accept_tcp(i);
    }
}

}  // namespace burrow::net
