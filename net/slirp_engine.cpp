#include "net/slirp_engine.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <slirp/libslirp.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "base/log.hpp"
#include "base/error.hpp"
#include "net/port_mapping.hpp"

namespace burrow::net {

namespace {

int64_t now_ns() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Timer {
    SlirpTimerCb cb = nullptr;
    void* cb_opaque = nullptr;
    int64_t expire_ms = -1;  // -1 = not armed
};

// The libslirp calls burrow makes, resolved with dlsym.
struct SlirpApi {
    decltype(&slirp_new) new_ = nullptr;
    decltype(&slirp_cleanup) cleanup = nullptr;
    decltype(&slirp_pollfds_fill) pollfds_fill = nullptr;
    decltype(&slirp_pollfds_poll) pollfds_poll = nullptr;
    decltype(&slirp_input) input = nullptr;
    decltype(&slirp_add_hostfwd) add_hostfwd = nullptr;
};

short to_poll_events(int slirp_events) {
    short e = 0;
    if (slirp_events & SLIRP_POLL_IN) e |= POLLIN;
    if (slirp_events & SLIRP_POLL_OUT) e |= POLLOUT;
    if (slirp_events & SLIRP_POLL_PRI) e |= POLLPRI;
    if (slirp_events & SLIRP_POLL_ERR) e |= POLLERR;
    if (slirp_events & SLIRP_POLL_HUP) e |= POLLHUP;
    return e;
}

int to_slirp_events(short revents) {
    int e = 0;
    if (revents & POLLIN) e |= SLIRP_POLL_IN;
    if (revents & POLLOUT) e |= SLIRP_POLL_OUT;
    if (revents & POLLPRI) e |= SLIRP_POLL_PRI;
    if (revents & (POLLERR | POLLNVAL)) e |= SLIRP_POLL_ERR;
    if (revents & POLLHUP) e |= SLIRP_POLL_HUP;
    return e;
}

// What an interface says on its own when it comes up: IPv6 router solicitations, multicast
// listener reports and duplicate address probes, all from a link-local or unspecified source.
// None of it needs an answer before the container actually talks to someone, so none of it is
// a reason to load libslirp; they are kept and fed in once something is.
bool is_link_chatter(const uint8_t* f, size_t n) {
    constexpr size_t kEth = 14, kIp6 = 40;
    if (n < kEth + kIp6 + 4 || f[12] != 0x86 || f[13] != 0xdd) return false;
    const uint8_t* ip = f + kEth;
    bool local_source = (ip[8] == 0xfe && (ip[9] & 0xc0) == 0x80) ||
                        std::all_of(ip + 8, ip + 24, [](uint8_t b) { return b == 0; });
    if (!local_source) return false;
    size_t off = kEth + kIp6;
    uint8_t next = ip[6];
    if (next == 0) {  // hop-by-hop options (MLD reports carry the router alert)
        if (n < off + 8) return false;
        next = f[off];
        off += (static_cast<size_t>(f[off + 1]) + 1) * 8;
    }
    if (next != 58 || n < off + 1) return false;  // ICMPv6
    switch (f[off]) {
    case 133:                         // router solicitation
    case 131: case 132: case 143:     // multicast listener report / done
        return true;
    case 135:                         // neighbour solicitation: only a duplicate address probe (from ::)
        return ip[8] == 0 && std::all_of(ip + 8, ip + 24, [](uint8_t b) { return b == 0; });
    default: return false;
    }
}

}  // namespace

struct SlirpEngine::Impl {
    void* handle = nullptr;
    SlirpApi api;
    Slirp* slirp = nullptr;
    SlirpCb callbacks {};
    std::vector<std::unique_ptr<Timer>> timers;
    int tap = -1;
    uint64_t* frames_out = nullptr;
    // Valid during fill / dispatch only: where libslirp's descriptors go and come back from.
    std::vector<pollfd>* fill_target = nullptr;
    const std::vector<pollfd>* poll_result = nullptr;
    struct sockaddr_in outbound4 {};
    struct sockaddr_in6 outbound6 {};

    ~Impl() {
        if (slirp && api.cleanup) api.cleanup(slirp);
        // The handle stays loaded: libslirp and glib are not made to be unloaded.
    }

