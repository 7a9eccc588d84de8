// net/: --network options, -p parsing and normalising, host ports, the /etc files per mode.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "base/error.hpp"
#include "net/etc_files.hpp"
#include "net/network_options.hpp"
#include "net/network_runtime.hpp"
#include "net/port_mapping.hpp"
#include "src/engine/create_spec.hpp"

using namespace burrow;
using namespace burrow::net;

namespace {

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

PortMapping pm(const std::string& ip, uint16_t host, uint16_t ctr, uint16_t range = 1, const std::string& proto = "tcp") {
    PortMapping p;
    p.host_ip = ip;
    p.host_port = host;
    p.container_port = ctr;
    p.range = range;
    p.protocol = proto;
    return p;
}

std::string show(const std::vector<PortMapping>& ports) {
    std::string out;
    for (const auto& p : ports)
        out += (p.host_ip.empty() ? "*" : p.host_ip) + ":" + std::to_string(p.host_port) + "->" +
               std::to_string(p.container_port) + "x" + std::to_string(p.range) + "/" + p.protocol + " ";
    return out;
}

}  // namespace

TEST_CASE("network modes and slirp options, with Podman's errors") {
    for (const char* v : {"", "private", "bridge", "slirp4netns"}) {
        auto m = parse_network_mode(v);
        CHECK(m.kind == NetworkKind::slirp);
        CHECK(m.canonical == "slirp4netns");
        CHECK(ipv4_string(m.slirp.guest()) == "10.0.2.100");
        CHECK(ipv4_string(m.slirp.gateway()) == "10.0.2.2");
        CHECK(ipv4_string(m.slirp.dns()) == "10.0.2.3");
        CHECK(m.slirp.mtu == 65520);
        CHECK_FALSE(m.slirp.allow_host_loopback);
        CHECK(m.slirp.enable_ipv6);
    }
    CHECK(parse_network_mode("none").kind == NetworkKind::none);
    CHECK(parse_network_mode("host").kind == NetworkKind::host);

    auto m = parse_network_mode("slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.5.7.9/16,enable_ipv6=false,port_handler=slirp4netns");
    CHECK(m.slirp.allow_host_loopback);
    CHECK(m.slirp.mtu == 1500);
    CHECK(ipv4_string(m.slirp.network) == "10.5.0.0");
    CHECK(ipv4_string(m.slirp.netmask()) == "255.255.0.0");
    CHECK(ipv4_string(m.slirp.guest()) == "10.5.0.100");
    CHECK(ipv4_string(m.slirp.dns()) == "10.5.0.3");
    CHECK_FALSE(m.slirp.enable_ipv6);
    CHECK(m.slirp.slirp_port_handler);
    CHECK(m.canonical == "slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.5.7.9/16,enable_ipv6=false,port_handler=slirp4netns");

    CHECK(error_of([] { parse_network_mode("bogus"); }) == "unable to find network with name or ID bogus: network not found");
    CHECK(error_of([] { parse_network_mode("slirp4netns:bogus=1"); }) == "unknown option for slirp4netns: \"bogus=1\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:mtu"); }) == "unknown option for slirp4netns: \"mtu\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:mtu=abc"); }) == "invalid mtu \"abc\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:mtu=67"); }) == "invalid mtu \"67\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:mtu=70000"); }).find("65521") != std::string::npos);
    CHECK(error_of([] { parse_network_mode("slirp4netns:cidr=10.0.2.0"); }) == "invalid cidr \"10.0.2.0\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:cidr=fd00::/64"); }) == "invalid cidr \"fd00::/64\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:cidr=10.0.2.0/28"); }).find("/25") != std::string::npos);
    CHECK(error_of([] { parse_network_mode("slirp4netns:allow_host_loopback=yes"); }) ==
          "invalid value of allow_host_loopback for slirp4netns: \"yes\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:enable_ipv6=1"); }) == "invalid value of enable_ipv6 for slirp4netns: \"1\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:port_handler=x"); }) == "unknown port_handler for slirp4netns: \"x\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:outbound_addr=eth9"); }) == "invalid outbound_addr \"eth9\"");
    CHECK(error_of([] { parse_network_mode("slirp4netns:enable_ipv6=false,outbound_addr6=::1"); }) ==
          "enable_ipv6=true is required for outbound_addr6");
}

