#include "base/error.hpp"

#include <cstring>

namespace burrow {

SysError::SysError(const std::string& what, int err)
    : Error(what + ": " + std::strerror(err)), err_(err) {}

void throw_errno(const std::string& what, int err) { throw SysError(what, err); }

}  // namespace burrow
