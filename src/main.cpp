// Entry point of burrow and burrow-pull: hidden helper subcommands first (they run inside a user namespace and must not
// touch the CLI machinery), then the command table.
#include <cstring>

#include "rootless/unshare.hpp"
#include "rootless/userns_holder.hpp"
#include "src/cli/app.hpp"
#include "storage/extract.hpp"

int main(int argc, char** argv) {
#ifdef BURROW_PULL_BINARY
    // Layer extraction (libarchive) exists only in burrow-pull, which is also who starts it.
    if (argc >= 2 && std::strcmp(argv[1], "__extract") == 0) return burrow::storage::extract_helper_main(argc - 1, argv + 1);
#endif
    if (argc >= 2 && std::strcmp(argv[1], "__pause") == 0) return burrow::rootless::pause_helper_main(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "__chown") == 0) return burrow::storage::chown_helper_main(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "__rm") == 0) return burrow::storage::remove_helper_main(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "__unshare") == 0) return burrow::rootless::unshare_helper_main(argc - 1, argv + 1);
    return burrow::cli::run_app(argc, argv);
}