TEST_CASE("-p values parse as Podman's, with its texts") {
    auto one = [](const std::string& v) { return show(engine::parse_publish(v)); };
    CHECK(one("80") == "*:0->80x1/tcp ");
    CHECK(one("8080:80") == "*:8080->80x1/tcp ");
    CHECK(one(":80") == "*:0->80x1/tcp ");
    CHECK(one("127.0.0.1:8080:80/udp") == "127.0.0.1:8080->80x1/udp ");
    CHECK(one("127.0.0.1::80") == "127.0.0.1:0->80x1/tcp ");
    CHECK(one("[::1]:8080:80") == "::1:8080->80x1/tcp ");
    CHECK(one("8080-8082:80-82/TCP") == "*:8080->80x3/tcp ");
    auto err = [](const std::string& v) { return error_of([&] { engine::parse_publish(v); }); };
    CHECK(err("abc") == "parsing container port: invalid port number: strconv.Atoi: parsing \"abc\": invalid syntax");
    CHECK(err("70000:80") == "parsing host port: port numbers must be between 1 and 65535 (inclusive), got 70000");
    CHECK(err("0:80") == "parsing host port: port numbers must be between 1 and 65535 (inclusive), got 0");
    CHECK(err("80:0") == "parsing container port: port numbers must be between 1 and 65535 (inclusive), got 0");
    CHECK(err("8080-8082:80-81") == "host and container port ranges have different lengths: 3 vs 2");
    CHECK(err("80-70") == "parsing container port: the end port of a range must be higher than the start port - 70 is not higher than 80");
    CHECK(err("1:2:3:4") == "invalid port format - format is [[hostIP:]hostPort:]containerPort");
    CHECK(err("1.2.3:80:80") == "cannot parse \"1.2.3\" as an IP address");
    CHECK(err("8080:80/") == "must provide a non-empty protocol to publish");
    CHECK(err("8080:80/xyz") == "unrecognized protocol \"xyz\" in port mapping");
}

TEST_CASE("port mappings are grouped, sorted and joined as Podman stores them") {
    std::vector<PortMapping> in = {pm("", 18081, 80), pm("127.0.0.1", 18082, 81, 1, "udp"), pm("", 18090, 90, 2),
                                   pm("", 0, 5353), pm("", 8081, 81), pm("", 8080, 80)};
    CHECK(show(normalize_ports(in)) ==
          "*:8080->80x2/tcp *:18081->80x1/tcp *:18090->90x2/tcp *:0->5353x1/tcp 127.0.0.1:18082->81x1/udp ");
    // consecutive container ports without host ports become one range, to get consecutive host ports
    CHECK(show(normalize_ports({pm("", 0, 91), pm("", 0, 90)})) == "*:0->90x2/tcp ");
    // not joined across protocols or addresses
    CHECK(normalize_ports({pm("", 8080, 80), pm("", 8081, 81, 1, "udp")}).size() == 2);
    CHECK(normalize_ports({pm("", 8080, 80), pm("127.0.0.1", 8081, 81)}).size() == 2);
}

TEST_CASE("free host ports are found for mappings without one, and a taken port fails to bind") {
    std::vector<PortMapping> ports = {pm("127.0.0.1", 0, 80, 3), pm("127.0.0.1", 0, 53, 1, "udp")};
    assign_host_ports(ports);
    REQUIRE(ports[0].host_port != 0);
    REQUIRE(ports[1].host_port != 0);
    auto listeners = open_listeners(ports);
    REQUIRE(listeners.size() == 4);
    CHECK(listeners[0].host_port == ports[0].host_port);
    CHECK(listeners[2].host_port == ports[0].host_port + 2);
    CHECK(listeners[2].container_port == 82);
    CHECK(listeners[3].protocol == "udp");
    // While they are open, the same ports cannot be bound again: Go's wording.
    std::string e = error_of([&] { open_listeners({ports[0]}); });
    CHECK(e == "listen tcp 127.0.0.1:" + std::to_string(ports[0].host_port) + ": bind: address already in use");
    listeners.clear();
    CHECK(open_listeners({ports[0]}).size() == 3);

    CHECK(error_of([] { open_listeners({pm("", 9000, 9, 1, "sctp")}); }).find("tcp and udp only") != std::string::npos);
    // not an address of this host (the port does not matter: the address is refused first)
    CHECK(error_of([] { open_listeners({pm("192.0.2.250", 40000, 9)}); }).find("cannot assign requested address") !=
          std::string::npos);
    if (::getuid() != 0) {
        std::string priv = error_of([] { open_listeners({pm("127.0.0.1", 80, 80)}); });
        INFO(priv);
        CHECK(priv.rfind("cannot expose privileged port 80, you can add 'net.ipv4.ip_unprivileged_port_start=80' to /etc/sysctl.conf", 0) == 0);
        CHECK(priv.find("listen tcp 127.0.0.1:80: bind: permission denied") != std::string::npos);
    }
    CHECK(host_address("::1", 80) == "[::1]:80");
    CHECK(host_address("", 80) == "0.0.0.0:80");
}

