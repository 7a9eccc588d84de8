// User-namespace id maps: /etc/subuid parsing and the mapping burrow uses. Plain data and pure
// logic (current_user_mapping only reads files): the store, the container process and the engine share it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace burrow {

struct IdRange {
    uint32_t start = 0;
    uint32_t count = 0;
};

// Ranges for `user` (matched by name or by numeric `uid`) in an /etc/subuid-format text.
// Comments (#), blank and malformed lines are skipped.
std::vector<IdRange> parse_subid(std::string_view content, std::string_view user, uint32_t uid);

struct IdMapEntry {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct IdMapping {
    std::vector<IdMapEntry> uids;
    std::vector<IdMapEntry> gids;
    // Only the user itself is mapped (to 0): no subordinate ranges; chown to other ids fails.
    bool single() const { return uids.size() <= 1 && (uids.empty() || uids[0].size == 1); }
    // Highest container uid + 1 (how many ids are usable inside).
    uint32_t uid_count() const;
    uint32_t gid_count() const;
};

// 0 -> the user; 1.. -> the subordinate ranges in order (a range containing the user's own id is skipped).
IdMapping make_default_mapping(uint32_t uid, uint32_t gid, const std::vector<IdRange>& subuids,
                               const std::vector<IdRange>& subgids);

// --userns=keep-id: the user's own ids appear as `uid`/`gid` inside; the subordinate ranges of
// `base` fill container ids 0.. around them.
IdMapping make_keep_id_mapping(const IdMapping& base, uint32_t host_uid, uint32_t host_gid, uint32_t uid, uint32_t gid);

// The mapping for the calling user from /etc/subuid and /etc/subgid ($BURROW_SUBUID_FILE /
// $BURROW_SUBGID_FILE override the paths, for tests of the parser only).
IdMapping current_user_mapping();

// "0 1000 1\n1 100000 65536\n" as written to /proc/PID/uid_map.
std::string format_proc_map(const std::vector<IdMapEntry>& entries);
// argv tail for newuidmap/newgidmap: {"0","1000","1","1","100000","65536"}.
std::vector<std::string> format_map_args(const std::vector<IdMapEntry>& entries);

}  // namespace burrow
