#include "net/network_runtime.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace burrow::net {

NetworkRuntime::NetworkRuntime(const SlirpOptions& options, UniqueFd tap, std::vector<Listener> listeners,
                               pid_t container_pid)
    : engine_(options, std::move(tap)) {
    if (!listeners.empty()) proxy_ = std::make_unique<PortProxy>(std::move(listeners), options.guest(), container_pid);
}

void NetworkRuntime::add_slirp_forwards(const std::vector<PortMapping>& forwards) {
    for (const auto& p : forwards)
        for (uint16_t i = 0; i < p.range; ++i)
            engine_.add_host_forward(p.protocol == "udp", p.host_ip, static_cast<uint16_t>(p.host_port + i),
                                     static_cast<uint16_t>(p.container_port + i));
}

void NetworkRuntime::fill(std::vector<pollfd>& fds, int& timeout_ms) {
    engine_.fill(fds, timeout_ms);
    if (proxy_) proxy_->fill(fds, timeout_ms);
}

void NetworkRuntime::dispatch(const std::vector<pollfd>& fds) {
    engine_.dispatch(fds);
    if (proxy_) proxy_->dispatch(fds);
}

std::string encode_network(const std::string& network_mode, int tap_fd, const std::vector<Listener>& listeners,
                           const std::vector<PortMapping>& slirp_forwards) {
    nlohmann::json j;
    j["mode"] = network_mode;
    j["tap"] = tap_fd;
    j["listeners"] = nlohmann::json::array();
    for (const auto& l : listeners)
        j["listeners"].push_back({{"fd", l.fd.get()}, {"proto", l.protocol}, {"ip", l.host_ip},
                                  {"host", l.host_port}, {"container", l.container_port}});
    j["forwards"] = nlohmann::json::array();
    for (const auto& p : slirp_forwards)
        j["forwards"].push_back({{"proto", p.protocol}, {"ip", p.host_ip}, {"host", p.host_port},
                                 {"container", p.container_port}, {"range", p.range}});
    return j.dump();
}

DecodedNetwork decode_network(const std::string& encoded, pid_t container_pid) {
    try {
        auto j = nlohmann::json::parse(encoded);
        NetworkMode mode = parse_network_mode(j.at("mode").get<std::string>());
        std::vector<Listener> listeners;
        for (const auto& x : j.at("listeners")) {
            Listener l;
            l.fd = UniqueFd(x.at("fd").get<int>());
            l.protocol = x.at("proto").get<std::string>();
            l.host_ip = x.at("ip").get<std::string>();
            l.host_port = x.at("host").get<uint16_t>();
            l.container_port = x.at("container").get<uint16_t>();
            listeners.push_back(std::move(l));
        }
        std::vector<PortMapping> forwards;
        for (const auto& x : j.at("forwards")) {
            PortMapping p;
            p.protocol = x.at("proto").get<std::string>();
            p.host_ip = x.at("ip").get<std::string>();
            p.host_port = x.at("host").get<uint16_t>();
            p.container_port = x.at("container").get<uint16_t>();
            p.range = x.at("range").get<uint16_t>();
            forwards.push_back(p);
        }
        DecodedNetwork d;
        d.runtime = std::make_unique<NetworkRuntime>(mode.slirp, UniqueFd(j.at("tap").get<int>()), std::move(listeners),
                                                     container_pid);
        d.slirp_forwards = std::move(forwards);
        return d;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the supervisor's network description is damaged: ") + e.what());
    }
}

}  // namespace burrow::net
