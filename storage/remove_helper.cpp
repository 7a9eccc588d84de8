// The hidden `__rm` helper: removes trees owned by subordinate ids from inside the user
// namespace. Apart from extraction so that binaries without libarchive can run it.
#include <cstdio>

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

}  // namespace burrow::storage
