// Helpers shared by the store's source files. Not part of the module interface.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace burrow::storage::detail {

// Start time of `pid` (clock ticks since boot, /proc/PID/stat field 22), nullopt if it is gone.
std::optional<uint64_t> process_start_time(int pid);
// "<pid>-<start>-<kind>-<random>": a temp name that says who owns it.
std::string owned_temp_name(const std::string& kind);
// True while the process named in an owned_temp_name is still the one that made it.
bool temp_owner_alive(const std::string& name);
// "sha256:<hex>" or a bare 64-hex id -> hex; "" when neither.
std::string id_hex(const std::string& s);
bool is_hex(const std::string& s);

}  // namespace burrow::storage::detail