    static ssize_t send_packet(const void* buf, size_t len, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        ssize_t n;
        do n = ::write(self->tap, buf, len);
        while (n < 0 && errno == EINTR);
        // A full tap queue drops the frame: TCP inside the container retransmits.
        if (n > 0) ++*self->frames_out;
        return static_cast<ssize_t>(len);
    }
    static void guest_error(const char*, void*) {}
    static int64_t clock_get_ns(void*) { return now_ns(); }
    static void* timer_new(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        auto t = std::make_unique<Timer>();
        t->cb = cb;
        t->cb_opaque = cb_opaque;
        self->timers.push_back(std::move(t));
        return self->timers.back().get();
    }
    static void timer_free(void* timer, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        std::erase_if(self->timers, [&](const std::unique_ptr<Timer>& t) { return t.get() == timer; });
    }
    static void timer_mod(void* timer, int64_t expire_ms, void*) { static_cast<Timer*>(timer)->expire_ms = expire_ms; }
    static void register_poll_fd(int, void*) {}
    static void unregister_poll_fd(int, void*) {}
    static void notify(void*) {}

    static int add_poll(int fd, int events, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        self->fill_target->push_back({fd, to_poll_events(events), 0});
        return static_cast<int>(self->fill_target->size() - 1);
    }
    static int get_revents(int idx, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        if (!self->poll_result) return 0;
        const auto& fds = *self->poll_result;
        if (idx < 0 || static_cast<size_t>(idx) >= fds.size()) return 0;
        return to_slirp_events(fds[static_cast<size_t>(idx)].revents);
    }

    void fire_timers() {
        int64_t now_ms = now_ns() / 1000000;
        // A callback may arm, free or create timers: look again after each one.
        for (bool fired = true; fired;) {
            fired = false;
            for (auto& t : timers) {
                if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
                    t->expire_ms = -1;
                    t->cb(t->cb_opaque);
                    fired = true;
                    break;
                }
            }
        }
    }

    int next_timer_ms() const {
        int64_t next = -1;
        for (const auto& t : timers)
            if (t->expire_ms >= 0 && (next < 0 || t->expire_ms < next)) next = t->expire_ms;
        if (next < 0) return -1;
        int64_t wait = next - now_ns() / 1000000;
        return static_cast<int>(std::clamp<int64_t>(wait, 0, INT_MAX));
    }
};

SlirpEngine::SlirpEngine(const SlirpOptions& options, UniqueFd tap)
    : options_(options), tap_(std::move(tap)), frame_(65536 + 64) {}

SlirpEngine::~SlirpEngine() = default;

bool SlirpEngine::loaded() const { return impl_ && impl_->slirp; }

bool SlirpEngine::ensure_loaded() {
    if (impl_) return impl_->slirp != nullptr;
    if (load_failed_) return false;
    auto impl = std::make_unique<Impl>();
    impl->tap = tap_.get();
    impl->frames_out = &frames_out_;
    auto fail = [&](const std::string& why) {
        load_failed_ = true;
        log::warn("the container has no outbound network: " + why + ": install libslirp0");
        return false;
    };
    impl->handle = ::dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!impl->handle) return fail(::dlerror());
    auto sym = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(impl->handle, name));
        return fn != nullptr;
    };
    SlirpApi& a = impl->api;
    if (!sym(a.new_, "slirp_new") || !sym(a.cleanup, "slirp_cleanup") || !sym(a.pollfds_fill, "slirp_pollfds_fill") ||
        !sym(a.pollfds_poll, "slirp_pollfds_poll") || !sym(a.input, "slirp_input") || !sym(a.add_hostfwd, "slirp_add_hostfwd"))
        return fail("libslirp.so.0 lacks the functions burrow calls");

    SlirpCb& cb = impl->callbacks;
    cb.send_packet = &Impl::send_packet;
    cb.guest_error = &Impl::guest_error;
    cb.clock_get_ns = &Impl::clock_get_ns;
    cb.timer_new = &Impl::timer_new;
    cb.timer_free = &Impl::timer_free;
    cb.timer_mod = &Impl::timer_mod;
    cb.register_poll_fd = &Impl::register_poll_fd;
    cb.unregister_poll_fd = &Impl::unregister_poll_fd;
    cb.notify = &Impl::notify;

    SlirpConfig c;
    std::memset(&c, 0, sizeof c);
    c.version = 3;  // through disable_dns: what libslirp 4.1 and later all take
    c.in_enabled = true;
    c.vnetwork.s_addr = htonl(options_.network);
    c.vnetmask.s_addr = htonl(options_.netmask());
    c.vhost.s_addr = htonl(options_.gateway());
    c.vdhcp_start.s_addr = htonl(options_.dhcp_start());
    c.vnameserver.s_addr = htonl(options_.dns());
    c.in6_enabled = options_.enable_ipv6;
    ::inet_pton(AF_INET6, "fd00::", &c.vprefix_addr6);
    c.vprefix_len = 64;
    ::inet_pton(AF_INET6, "fd00::2", &c.vhost6);
    ::inet_pton(AF_INET6, "fd00::3", &c.vnameserver6);
    c.if_mtu = options_.mtu;
    c.if_mru = options_.mtu;
    c.disable_host_loopback = !options_.allow_host_loopback;
    if (!options_.outbound_addr.empty()) {
        impl->outbound4.sin_family = AF_INET;
        ::inet_pton(AF_INET, options_.outbound_addr.c_str(), &impl->outbound4.sin_addr);
        c.outbound_addr = &impl->outbound4;
    }
    if (!options_.outbound_addr6.empty()) {
        impl->outbound6.sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, options_.outbound_addr6.c_str(), &impl->outbound6.sin6_addr);
        c.outbound_addr6 = &impl->outbound6;
    }
    impl->slirp = a.new_(&c, &impl->callbacks, impl.get());
    if (!impl->slirp) return fail("libslirp refused the network configuration");
    // libslirp reads its clock in pollfds_poll only: a UDP socket made by the frames fed in before
    // the first poll gets an expiry counted from 0, and the next fill drops it. The first DNS
    // query of a container that asks at once was lost that way (its retry came 2.5 s later).
    // A poll with select_error set inspects no descriptor and just sets the clock.
    impl->poll_result = nullptr;
    a.pollfds_poll(impl->slirp, 1, &Impl::get_revents, impl.get());
    impl_ = std::move(impl);
    return true;
}

