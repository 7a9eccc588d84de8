// File helpers: every failure names the path and the operation.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.hpp"

namespace burrow {

std::string read_file(const std::string& path);
// Everything readable from `fd` until EOF (EINTR retried; an error ends the read).
std::string read_to_end(int fd);
std::optional<std::string> read_file_if_exists(const std::string& path);
// Crash-safe replace: write a temp file beside `path`, fsync, rename, fsync the dir.
// `durable` = fsync the file and its directory (survives power loss); without it the write is
// still atomic for readers and against a killed writer, and costs no disk flush.
void atomic_write_file(const std::string& path, std::string_view data, mode_t mode = 0644, bool durable = true);
void mkdir_p(const std::string& path, mode_t mode = 0755);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// Names in a directory (no "." / ".."); empty when the directory does not exist.
std::vector<std::string> list_dir(const std::string& path);
// Removes a tree the caller owns and can write (not for trees owned by subordinate ids).
void remove_tree(const std::string& path);
void fsync_dir(const std::string& path);
std::string join_path(std::string_view a, std::string_view b);
// Copies `src_name` under directory fd `src_dir` to `dst_name` under `dst_dir`: files, directories
// (recursively), symlinks (as links), keeping modes and times. Existing files are overwritten,
// existing directories merged. Devices, sockets and fifos are skipped.
void copy_tree_at(int src_dir, const std::string& src_name, int dst_dir, const std::string& dst_name,
                  const std::string& shown);
// Total bytes allocated under a tree (st_blocks*512 for files, not following links).
uint64_t tree_size(const std::string& path);
UniqueFd open_or_throw(const std::string& path, int flags, mode_t mode = 0);

// Paths that come from an image or a container: `rel` ("/etc/passwd" or "etc/passwd") is opened
// under the directory fd `root` with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so neither a
// symlink nor ".." can leave `root`. Close-on-exec is added. An invalid fd with errno on failure.
UniqueFd open_in_root(int root, const std::string& rel, int flags, mode_t mode = 0);
// The content of `rel` under `root`; nullopt when it or a parent does not exist (or is not a
// directory); throws naming `rel` on other errors.
std::optional<std::string> read_file_in_root(int root, const std::string& rel);
// Appends `data` to `rel` under `root` (created with `mode` when missing). Throws naming `rel`.
void append_file_in_root(int root, const std::string& rel, std::string_view data, mode_t mode = 0644);

// The user's home and XDG directories, with the fallbacks the XDG spec gives.
std::string home_dir();
std::string xdg_config_home();
std::string xdg_data_home();
// $XDG_RUNTIME_DIR if set and usable; otherwise /tmp/burrow-run-<uid> (created 0700).
std::string xdg_runtime_dir_or_fallback();

}  // namespace burrow