TEST_CASE("/etc/hosts as Podman 4.3 writes it for each network mode") {
    HostsInput h;
    h.base = "127.0.0.1 localhost\n# a comment\n\n10.1.1.1   db  db.local # trailing\n";
    h.add_hosts = {"foo:1.2.3.4", "bar:::1"};
    h.hostname = "myhost";
    h.name = "n1";
    h.guest = parse_network_mode("").slirp.guest();
    h.host_ip = "192.0.2.2";
    CHECK(hosts_content(h) ==
          "1.2.3.4\tfoo\n::1\tbar\n127.0.0.1\tlocalhost\n10.1.1.1\tdb db.local\n192.0.2.2\thost.containers.internal\n"
          "10.0.2.100\tmyhost n1\n");
    h.kind = NetworkKind::none;
    h.add_hosts.clear();
    CHECK(hosts_content(h).ends_with("192.0.2.2\thost.containers.internal\n127.0.0.1\tmyhost n1\n"));
    h.kind = NetworkKind::host;
    CHECK(hosts_content(h).ends_with("192.0.2.2\thost.containers.internal\n"));
    // no base file, no host address: localhost entries, no host.containers.internal
    HostsInput bare;
    bare.hostname = bare.name = "c1";
    bare.guest = parse_network_mode("").slirp.guest();
    CHECK(hosts_content(bare) ==
          "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
          "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n10.0.2.100\tc1\n");
}

TEST_CASE("resolv.conf as Podman 4.3 writes it for each network mode") {
    ResolvInput r;
    r.base = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.255.255.53\noptions edns0\n";
    r.dns_forwarder = parse_network_mode("").slirp.dns();
    CHECK(*resolv_conf_content(r) == "search corp.example\nnameserver 10.0.2.3\nnameserver 10.255.255.53\noptions edns0\n");
    r.kind = NetworkKind::host;
    CHECK(*resolv_conf_content(r) == "search corp.example\nnameserver 127.0.0.53\nnameserver 10.255.255.53\noptions edns0\n");
    r.kind = NetworkKind::none;
    CHECK_FALSE(resolv_conf_content(r).has_value());
    r.dns = {"1.1.1.1"};
    r.dns_search = {"example.com"};
    r.dns_options = {"ndots:3"};
    CHECK(*resolv_conf_content(r) == "search example.com\nnameserver 1.1.1.1\noptions ndots:3\n");
    r.kind = NetworkKind::slirp;
    r.dns_search = {"."};
    CHECK(*resolv_conf_content(r) == "nameserver 1.1.1.1\noptions ndots:3\n");
}

TEST_CASE("the supervisor's network description survives its round trip") {
    Listener l;
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    l.fd = UniqueFd(s);
    l.protocol = "tcp";
    l.host_ip = "127.0.0.1";
    l.host_port = 8080;
    l.container_port = 80;
    std::vector<Listener> ls;
    ls.push_back(std::move(l));
    std::string text = encode_network("slirp4netns:mtu=1500", -1, ls, {});
    CHECK(text.find("\"fd\":" + std::to_string(s)) != std::string::npos);
    CHECK(text.find("slirp4netns:mtu=1500") != std::string::npos);
    CHECK(error_of([] { decode_network("{not json", 1); }).rfind("the supervisor's network description is damaged", 0) == 0);
}
