#include "net/tap.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace burrow::net {

namespace {

// sysctls of the namespace the caller is in (/proc/sys/net follows the opener's netns).
void write_sysctl(const char* path, const char* value) {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;  // no IPv6 in this kernel: nothing to switch off
    (void)!::write(fd, value, ::strlen(value));
    ::close(fd);
}

void set_sockaddr(struct sockaddr* sa, uint32_t addr) {
    struct sockaddr_in sin;
    ::memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = addr;
    ::memcpy(sa, &sin, sizeof sin);
}

int fail(TapStep step, TapStep* failed, int tap, int sock) {
    int e = errno;
    if (tap >= 0) ::close(tap);
    if (sock >= 0) ::close(sock);
    *failed = step;
    return -e;
}

}  // namespace

TapPlan plan_tap(const SlirpOptions& o) {
    TapPlan p;
    p.address = htonl(o.guest());
    p.netmask = htonl(o.netmask());
    p.gateway = htonl(o.gateway());
    p.mtu = o.mtu;
    return p;
}

const char* tap_step_name(TapStep s) {
    switch (s) {
    case TapStep::open_tun: return "open /dev/net/tun";
    case TapStep::create: return "create the tap device";
    case TapStep::mtu: return "set the MTU of tap0";
    case TapStep::address: return "set the address of tap0";
    case TapStep::netmask: return "set the netmask of tap0";
    case TapStep::up: return "bring up tap0";
    case TapStep::route: return "add the default route";
    }
    return "set up tap0";
}

int create_tap(const TapPlan& plan, TapStep* failed) {
    // tap0 takes the default at creation; the default goes back afterwards.
    write_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
    int tap = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (tap < 0) return fail(TapStep::open_tun, failed, -1, -1);
    struct ifreq ifr;
    ::memset(&ifr, 0, sizeof ifr);
    ::memcpy(ifr.ifr_name, plan.name, sizeof ifr.ifr_name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (::ioctl(tap, TUNSETIFF, &ifr) < 0) return fail(TapStep::create, failed, tap, -1);
    // Persistent: the supervisor's last close then leaves tap0 to the namespace's teardown, which
    // the kernel does in the background. A non-persistent tap is unregistered in close(), which
    // waits for an RCU grace period: ~20 ms added to every `run --rm`.
    if (::ioctl(tap, TUNSETPERSIST, 1) < 0) return fail(TapStep::create, failed, tap, -1);
    write_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "1");

    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return fail(TapStep::mtu, failed, tap, -1);
    ::memset(&ifr, 0, sizeof ifr);
    ::memcpy(ifr.ifr_name, plan.name, sizeof ifr.ifr_name);
    ifr.ifr_mtu = static_cast<int>(plan.mtu);
    if (::ioctl(sock, SIOCSIFMTU, &ifr) < 0) return fail(TapStep::mtu, failed, tap, sock);
    set_sockaddr(&ifr.ifr_addr, plan.address);
    if (::ioctl(sock, SIOCSIFADDR, &ifr) < 0) return fail(TapStep::address, failed, tap, sock);
    set_sockaddr(&ifr.ifr_netmask, plan.netmask);
    if (::ioctl(sock, SIOCSIFNETMASK, &ifr) < 0) return fail(TapStep::netmask, failed, tap, sock);
    if (::ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return fail(TapStep::up, failed, tap, sock);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) return fail(TapStep::up, failed, tap, sock);

    struct rtentry route;
    ::memset(&route, 0, sizeof route);
    set_sockaddr(&route.rt_dst, 0);
    set_sockaddr(&route.rt_genmask, 0);
    set_sockaddr(&route.rt_gateway, plan.gateway);
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    route.rt_dev = const_cast<char*>(plan.name);
    if (::ioctl(sock, SIOCADDRT, &route) < 0) return fail(TapStep::route, failed, tap, sock);
    ::close(sock);
    return tap;
}

}  // namespace burrow::net
