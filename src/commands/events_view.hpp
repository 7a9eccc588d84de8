// Pure parts of `events`: reading a line of events.log back, Podman's filters and time window,
// the human line and the fields --format templates see (Go's field names of events.Event).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/engine/events.hpp"

namespace burrow::commands {

std::optional<engine::Event> event_from_json(const std::string& line);

struct EventQuery {
    std::map<std::string, std::vector<std::string>> filters;  // upper-case key -> alternatives
    std::optional<int64_t> since, until;                       // unix ns, exclusive
};

// Throws Podman's texts: "failed to parse event filters: x is an invalid filter",
// "... unable to convert since time of X: unable to interpret time value".
EventQuery parse_event_query(const std::vector<std::string>& filters, const std::string& since,
                             const std::string& until, int64_t now_ns);
bool event_matches(const engine::Event& e, const EventQuery& q);

// "2026-12-07 02:40:00.1 +0000 UTC container start ID (image=..., name=..., k=v)"
std::string event_human(const engine::Event& e, bool truncate);
nlohmann::json event_template_row(const engine::Event& e);

}  // namespace burrow::commands