void SlirpEngine::add_host_forward(bool udp, const std::string& host_ip, uint16_t host_port, uint16_t guest_port) {
    if (!ensure_loaded()) throw Error("cannot forward port " + std::to_string(host_port) + ": libslirp is not available");
    struct in_addr host {}, guest {htonl(options_.guest())};
    if (!host_ip.empty() && ::inet_pton(AF_INET, host_ip.c_str(), &host) != 1)
        throw Error("port_handler=slirp4netns forwards IPv4 addresses only, not " + host_ip);
    if (impl_->api.add_hostfwd(impl_->slirp, udp ? 1 : 0, host, host_port, guest, guest_port) < 0)
        throw Error(std::string("listen ") + (udp ? "udp " : "tcp ") + host_address(host_ip, host_port) +
                    ": bind: address already in use");
}

void SlirpEngine::fill(std::vector<pollfd>& fds, int& timeout_ms) {
    tap_index_ = fds.size();
    fds.push_back({tap_.get(), POLLIN, 0});
    if (!loaded()) return;
    uint32_t t = timeout_ms < 0 ? UINT32_MAX : static_cast<uint32_t>(timeout_ms);
    impl_->fill_target = &fds;
    impl_->api.pollfds_fill(impl_->slirp, &t, &Impl::add_poll, impl_.get());
    impl_->fill_target = nullptr;
    int slirp_timeout = t == UINT32_MAX ? -1 : static_cast<int>(std::min<uint32_t>(t, INT_MAX));
    int timer = impl_->next_timer_ms();
    for (int cand : {slirp_timeout, timer})
        if (cand >= 0 && (timeout_ms < 0 || cand < timeout_ms)) timeout_ms = cand;
}

void SlirpEngine::read_frames() {
    // Several frames per wake-up: each poll round costs a pass over libslirp's sockets, so
    // draining the tap in one go is what keeps a bulk transfer cheap.
    for (int i = 0; i < 64; ++i) {
        ssize_t n = ::read(tap_.get(), frame_.data(), frame_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        ++frames_in_;
        if (!loaded() && is_link_chatter(frame_.data(), static_cast<size_t>(n))) {
            if (chatter_.size() == kMaxChatter) chatter_.erase(chatter_.begin());
            chatter_.emplace_back(frame_.begin(), frame_.begin() + n);
            continue;
        }
        if (!ensure_loaded()) continue;  // dropped: nothing can carry it
        // What the interface said while libslirp was not there yet: its router solicitation
        // gets the advertisement that gives the container its IPv6 address.
        for (const auto& c : chatter_) impl_->api.input(impl_->slirp, c.data(), static_cast<int>(c.size()));
        chatter_.clear();
        impl_->api.input(impl_->slirp, frame_.data(), static_cast<int>(n));
    }
}

void SlirpEngine::dispatch(const std::vector<pollfd>& fds) {
    if (tap_index_ < fds.size() && (fds[tap_index_].revents & POLLIN)) read_frames();
    if (!loaded()) return;
    impl_->poll_result = &fds;
    impl_->api.pollfds_poll(impl_->slirp, 0, &Impl::get_revents, impl_.get());
    impl_->poll_result = nullptr;
    impl_->fire_timers();
}

}  // namespace burrow::net
