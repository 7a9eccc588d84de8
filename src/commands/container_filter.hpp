// Podman's container filters (`ps --filter`, `start/stop/rm --filter`): key=value, values of one key
// are alternatives, different keys must all hold. Pure over the container views.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "src/commands/container_view.hpp"

namespace burrow::commands {

using ContainerFilters = std::map<std::string, std::vector<std::string>>;

// Checks keys and values as Podman does: "invalid filter \"x\"", "k is an invalid filter",
// "unknown container state: x: invalid argument", "x invalid restart policy", ... (exit 125).
ContainerFilters parse_container_filters(const std::vector<std::string>& raw);

// `all` holds every container (before=/since= name other containers).
bool filter_matches(const ContainerView& v, const ContainerFilters& filters, const std::vector<ContainerView>& all);

}  // namespace burrow::commands
