// A container's network as its supervisor runs it: the slirp engine on tap0 and the published
// ports (the splice proxy, or libslirp's own forwards with port_handler=slirp4netns), polled from
// the supervisor's one loop. A detached container's supervisor is another executable, so what
// the runtime is made of also crosses an exec: encode/decode.
#pragma once
#include <poll.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "net/network_options.hpp"
#include "net/port_mapping.hpp"
#include "net/port_proxy.hpp"
#include "net/slirp_engine.hpp"

namespace burrow::net {

class NetworkRuntime {
public:
    // `listeners`: bound host sockets for the proxy.
    NetworkRuntime(const SlirpOptions& options, UniqueFd tap, std::vector<Listener> listeners, pid_t container_pid);

    // Mappings libslirp binds itself (port_handler=slirp4netns). Throws, naming the address, at the
    // first that cannot be bound; the network and the forwards added before it stay.
    void add_slirp_forwards(const std::vector<PortMapping>& forwards);

    void fill(std::vector<pollfd>& fds, int& timeout_ms);
    void dispatch(const std::vector<pollfd>& fds);

    const SlirpEngine& engine() const { return engine_; }

private:
    SlirpEngine engine_;
    std::unique_ptr<PortProxy> proxy_;
};

// What the runtime is made of, for burrow-supervisor's command line: the network mode string,
// the tap fd, the listeners' fds and their ports, libslirp's forwards. The fds must be left
// open across exec by the caller.
std::string encode_network(const std::string& network_mode, int tap_fd, const std::vector<Listener>& listeners,
                           const std::vector<PortMapping>& slirp_forwards);
struct DecodedNetwork {
    std::unique_ptr<NetworkRuntime> runtime;
    std::vector<PortMapping> slirp_forwards;  // for add_slirp_forwards
};
DecodedNetwork decode_network(const std::string& encoded, pid_t container_pid);

}  // namespace burrow::net
