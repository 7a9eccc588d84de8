// --network: the modes a rootless container can have and the slirp network's options, in
// Podman's syntax (`slirp4netns[:opt=value,...]`), with the addresses derived from them.
// Pure: unit-tested.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace burrow::net {

// The container's view of the slirp network. Addresses are IPv4 in host byte order.
struct SlirpOptions {
    uint32_t network = 0x0A000200;  // 10.0.2.0
    unsigned prefix = 24;
    unsigned mtu = 65520;            // Podman's default (slirp4netns' own is 1500)
    bool allow_host_loopback = false;  // 10.0.2.2 reaches the host's 127.0.0.1
    bool enable_ipv6 = true;         // fd00::/64 by router advertisements from libslirp
    bool slirp_port_handler = false;   // port_handler=slirp4netns: libslirp's own forwards
    std::string outbound_addr, outbound_addr6;  // source address of outbound connections

    uint32_t netmask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
    // slirp4netns' layout: network + 2 is the gateway and the host, + 3 the DNS forwarder,
    // + 15 libslirp's DHCP start, + 100 the container (hence a prefix of at most /25).
    uint32_t gateway() const { return network + 2; }
    uint32_t dns() const { return network + 3; }
    uint32_t dhcp_start() const { return network + 15; }
    uint32_t guest() const { return network + 100; }
};

enum class NetworkKind { none, host, slirp };

struct NetworkMode {
    NetworkKind kind = NetworkKind::slirp;
    SlirpOptions slirp;
    // The value kept in the container's record: "none", "host", "slirp4netns[:opts]".
    std::string canonical;
};

// "" / "private" / "bridge" / "slirp4netns" (the rootless default), "slirp4netns:a=b,c=d",
// "none", "host". Throws Error with Podman's texts: `unable to find network with name or ID X:
// network not found`, `unknown option for slirp4netns: "X"`, `invalid mtu "X"`, `invalid cidr
// "X"`, `invalid value of allow_host_loopback for slirp4netns: "X"`, ...
NetworkMode parse_network_mode(const std::string& value);

std::string ipv4_string(uint32_t host_order);
std::optional<uint32_t> parse_ipv4(std::string_view s);

}  // namespace burrow::net
