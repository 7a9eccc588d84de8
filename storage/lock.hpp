// flock(2) locks on files: shared to read, exclusive to change. Released on destruction.
// flock (not fcntl) because a lock belongs to the open file description, so independent
// Lock objects in one process do not silently release each other.
#pragma once
#include <string>

#include "base/fd.hpp"

namespace burrow::storage {

class Lock {
public:
    enum class Mode { shared, exclusive };
    Lock() = default;
    // Blocks until the lock is held. Creates the lock file (0600) if missing.
    static Lock acquire(const std::string& path, Mode mode);
    // Returns an unheld Lock (held() == false) when another holder has it.
    static Lock try_acquire(const std::string& path, Mode mode);
    bool held() const { return static_cast<bool>(fd_); }
    void release() { fd_.reset(); }
    // Exclusive -> shared, so waiters for a shared lock proceed while this holder keeps a claim.
    // (flock converts in place; between the two states another shared holder may enter, never a writer
    // that needs exclusive, since it would have to wait for us either way.)
    void downgrade();

private:
    UniqueFd fd_;
};

}  // namespace burrow::storage
