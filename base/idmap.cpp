#include "base/idmap.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/fs.hpp"
#include "base/strings.hpp"

namespace burrow {
namespace {

bool parse_u32(std::string_view s, uint32_t& out) {
    s = trim(s);
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

uint32_t span_end(const std::vector<IdMapEntry>& v) {
    uint64_t end = 0;
    for (const auto& e : v) end = std::max<uint64_t>(end, uint64_t(e.container_id) + e.size);
    return end > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(end);
}

// 0 -> own id, then the ranges stacked from 1 (Podman's layout). A range holding the user's own
// id is skipped: mapping it twice is refused by the kernel.
std::vector<IdMapEntry> stack(uint32_t own, const std::vector<IdRange>& ranges) {
    std::vector<IdMapEntry> out{{0, own, 1}};
    uint64_t next = 1;
    for (const auto& r : ranges) {
        if (r.count == 0) continue;
        if (own >= r.start && uint64_t(own) < uint64_t(r.start) + r.count) continue;
        if (next + r.count > UINT32_MAX) break;
        out.push_back({static_cast<uint32_t>(next), r.start, r.count});
        next += r.count;
    }
    return out;
}

std::string subid_path(const char* env, const char* fallback) {
    const char* p = std::getenv(env);
    return p && *p ? p : fallback;
}

}  // namespace

std::vector<IdRange> parse_subid(std::string_view content, std::string_view user, uint32_t uid) {
    std::vector<IdRange> out;
    std::string uid_str = std::to_string(uid);
    for (const auto& raw : split(content, '\n')) {
        auto line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        auto f = split(line, ':');
        if (f.size() != 3) continue;
        auto name = trim(f[0]);
        if (name != user && name != uid_str) continue;
        IdRange r;
        if (!parse_u32(f[1], r.start) || !parse_u32(f[2], r.count) || r.count == 0) continue;
        out.push_back(r);
    }
    return out;
}

uint32_t IdMapping::uid_count() const { return span_end(uids); }
uint32_t IdMapping::gid_count() const { return span_end(gids); }

IdMapping make_default_mapping(uint32_t uid, uint32_t gid, const std::vector<IdRange>& subuids,
                               const std::vector<IdRange>& subgids) {
    IdMapping m;
    m.uids = stack(uid, subuids);
    m.gids = stack(gid, subgids);
    // Half a mapping is no better than none: ids usable as owners must exist on both sides,
    // and single() has to tell the truth about chown working.
    if (m.uids.size() == 1 || m.gids.size() == 1) {
        m.uids.resize(1);
        m.gids.resize(1);
    }
    return m;
}

namespace {
std::vector<IdMapEntry> keep_id(const std::vector<IdMapEntry>& base, uint32_t host_id, uint32_t id) {
    std::vector<IdMapEntry> out;
    uint32_t next = 0;
    bool placed = false;
    auto place_self = [&] {
        out.push_back({id, host_id, 1});
        placed = true;
        if (next == id) ++next;
    };
    for (const auto& e : base) {
        if (e.container_id == 0 && e.size == 1 && e.host_id == host_id) continue;  // the user: placed at `id`
        uint32_t host = e.host_id, left = e.size;
        while (left > 0) {
            if (!placed && next == id) place_self();
            uint32_t room = (!placed && next < id) ? id - next : left;
            uint32_t n = std::min(left, room);
            out.push_back({next, host, n});
            next += n;
            host += n;
            left -= n;
        }
    }
    if (!placed) place_self();
    return out;
}
}  // namespace

IdMapping make_keep_id_mapping(const IdMapping& base, uint32_t host_uid, uint32_t host_gid, uint32_t uid, uint32_t gid) {
    IdMapping m;
    m.uids = keep_id(base.uids, host_uid, uid);
    m.gids = keep_id(base.gids, host_gid, gid);
    return m;
}

IdMapping current_user_mapping() {
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    std::string name;
    struct passwd pw, *res = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) name = res->pw_name;
    auto subuid = read_file_if_exists(subid_path("BURROW_SUBUID_FILE", "/etc/subuid")).value_or("");
    auto subgid = read_file_if_exists(subid_path("BURROW_SUBGID_FILE", "/etc/subgid")).value_or("");
    return make_default_mapping(uid, gid, parse_subid(subuid, name, uid), parse_subid(subgid, name, uid));
}

std::string format_proc_map(const std::vector<IdMapEntry>& entries) {
    std::string out;
    for (const auto& e : entries)
        out += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " + std::to_string(e.size) + "\n";
    return out;
}

std::vector<std::string> format_map_args(const std::vector<IdMapEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(std::to_string(e.container_id));
        out.push_back(std::to_string(e.host_id));
        out.push_back(std::to_string(e.size));
    }
    return out;
}

}  // namespace burrow
