// The hidden `__rm` helper: removes trees owned by subordinate ids from inside the user
// namespace. Apart from extraction so that binaries without libarchive can run it.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "storage/extract.hpp"

namespace burrow::storage {

int remove_helper_main(int argc, char** argv) {
    int rc = 0;
    for (int i = 1; i < argc; ++i) {
        try {
            remove_tree(argv[i]);
        } catch (const Error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            rc = 1;
        }
    }
    return rc;
}

namespace {
void chown_tree(const std::string& path, uid_t uid, gid_t gid) {
    if (::lchown(path.c_str(), uid, gid) < 0) throw_errno("chown `" + path + "`");
    struct stat st;
    if (::lstat(path.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return;
    for (const auto& n : list_dir(path)) chown_tree(path + "/" + n, uid, gid);
}
}  // namespace

int chown_helper_main(int argc, char** argv) {
    if (argc < 4) return 2;
    uid_t uid = static_cast<uid_t>(std::strtoul(argv[1], nullptr, 10));
    gid_t gid = static_cast<gid_t>(std::strtoul(argv[2], nullptr, 10));
    try {
        for (int i = 3; i < argc; ++i) chown_tree(argv[i], uid, gid);
    } catch (const Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace burrow::storage
