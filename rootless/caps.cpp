// Capability names and the sets containers get.
#include "rootless/caps.hpp"

#include <algorithm>
#include <bit>
#include <cctype>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace burrow::rootless {

namespace {

// Index = capability number (linux/capability.h).
constexpr const char* kNames[] = {
    "CHOWN",       "DAC_OVERRIDE",    "DAC_READ_SEARCH", "FOWNER",         "FSETID",        "KILL",
    "SETGID",      "SETUID",          "SETPCAP",         "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_ADMIN",   "NET_RAW",         "IPC_LOCK",        "IPC_OWNER",      "SYS_MODULE",    "SYS_RAWIO",
    "SYS_CHROOT",  "SYS_PTRACE",      "SYS_PACCT",       "SYS_ADMIN",      "SYS_BOOT",      "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME",       "SYS_TTY_CONFIG",  "MKNOD",          "LEASE",         "AUDIT_WRITE",
    "AUDIT_CONTROL", "SETFCAP",       "MAC_OVERRIDE",    "MAC_ADMIN",      "SYSLOG",        "WAKE_ALARM",
    "BLOCK_SUSPEND", "AUDIT_READ",    "PERFMON",         "BPF",            "CHECKPOINT_RESTORE",
};
constexpr int kKnown = static_cast<int>(sizeof kNames / sizeof kNames[0]);

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool is_all(const std::string& s) { return upper(s) == "ALL"; }

// "net_admin" -> "CAP_NET_ADMIN", the spelling Podman's messages use.
std::string normalized(std::string_view s) {
    std::string u = upper(s);
    return u.rfind("CAP_", 0) == 0 ? u : "CAP_" + u;
}

}  // namespace

std::optional<int> cap_from_name(std::string_view name) {
    std::string n = upper(name);
    if (n.rfind("CAP_", 0) == 0) n = n.substr(4);
    for (int i = 0; i < kKnown; ++i)
        if (n == kNames[i]) return i;
    return std::nullopt;
}

std::string cap_name(int cap) {
    if (cap >= 0 && cap < kKnown) return std::string("CAP_") + kNames[cap];
    return "CAP_" + std::to_string(cap);
}

int last_cap() {
    static int cached = [] {
        auto text = read_file_if_exists("/proc/sys/kernel/cap_last_cap");
        int v = text ? std::atoi(text->c_str()) : kKnown - 1;
        return v > 0 && v < 64 ? v : kKnown - 1;
    }();
    return cached;
}

uint64_t all_caps() {
    int last = last_cap();
    return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

uint64_t default_caps() {
    uint64_t m = 0;
    for (const char* n : {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
                          "SETPCAP", "SETUID", "SYS_CHROOT"})
        m |= 1ULL << *cap_from_name(n);
    return m;
}

uint64_t resolve_caps(const std::vector<std::string>& add, const std::vector<std::string>& drop, bool privileged) {
    // Every name is checked first, as Podman normalises both lists before it merges them.
    auto bit = [](const std::string& n) -> uint64_t {
        if (is_all(n)) return 0;
        auto c = cap_from_name(n);
        if (!c) throw Error("\"" + normalized(n) + "\": unknown capability");
        return 1ULL << *c;
    };
    uint64_t add_set = 0, drop_set = 0;
    for (const auto& a : add) add_set |= bit(a);
    for (const auto& d : drop) drop_set |= bit(d);
    // Podman gives a privileged container every capability and ignores --cap-add/--cap-drop.
    if (privileged) return all_caps();
    bool add_all = std::any_of(add.begin(), add.end(), is_all);
    bool drop_all = std::any_of(drop.begin(), drop.end(), is_all);
    if (drop_all) {
        if (add_all) throw Error("adding all caps and removing all caps not allowed");
        return add_set & all_caps();  // only what is added
    }
    if (add_all) return all_caps() & ~drop_set;
    if (uint64_t both = add_set & drop_set)
        throw Error("capability \"" + cap_name(std::countr_zero(both)) + "\" cannot be dropped and added");
    return ((default_caps() & ~drop_set) | add_set) & all_caps();
}

std::vector<std::string> cap_names(uint64_t mask) {
    std::vector<std::string> out;
    for (int i = 0; i < 64; ++i)
        if (mask & (1ULL << i)) out.push_back(cap_name(i));
    return out;
}

}  // namespace burrow::rootless
