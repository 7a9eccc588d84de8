// --user resolution against a rootfs's /etc/passwd and /etc/group. Pure logic.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace burrow::rootless {

struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    // The groups to setgroups(), as Podman 4.3 gives them: none for an empty spec; otherwise the
    // user's memberships in /etc/group (only when the spec names no group, "alice:" included),
    // then the primary gid.
    std::vector<uint32_t> groups;
    std::string name;        // "" when the uid has no passwd entry
    std::string home = "/";  // from passwd, "/" when unknown
};

// `spec` is "", "name", "uid", "name:group", "uid:gid", "name:gid", "uid:group" (Podman's forms).
// `passwd` / `group` are the file contents (nullopt when the image has none). A numeric uid needs no
// passwd entry (gid then defaults to the entry's gid, or 0). Throws Error with Podman's texts and
// exit code (126, as `podman run` reports them): `unable to find user NAME: no matching entries in
// passwd file`, `unable to find group NAME: no matching entries in group file`.
ResolvedUser resolve_user(const std::string& spec, const std::optional<std::string>& passwd,
                          const std::optional<std::string>& group);

}  // namespace burrow::rootless
