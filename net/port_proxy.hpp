// Published ports as a proxy between a host socket and a socket inside the container's network
// namespace (what Podman's rootlessport does, in the supervisor's own loop): TCP bytes move
// with splice(2) through a pipe and never enter user space; UDP datagrams are relayed per client
// address. The container sees connections from its own address, as under Podman.
#pragma once
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "base/fd.hpp"
#include "net/netns_agent.hpp"
#include "net/port_mapping.hpp"

namespace burrow::net {

class PortProxy {
public:
    // `guest` is the container's IPv4 address (host byte order) the proxy connects to.
    PortProxy(std::vector<Listener> listeners, uint32_t guest, pid_t container_pid);
    ~PortProxy();
    PortProxy(const PortProxy&) = delete;
    PortProxy& operator=(const PortProxy&) = delete;

    void fill(std::vector<pollfd>& fds, int& timeout_ms);
    void dispatch(const std::vector<pollfd>& fds);

    size_t tcp_sessions() const { return tcp_.size(); }
    size_t udp_flows() const { return udp_.size(); }

    struct TcpSession;
    struct UdpFlow;

private:
    void accept_tcp(size_t listener);
    void relay_udp_in(size_t listener);
    sockaddr_storage guest_address(uint16_t port, socklen_t& len) const;

    std::vector<Listener> listeners_;
    std::vector<size_t> listener_index_;  // position of each listener in the last fill
    uint32_t guest_;
    NetnsAgent agent_;
    std::vector<std::unique_ptr<TcpSession>> tcp_;
    std::vector<std::unique_ptr<UdpFlow>> udp_;
    std::vector<char> datagram_;
};

}  // namespace burrow::net
