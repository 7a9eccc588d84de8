// `cp CTR:PATH -` and `cp - CTR:DIR`: a tar stream of a path in the container on stdout, and a
// tar stream from stdin extracted into a directory of the container. Plain POSIX ustar with PAX
// records for long names and big sizes; regular files, directories, symlinks and hard links.
#pragma once
#include <string>

namespace burrow::commands {

// Writes `name` under directory fd `dir` (recursively for a directory, links as links) to `out`,
// its entries named from `as`, then the two zero blocks that end an archive.
void write_tar(int dir, const std::string& name, const std::string& as, int out);

// Writes what directory fd `dir` holds (not the directory itself), entries named relative to
// it ("a/", "a/b"), then the end of the archive: `volume export`.
void write_tar_contents(int dir, int out);

// Extracts the archive on `in` into the directory `base` (relative) under directory fd `root`
// (the container's "/"): every entry resolves with openat2(RESOLVE_IN_ROOT) from `root`, so
// absolute links and ".." in links stay inside; entry names with ".." are refused.
void extract_tar(int in, int root, const std::string& base);

// A tar entry name made relative and clean ("./a//b/" -> "a/b"); "" for the root itself.
// Throws for a name that climbs out with "..".
std::string clean_tar_name(const std::string& name);

}  // namespace burrow::commands
