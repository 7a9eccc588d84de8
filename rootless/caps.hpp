// Capabilities: names, Podman's default set, and the set a container gets from its flags.
// Pure logic, except last_cap() which reads /proc/sys/kernel/cap_last_cap once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::rootless {

// "CAP_NET_ADMIN", "NET_ADMIN", "net_admin" -> 12; nullopt when unknown.
std::optional<int> cap_from_name(std::string_view name);
// 12 -> "CAP_NET_ADMIN"
std::string cap_name(int cap);
// Highest capability number the running kernel knows.
int last_cap();
// All capabilities the kernel knows, as a bit mask.
uint64_t all_caps();
// Podman 4.3's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID
// SETPCAP SETUID SYS_CHROOT.
uint64_t default_caps();
// The bounding set of a container, with Podman 4.3's rules (containers/common MergeCapabilities):
// privileged = every capability, --cap-add/--cap-drop ignored (names still checked); drop ALL = only
// what is added; add ALL = every capability minus the drops; otherwise default + add - drop. Throws
// Error (exit 125) with Podman's texts: `"CAP_FOO": unknown capability`, `adding all caps and removing
// all caps not allowed`, `capability "CAP_X" cannot be dropped and added`.
uint64_t resolve_caps(const std::vector<std::string>& add, const std::vector<std::string>& drop, bool privileged);
// Names of the caps in `mask`, sorted by number ("CAP_CHOWN", …) for inspect.
std::vector<std::string> cap_names(uint64_t mask);

}  // namespace burrow::rootless
