// libslirp inside the supervisor's own poll loop: Ethernet frames from the container's tap0
// become ordinary sockets of this process in the host's network namespace (outbound TCP/UDP,
// DNS forwarded at 10.0.2.3, 10.0.2.2 to the host's loopback when allowed).
//
// libslirp (and the glib it needs) is loaded with dlopen on the first frame the container sends
// that needs an answer, so that `burrow` itself starts without it, and a container that never
// talks to the network (or is only reached through published ports, which do not go through
// libslirp) keeps a supervisor of 1.6 MiB instead of 3.3. Until then the interface's own IPv6
// chatter (router solicitation, listener reports) is kept and fed in when libslirp comes: the
// container's IPv6 address then follows its first IPv4 traffic (a DNS query, a connection) by a
// round trip, where with slirp4netns it comes at start. Everything here runs on the loop's one
// thread, as libslirp requires.
#pragma once
#include <poll.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "net/network_options.hpp"

namespace burrow::net {

class SlirpEngine {
public:
    SlirpEngine(const SlirpOptions& options, UniqueFd tap);
    ~SlirpEngine();
    SlirpEngine(const SlirpEngine&) = delete;
    SlirpEngine& operator=(const SlirpEngine&) = delete;

    // Adds the tap and libslirp's sockets to `fds`; lowers `timeout_ms` (-1 = none) to the next
    // timer of libslirp's.
    void fill(std::vector<pollfd>& fds, int& timeout_ms);
    // After poll(): frames from the tap into libslirp, then libslirp's sockets and timers.
    void dispatch(const std::vector<pollfd>& fds);

    // libslirp's own port forward (port_handler=slirp4netns). Loads libslirp. Throws Error naming
    // the address when libslirp cannot bind it.
    void add_host_forward(bool udp, const std::string& host_ip, uint16_t host_port, uint16_t guest_port);

    // Counters, for the benchmark and tests.
    uint64_t frames_in() const { return frames_in_; }
    uint64_t frames_out() const { return frames_out_; }
    bool loaded() const;

    struct Impl;

private:
    bool ensure_loaded();
    void read_frames();

    SlirpOptions options_;
    UniqueFd tap_;
    std::unique_ptr<Impl> impl_;
    std::vector<uint8_t> frame_;
    static constexpr size_t kMaxChatter = 16;
    std::vector<std::vector<uint8_t>> chatter_;  // link chatter from before libslirp was loaded
    size_t tap_index_ = 0;
    bool load_failed_ = false;
    uint64_t frames_in_ = 0, frames_out_ = 0;
};

}  // namespace burrow::net
