// Helpers shared by the storage unit tests.
#pragma once
#include <stdlib.h>

#include <string>

#include "base/fs.hpp"
#include "src/engine/userns_helpers.hpp"  // the runner every Store is given

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/burrow-test-XXXXXX";
        if (!mkdtemp(t)) throw std::runtime_error("mkdtemp");
        path = t;
    }
    ~TempDir() {
        try {
            burrow::remove_tree(path);
        } catch (...) {
        }
    }
    std::string operator/(const std::string& s) const { return path + "/" + s; }
};
