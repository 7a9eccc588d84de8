// --user against /etc/passwd and /etc/group, as Podman (via runc's user package) resolves it.
#include "rootless/userspec.hpp"

#include <algorithm>
#include <charconv>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::rootless {

namespace {

struct Entry {
    std::vector<std::string> f;  // the colon-separated fields
};

std::vector<Entry> parse_db(const std::optional<std::string>& text) {
    std::vector<Entry> out;
    if (!text) return out;
    for (const auto& raw : split(*text, '\n')) {
        std::string line(trim(raw));
        if (line.empty() || line[0] == '#') continue;
        out.push_back({split(line, ':')});
    }
    return out;
}

std::optional<uint32_t> number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

ResolvedUser resolve_user(const std::string& spec, const std::optional<std::string>& passwd,
                          const std::optional<std::string>& group) {
    auto users = parse_db(passwd);
    auto groups = parse_db(group);
    std::string user_part = spec, group_part;
    bool group_given = false;  // "alice:" counts: runc then adds no supplementary groups
    if (auto colon = spec.find(':'); colon != std::string::npos) {
        user_part = spec.substr(0, colon);
        group_part = spec.substr(colon + 1);
        group_given = true;
    }
    if (user_part.empty()) user_part.push_back('0');  // "" is root

    ResolvedUser r;
    const Entry* pw = nullptr;
    auto uid_num = number(user_part);
    for (const auto& e : users) {
        if (e.f.size() < 4) continue;
        if ((uid_num && number(e.f[2]) == uid_num) || (!uid_num && e.f[0] == user_part)) {
            pw = &e;
            break;
        }
    }
    // Podman reports these when the runtime starts the process: exit code 126.
    if (!pw && !uid_num)
        throw Error("unable to find user " + user_part + ": no matching entries in passwd file", kExitCannotInvoke);
    if (pw) {
        r.uid = number(pw->f[2]).value_or(0);
        r.gid = number(pw->f[3]).value_or(0);
        r.name = pw->f[0];
        if (pw->f.size() > 5 && !pw->f[5].empty()) r.home = pw->f[5];
    } else {
        r.uid = *uid_num;
        r.gid = 0;
    }
    if (!group_part.empty()) {
        if (auto g = number(group_part)) {
            r.gid = *g;
        } else {
            bool found = false;
            for (const auto& e : groups)
                if (e.f.size() >= 3 && e.f[0] == group_part) {
                    r.gid = number(e.f[2]).value_or(0);
                    found = true;
                    break;
                }
            if (!found)
                throw Error("unable to find group " + group_part + ": no matching entries in group file", kExitCannotInvoke);
        }
    }
    if (spec.empty()) return r;  // no --user at all: Podman sets no groups
    // The groups the process gets, as Podman 4.3 sets them: the memberships in /etc/group (only when
    // no group was named), then the primary gid.
    auto add_group = [&r](uint32_t g) {
        if (std::find(r.groups.begin(), r.groups.end(), g) == r.groups.end()) r.groups.push_back(g);
    };
    if (!r.name.empty() && !group_given) {
        for (const auto& e : groups) {
            if (e.f.size() < 4) continue;
            for (const auto& member : split(e.f[3], ','))
                if (trim(member) == r.name)
                    if (auto g = number(e.f[2])) add_group(*g);
        }
    }
    add_group(r.gid);
    return r;
}

}  // namespace burrow::rootless
