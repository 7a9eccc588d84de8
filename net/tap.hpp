// The container's side of the slirp network: tap0 in its network namespace, addressed and
// routed as slirp4netns --configure does it. Prepared before the clone, run in the child.
#pragma once
#include <net/if.h>

#include <cstdint>

#include "net/network_options.hpp"

namespace burrow::net {

// Everything the child needs, as plain data (the child may not allocate).
struct TapPlan {
    char name[IFNAMSIZ] = "tap0";
    uint32_t address = 0, netmask = 0, gateway = 0;  // network byte order
    unsigned mtu = 65520;
};

TapPlan plan_tap(const SlirpOptions& o);

// Which step failed, for the message.
enum class TapStep : int { open_tun = 1, create, mtu, address, netmask, up, route };
const char* tap_step_name(TapStep s);

// In the container's new network namespace, as root of its user namespace: creates the tap
// device (non-blocking), sets MTU, address and netmask, brings it up and routes the default
// through the gateway. IPv6 comes from libslirp's router advertisements; duplicate address
// detection is switched off for it (nothing else is on that link), as Podman does.
// Async-signal-safe. Returns the tap fd, or -errno with *failed set.
int create_tap(const TapPlan& plan, TapStep* failed);

}  // namespace burrow::net
