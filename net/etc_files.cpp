#include "net/etc_files.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>

#include "base/strings.hpp"

namespace burrow::net {

namespace {

std::vector<std::string> words_of(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == ' ' || c == '\t') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

bool is_loopback_resolver(const std::string& s) { return s.rfind("127.", 0) == 0 || s == "::1"; }

}  // namespace

std::string hosts_content(const HostsInput& in) {
    std::string out;
    for (const auto& h : in.add_hosts) {
        auto colon = h.find(':');
        if (colon == std::string::npos) continue;
        out += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
    }
    bool has_localhost = false;
    for (const auto& raw : split(in.base, '\n')) {
        std::string line = raw.substr(0, raw.find('#'));
        auto w = words_of(line);
        if (w.size() < 2) continue;
        std::vector<std::string> names(w.begin() + 1, w.end());
        if (std::find(names.begin(), names.end(), "localhost") != names.end()) has_localhost = true;
        out += w[0] + "\t" + join(names, " ") + "\n";
    }
    if (!has_localhost)
        out += "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
               "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
    if (!in.host_ip.empty()) out += in.host_ip + "\thost.containers.internal\n";
    std::string names = in.hostname;
    if (!in.name.empty() && in.name != in.hostname) names += " " + in.name;
    if (in.kind == NetworkKind::slirp) out += ipv4_string(in.guest) + "\t" + names + "\n";
    else if (in.kind == NetworkKind::none) out += "127.0.0.1\t" + names + "\n";
    return out;
}

std::optional<std::string> resolv_conf_content(const ResolvInput& in) {
    bool given = !in.dns.empty() || !in.dns_search.empty() || !in.dns_options.empty();
    if (in.kind == NetworkKind::none && !given) return std::nullopt;
    std::vector<std::string> servers, search, options;
    for (const auto& raw : split(in.base, '\n')) {
        auto w = words_of(trim(raw));
        if (w.empty() || w[0][0] == '#' || w[0][0] == ';') continue;
        if (w[0] == "nameserver" && w.size() > 1) servers.push_back(w[1]);
        if ((w[0] == "search" || w[0] == "domain") && w.size() > 1) search.assign(w.begin() + 1, w.end());
        if (w[0] == "options") options.insert(options.end(), w.begin() + 1, w.end());
    }
    if (!in.dns.empty()) {
        servers = in.dns;
    } else if (in.kind == NetworkKind::slirp) {
        // The host's loopback resolvers are the container's own loopback: only the forwarder and
        // the host's other resolvers can answer it.
        std::erase_if(servers, is_loopback_resolver);
        servers.insert(servers.begin(), ipv4_string(in.dns_forwarder));
    } else if (in.kind == NetworkKind::none) {
        std::erase_if(servers, is_loopback_resolver);
    }
    if (!in.dns_search.empty()) search = in.dns_search;
    if (!in.dns_options.empty()) options = in.dns_options;
    std::string out;
    if (!search.empty() && !(search.size() == 1 && search[0] == ".")) out += "search " + join(search, " ") + "\n";
    for (const auto& s : servers) out += "nameserver " + s + "\n";
    if (!options.empty()) out += "options " + join(options, " ") + "\n";
    return out;
}

std::string local_host_ip() {
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) < 0) return "";
    std::string found;
    for (auto* a = list; a && found.empty(); a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
            continue;
        char buf[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<struct sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
        found = buf;
    }
    ::freeifaddrs(list);
    return found;
}

}  // namespace burrow::net
