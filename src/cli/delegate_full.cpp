// In `burrow-pull`: every command runs here.
#include "src/cli/delegate.hpp"

namespace burrow::cli {

bool runs_in_pull_binary(const std::string&) { return false; }

}  // namespace burrow::cli
