#include "net/network_options.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::net {

namespace {

bool parse_bool(const std::string& value, const char* option) {
    if (value == "true") return true;
    if (value == "false") return false;
    throw Error(std::string("invalid value of ") + option + " for slirp4netns: \"" + value + "\"");
}

bool is_ipv6(const std::string& s) {
    struct in6_addr a {};
    return ::inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

// Podman's net.ParseCIDR: an IPv4 address and a prefix; the network is the address masked.
// slirp4netns puts the container at network + 100, so the prefix must leave room for it.
void parse_cidr(const std::string& value, SlirpOptions& o) {
    auto bad = [&] { return Error("invalid cidr \"" + value + "\""); };
    auto slash = value.find('/');
    if (slash == std::string::npos) throw bad();
    auto addr = parse_ipv4(std::string_view(value).substr(0, slash));
    std::string_view len = std::string_view(value).substr(slash + 1);
    unsigned prefix = 0;
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
    if (!addr || len.empty() || ec != std::errc() || end != len.data() + len.size() || prefix > 32) throw bad();
    if (prefix < 1 || prefix > 25)
        throw Error("invalid cidr \"" + value + "\": the prefix must be between /1 and /25 (the container is at the network address + 100)");
    o.prefix = prefix;
    o.network = *addr & o.netmask();
}

}  // namespace

std::optional<uint32_t> parse_ipv4(std::string_view s) {
    std::string str(s);
    struct in_addr a {};
    if (::inet_pton(AF_INET, str.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

std::string ipv4_string(uint32_t host_order) {
    struct in_addr a {htonl(host_order)};
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

NetworkMode parse_network_mode(const std::string& value) {
    NetworkMode m;
    if (value == "none" || value == "host") {
        m.kind = value == "none" ? NetworkKind::none : NetworkKind::host;
        m.canonical = value;
        return m;
    }
    // Rootless Podman gives "bridge" and "private" the slirp network as well.
    if (value.empty() || value == "private" || value == "bridge" || value == "slirp4netns") {
        m.canonical = "slirp4netns";
        return m;
    }
    if (value.rfind("slirp4netns:", 0) != 0)
        throw Error("unable to find network with name or ID " + value + ": network not found");
    m.canonical = value;
    SlirpOptions& o = m.slirp;
    for (const auto& opt : split(value.substr(12), ',')) {
        auto eq = opt.find('=');
        if (eq == std::string::npos) throw Error("unknown option for slirp4netns: \"" + opt + "\"");
        std::string key = opt.substr(0, eq), v = opt.substr(eq + 1);
        if (key == "cidr") {
            parse_cidr(v, o);
        } else if (key == "port_handler") {
            if (v != "slirp4netns" && v != "rootlesskit") throw Error("unknown port_handler for slirp4netns: \"" + v + "\"");
            o.slirp_port_handler = v == "slirp4netns";
        } else if (key == "allow_host_loopback") {
            o.allow_host_loopback = parse_bool(v, "allow_host_loopback");
        } else if (key == "enable_ipv6") {
            o.enable_ipv6 = parse_bool(v, "enable_ipv6");
        } else if (key == "outbound_addr") {
            // Podman also takes an interface name here; burrow takes addresses only.
            if (!parse_ipv4(v)) throw Error("invalid outbound_addr \"" + v + "\"");
            o.outbound_addr = v;
        } else if (key == "outbound_addr6") {
            if (!is_ipv6(v)) throw Error("invalid outbound_addr6: \"" + v + "\"");
            o.outbound_addr6 = v;
        } else if (key == "mtu") {
            unsigned mtu = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), mtu);
            if (v.empty() || ec != std::errc() || end != v.data() + v.size() || mtu < 68)
                throw Error("invalid mtu \"" + v + "\"");
            // libslirp's own bound (IF_MTU_MAX).
            if (mtu > 65521) throw Error("invalid mtu \"" + v + "\": the largest the slirp network takes is 65521");
            o.mtu = mtu;
        } else {
            throw Error("unknown option for slirp4netns: \"" + opt + "\"");
        }
    }
    if (!o.outbound_addr6.empty() && !o.enable_ipv6) throw Error("enable_ipv6=true is required for outbound_addr6");
    return m;
}

}  // namespace burrow::net
