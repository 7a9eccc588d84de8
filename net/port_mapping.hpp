// Published ports (the record is base/port_mapping.hpp): the -p mappings as Podman normalises
// them, free host ports for the ones given without, and the listening sockets on the host.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "base/port_mapping.hpp"

namespace burrow::net {

// Podman's order and grouping (specgen ParsePortMapping): by protocol and host address, sorted by
// host port with the unassigned ones last, consecutive ports joined into ranges. Pure.
std::vector<PortMapping> normalize_ports(std::vector<PortMapping> ports);

// Gives every mapping without a host port a free one (a range gets consecutive ones), as
// Podman does at create. Throws `failed to find an open port to expose container port N on the host`.
void assign_host_ports(std::vector<PortMapping>& ports);

// One listening socket on the host for one port of a mapping.
struct Listener {
    UniqueFd fd;
    std::string protocol;     // "tcp" or "udp"
    std::string host_ip;      // as given ("" = 0.0.0.0)
    uint16_t host_port = 0;
    uint16_t container_port = 0;
};

// Binds (and for TCP listens on) every port of `ports`. Throws, with nothing left open, in Go's
// wording as Podman prints it: `listen tcp 0.0.0.0:8080: bind: address already in use`, and for a
// port below net.ipv4.ip_unprivileged_port_start the hint to raise it or pick a larger port.
// SCTP is refused (no rootless forwarder handles it).
std::vector<Listener> open_listeners(const std::vector<PortMapping>& ports);

// "0.0.0.0:8080", "[::1]:8080".
std::string host_address(const std::string& ip, uint16_t port);

}  // namespace burrow::net
