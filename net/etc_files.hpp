// The container's /etc/hosts and /etc/resolv.conf, as Podman 4.3 writes them for each network
// mode. Pure, except local_host_ip().
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "net/network_options.hpp"

namespace burrow::net {

struct HostsInput {
    std::string base;                    // the host's /etc/hosts ("" when it has none)
    std::vector<std::string> add_hosts;  // --add-host "name:ip"
    std::string hostname, name;          // the container's hostname and name
    NetworkKind kind = NetworkKind::slirp;
    uint32_t guest = 0;                  // the container's address on the slirp network
    std::string host_ip;                 // what host.containers.internal names ("" = no entry)
};

// --add-host entries first, then the host's entries (or localhost when it has none), then
// host.containers.internal, then the container itself ("IP<TAB>hostname name"; none with the
// host's network).
std::string hosts_content(const HostsInput& in);

struct ResolvInput {
    std::string base;  // the host's /etc/resolv.conf
    std::vector<std::string> dns, dns_search, dns_options;
    NetworkKind kind = NetworkKind::slirp;
    uint32_t dns_forwarder = 0;  // 10.0.2.3 on the default slirp network
};

// slirp: the forwarder first, then the host's resolvers the container can reach (not loopback
// ones); host: the host's; none: no file at all (nullopt) unless --dns options were given.
// --dns / --dns-search / --dns-option replace what came from the host ("." = no search).
std::optional<std::string> resolv_conf_content(const ResolvInput& in);

// The host's first IPv4 address that is not loopback (Podman's host.containers.internal), "" if none.
std::string local_host_ip();

}  // namespace burrow::net
