// How the store starts the helpers that must own files as subordinate ids (`__extract`, `__rm`):
// this same binary re-executed inside a user namespace with the store's id mapping. The store does
// not know how user namespaces are made; the engine passes an implementation in (rootless/userns).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "base/idmap.hpp"

namespace burrow::storage {

// A running helper. Destroying it without wait() kills and reaps it.
class HelperProcess {
public:
    virtual ~HelperProcess() = default;
    // Waits and returns the raw wait status.
    virtual int wait() = 0;
};

class HelperRunner {
public:
    virtual ~HelperRunner() = default;
    // Starts the hidden subcommand `args` (args[0], e.g. "__extract") in a user namespace mapped
    // with `map`; `pass_fds[i]` becomes fd 3+i in it. Returns once it runs in its namespace.
    virtual std::unique_ptr<HelperProcess> spawn(const IdMapping& map, const std::vector<std::string>& args,
                                                 const std::vector<int>& pass_fds) const = 0;
    // Runs `args` there and waits; throws Error with the helper's stderr when it fails.
    virtual void run(const IdMapping& map, const std::vector<std::string>& args) const = 0;
};

}  // namespace burrow::storage
