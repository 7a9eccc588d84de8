// A published port (-p) as a plain record: the container record stores it, net/ normalises,
// assigns and binds it, the commands print it.
#pragma once
#include <cstdint>
#include <string>

namespace burrow {

struct PortMapping {
    std::string host_ip;      // "" = every IPv4 address (0.0.0.0)
    uint16_t host_port = 0;   // 0 = a free port is chosen when the container is created
    uint16_t container_port = 0;
    uint16_t range = 1;
    std::string protocol = "tcp";
};

}  // namespace burrow
