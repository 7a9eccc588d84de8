// The store's helper runner (storage/helper_runner.hpp) over rootless/userns: what Context hands
// every Store it opens.
#pragma once
#include "storage/helper_runner.hpp"

namespace burrow::engine {

// Stateless; one instance serves every store of the process.
const storage::HelperRunner& userns_helpers();

}  // namespace burrow::engine
