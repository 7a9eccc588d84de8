// Writes tar entries under one layer directory without ever leaving it: every parent is
// resolved with openat2(RESOLVE_IN_ROOT) from an O_PATH fd of the directory, and the last
// component is created with *at calls that do not follow it.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/fd.hpp"

struct archive;
struct archive_entry;

namespace burrow::storage {

// Tests: resolve paths without openat2, as on kernels before 5.6.
void layer_writer_force_fallback(bool on);

class LayerWriter {
public:
    // Creates `diff_dir` (must not exist) and writes into it.
    LayerWriter(const std::string& diff_dir, bool ignore_chown_errors);
    // Writes the entry `e` whose data is the current entry of `a`. Throws Error on a refused entry.
    void write(struct archive* a, struct archive_entry* e);
    // Directory modes and times, applied last (writing inside a directory changes its mtime,
    // and a read-only directory mode would stop the entries that follow).
    void finish();
    // True when some whiteout had to be kept as a ".wh." file.
    bool whiteout_files() const { return whiteout_files_; }

private:
    struct PendingDir {
        std::string rel;
        mode_t mode;
        struct timespec times[2];
    };
    int parent_fd(const std::string& parent_rel, const std::string& shown);
    int open_in_root(const std::string& rel, int flags) const;
    void clear_slot(int dirfd, const std::string& name, const std::string& shown);
    void remove_subtree(int dirfd, const std::string& name, const std::string& shown);
    void chown_entry(int fd, int dirfd, const char* name, uid_t uid, gid_t gid, const std::string& shown);
    void write_file(struct archive* a, struct archive_entry* e, int dirfd, const std::string& name, const std::string& shown);
    void write_whiteout(struct archive_entry* e, int dirfd, const std::string& parent_rel, const std::string& wh_name,
                        const std::string& shown);
    void mark_whiteout_file(int dirfd, const std::string& name);
    void apply_xattrs(int fd, struct archive_entry* e);

    std::string dir_;
    UniqueFd root_;
    bool ignore_chown_;
    uid_t euid_;
    gid_t egid_;
    std::string cached_rel_;
    UniqueFd cached_fd_;
    bool has_cache_ = false;
    std::vector<PendingDir> dirs_;
    std::unordered_map<std::string, size_t> dir_index_;
    bool whiteout_files_ = false;
};

}  // namespace burrow::storage
