#include "src/commands/events_view.hpp"

#include <algorithm>
#include <cctype>

#include "base/error.hpp"
#include "src/commands/container_view.hpp"

namespace burrow::commands {

using json = nlohmann::json;

std::optional<engine::Event> event_from_json(const std::string& line) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    engine::Event e;
    auto str = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
    e.type = str("Type");
    e.status = str("Status");
    e.id = str("ID");
    e.name = str("Name");
    e.image = str("Image");
    e.network = str("network");
    if (j.contains("ContainerExitCode") && j["ContainerExitCode"].is_number_integer()) e.exit_code = j["ContainerExitCode"].get<int>();
    if (j.contains("Attributes") && j["Attributes"].is_object()) {
        e.has_attributes = true;
        for (const auto& [k, v] : j["Attributes"].items())
            if (v.is_string()) e.attributes[k] = v.get<std::string>();
    }
    auto t = parse_input_time(str("Time"), true, 0);
    if (!t) return std::nullopt;
    e.time_ns = *t;
    return e;
}

namespace {

const std::vector<std::string> kKeys = {"CONTAINER", "EVENT", "STATUS", "IMAGE", "POD", "VOLUME", "TYPE", "LABEL"};

bool one_matches(const std::string& key, const std::string& value, const engine::Event& e) {
    auto named = [&](const char* type) {
        return e.type == type && (e.name == value || e.id.rfind(value, 0) == 0);
    };
    if (key == "CONTAINER") return named("container");
    if (key == "IMAGE") return named("image");
    if (key == "POD") return named("pod");
    if (key == "VOLUME") return e.type == "volume" && e.id.rfind(value, 0) == 0;
    if (key == "EVENT" || key == "STATUS") return e.status == value;
    if (key == "TYPE") return e.type == value;
    if (key == "LABEL") {
        size_t eq = value.find('=');
        if (eq == std::string::npos) return false;
        auto it = e.attributes.find(value.substr(0, eq));
        return it != e.attributes.end() && it->second == value.substr(eq + 1);
    }
    return false;
}

}  // namespace

EventQuery parse_event_query(const std::vector<std::string>& filters, const std::string& since,
                             const std::string& until, int64_t now_ns) {
    const std::string prefix = "failed to parse event filters: ";
    EventQuery q;
    for (const auto& f : filters) {
        size_t eq = f.find('=');
        if (eq == std::string::npos) throw Error(prefix + f + " is an invalid filter");
        std::string key = f.substr(0, eq);
        std::string upper = key;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::find(kKeys.begin(), kKeys.end(), upper) == kKeys.end()) throw Error(prefix + key + " is an invalid filter");
        q.filters[upper].push_back(f.substr(eq + 1));
    }
    if (!since.empty()) {
        q.since = parse_input_time(since, true, now_ns);
        if (!q.since) throw Error(prefix + "unable to convert since time of " + since + ": unable to interpret time value");
    }
    if (!until.empty()) {
        q.until = parse_input_time(until, false, now_ns);
        if (!q.until) throw Error(prefix + "unable to convert until time of " + until + ": unable to interpret time value");
    }
    return q;
}

bool event_matches(const engine::Event& e, const EventQuery& q) {
    if (q.since && !(e.time_ns > *q.since)) return false;
    if (q.until && !(e.time_ns < *q.until)) return false;
    for (const auto& [key, values] : q.filters)
        if (std::none_of(values.begin(), values.end(), [&](const std::string& v) { return one_matches(key, v, e); }))
            return false;
    return true;
}

std::string event_human(const engine::Event& e, bool truncate) {
    std::string id = truncate ? e.id.substr(0, 12) : e.id;
    std::string head = go_time_string_ns(e.time_ns) + " " + e.type + " " + e.status;
    if (e.type == "container" || e.type == "pod") {
        std::string s = head + " " + id + " (image=" + e.image + ", name=" + e.name;
        for (const auto& [k, v] : e.attributes) s += ", " + k + "=" + v;
        return s + ")";
    }
    if (e.type == "network") return head + " " + id + " (container=" + id + ", name=" + e.network + ")";
    if (e.type == "image") return head + " " + id + " " + e.name;
    if (e.type == "system") return e.name.empty() ? head : head + " " + e.name;
    return head + " " + e.name;  // volume, machine
}

json event_template_row(const engine::Event& e) {
    json attrs = e.has_attributes || !e.attributes.empty() ? json(e.attributes) : json(nullptr);
    return {{"ContainerExitCode", e.exit_code},
            {"ID", e.id},
            {"Image", e.image},
            {"Name", e.name},
            {"Network", e.network},
            {"Status", e.status},
            {"Time", go_time_string_ns(e.time_ns)},
            {"Type", e.type},
            {"HealthStatus", ""},
            {"PodID", ""},
            {"Attributes", attrs},
            {"Details", {{"ID", e.id}, {"PodID", ""}, {"Attributes", attrs}}}};
}

}  // namespace burrow::commands
