// test_storage's own main: the store spawns this same executable as its `__extract` / `__rm`
// helper (/proc/self/exe), so the helpers must be reachable here as they are in burrow's main.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstring>

#include "storage/extract.hpp"

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "__extract") == 0) return burrow::storage::extract_helper_main(argc - 1, argv + 1);
    if (argc >= 2 && std::strcmp(argv[1], "__rm") == 0) return burrow::storage::remove_helper_main(argc - 1, argv + 1);
    return Catch::Session().run(argc, argv);
}
