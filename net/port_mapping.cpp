#include "net/port_mapping.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace burrow::net {

namespace {

int protocol_rank(const std::string& p) { return p == "tcp" ? 0 : p == "udp" ? 1 : 2; }

// Go's error texts are strerror in lower case: "address already in use".
std::string go_errno(int err) {
    std::string s = std::strerror(err);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

unsigned unprivileged_port_start() {
    auto text = read_file_if_exists("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    return text ? static_cast<unsigned>(std::atoi(text->c_str())) : 1024;
}

struct SocketAddress {
    sockaddr_storage ss {};
    socklen_t len = 0;
    int family = AF_INET;
};

SocketAddress socket_address(const std::string& ip, uint16_t port) {
    SocketAddress a;
    if (ip.find(':') != std::string::npos) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (::inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr) != 1) throw Error("invalid IP address \"" + ip + "\" in port mapping");
        a.len = sizeof *s6;
        a.family = AF_INET6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&a.ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        if (!ip.empty() && ::inet_pton(AF_INET, ip.c_str(), &s4->sin_addr) != 1)
            throw Error("invalid IP address \"" + ip + "\" in port mapping");
        a.len = sizeof *s4;
    }
    return a;
}

// A bound socket for ip:port, or -1 with errno.
int bind_socket(const std::string& protocol, const std::string& ip, uint16_t port) {
    SocketAddress a = socket_address(ip, port);
    int type = protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM;
    int fd = ::socket(a.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    // A restarted container gets its port back while old connections sit in TIME_WAIT.
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) < 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

uint16_t bound_port(int fd) {
    sockaddr_storage ss {};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

[[noreturn]] void throw_bind_error(const std::string& protocol, const std::string& ip, uint16_t port, int err) {
    std::string where = "listen " + protocol + " " + host_address(ip, port) + ": bind: " + go_errno(err);
    unsigned start = unprivileged_port_start();
    if (err == EACCES && port < start)
        throw Error("cannot expose privileged port " + std::to_string(port) +
                    ", you can add 'net.ipv4.ip_unprivileged_port_start=" + std::to_string(port) +
                    "' to /etc/sysctl.conf (currently " + std::to_string(start) +
                    "), or choose a larger port number (>= " + std::to_string(start) + "): " + where);
    throw Error(where);
}

}  // namespace

std::string host_address(const std::string& ip, uint16_t port) {
    std::string host = ip.empty() ? "0.0.0.0" : ip;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return host + ":" + std::to_string(port);
}

std::vector<PortMapping> normalize_ports(std::vector<PortMapping> ports) {
    std::stable_sort(ports.begin(), ports.end(), [](const PortMapping& a, const PortMapping& b) {
        // host port 0 (to be assigned) sorts after every given one
        auto key = [](const PortMapping& p) {
            return std::make_tuple(protocol_rank(p.protocol), p.host_ip, p.host_port == 0, p.host_port, p.container_port);
        };
        return key(a) < key(b);
    });
    std::vector<PortMapping> out;
    for (auto& p : ports) {
        if (!out.empty()) {
            PortMapping& prev = out.back();
            bool same_group = prev.host_ip == p.host_ip && prev.protocol == p.protocol && (prev.host_port == 0) == (p.host_port == 0);
            bool next_container = prev.container_port + prev.range == p.container_port;
            bool next_host = p.host_port == 0 || prev.host_port + prev.range == p.host_port;
            if (same_group && next_container && next_host) {
                prev.range = static_cast<uint16_t>(prev.range + p.range);
                continue;
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

void assign_host_ports(std::vector<PortMapping>& ports) {
    for (auto& p : ports) {
        if (p.host_port != 0) continue;
        bool found = false;
        for (int attempt = 0; attempt < 15 && !found; ++attempt) {
            int probe = bind_socket(p.protocol == "udp" ? "udp" : "tcp", p.host_ip, 0);
            if (probe < 0) break;
            uint16_t start = bound_port(probe);
            ::close(probe);
            if (start == 0 || static_cast<unsigned>(start) + p.range - 1 > 65535) continue;
            found = true;
            for (uint16_t i = 0; i < p.range && found; ++i) {
                uint16_t port = static_cast<uint16_t>(start + i);
                bool taken = std::any_of(ports.begin(), ports.end(), [&](const PortMapping& o) {
                    return o.host_port != 0 && o.protocol == p.protocol && port >= o.host_port && port < o.host_port + o.range;
                });
                int fd = taken ? -1 : bind_socket(p.protocol == "udp" ? "udp" : "tcp", p.host_ip, port);
                if (fd < 0) found = false;
                else ::close(fd);
            }
            if (found) p.host_port = start;
        }
        if (!found)
            throw Error("failed to find an open port to expose container port " + std::to_string(p.container_port) +
                        (p.range > 1 ? " with range " + std::to_string(p.range) : std::string()) + " on the host");
    }
}

std::vector<Listener> open_listeners(const std::vector<PortMapping>& ports) {
    std::vector<Listener> out;
    for (const auto& p : ports) {
        if (p.protocol != "tcp" && p.protocol != "udp")
            throw Error("cannot publish " + p.protocol + " port " + std::to_string(p.container_port) +
                        ": rootless port forwarding handles tcp and udp only");
        for (uint16_t i = 0; i < p.range; ++i) {
            uint16_t host_port = static_cast<uint16_t>(p.host_port + i);
            int fd = bind_socket(p.protocol, p.host_ip, host_port);
            if (fd < 0) throw_bind_error(p.protocol, p.host_ip, host_port, errno);
            Listener l;
            l.fd = UniqueFd(fd);
            if (p.protocol == "tcp" && ::listen(fd, 4096) < 0) throw_bind_error(p.protocol, p.host_ip, host_port, errno);
            l.protocol = p.protocol;
            l.host_ip = p.host_ip;
            l.host_port = host_port;
            l.container_port = static_cast<uint16_t>(p.container_port + i);
            out.push_back(std::move(l));
        }
    }
    return out;
}

}  // namespace burrow::net
