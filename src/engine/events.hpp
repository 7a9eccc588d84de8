// Podman's events, file backend: one JSON line per event appended to events.log (under the run
// root unless containers.conf's events_logfile_path or the caller names another file), written
// with O_APPEND in one write() so that concurrent burrow processes never interleave lines.
// `--events-backend none` writes nothing. Errors never fail the command that caused the event.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::storage {
class Store;
struct ContainerConfig;
}

namespace burrow::engine {

struct Event {
    std::string type;    // "container", "image", "volume", "system"
    std::string status;  // "create", "start", "died", "remove", "pull", "tag", ...
    std::string id, name, image, network;
    int exit_code = 0;   // ContainerExitCode (omitted when 0, as Podman's omitempty)
    std::map<std::string, std::string> attributes;
    bool has_attributes = false;  // Podman writes "Attributes":null for image events
    int64_t time_ns = 0;
};

struct EventsConfig {
    std::string backend = "file";  // "file" or "none"
    std::string path;              // "" = <runroot>/events/events.log
    uint64_t max_size = 1000000;   // events_logfile_max_size: past it the older half goes (0 = never)
};

// containers.conf's [engine] events_logger, events_logfile_path and events_logfile_max_size
// (bytes, or "10k"/"1m"/"1g") applied to `c` (a small reader: only those keys of [engine]).
void apply_containers_conf(EventsConfig& c, const std::string& text);
// The containers.conf files Podman reads, in order (later ones win): CONTAINERS_CONF alone when
// set, else the system's and the user's; CONTAINERS_CONF_OVERRIDE last.
std::vector<std::string> containers_conf_files();
// The configuration from those files and the global --events-backend ("" = not given).
// Throws Podman's "invalid events backend" text for another name.
EventsConfig load_events_config(const std::string& backend_flag);


// Set once by the command line (global --events-backend, containers.conf).
void configure_events(const EventsConfig& c);
const EventsConfig& events_config();
std::string events_log_path(const std::string& runroot);

// The line as Podman's ToJSONString writes it (keys in Go's field order, no newline).
std::string event_to_json(const Event& e);
// Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros cut, local zone).
std::string go_rfc3339_nano(int64_t unix_ns);

// Appends the event (time stamped now when unset) to `path`; "" = nothing. Under the log's lock
// (<path>.lock, as Podman): a log that would pass `max_size` keeps only its newer half, and a
// "system rotate" event says so, as Podman's file backend does.
void append_event(const std::string& path, Event e, uint64_t max_size = events_config().max_size);
// The path events go to for this store, "" when the backend is none.
std::string events_target(const storage::Store& store);

// One-line hooks for the engine and commands.
void container_event(const storage::Store& store, const storage::ContainerConfig& cfg, const std::string& status,
                     int exit_code = 0);
void image_event(const storage::Store& store, const std::string& status, const std::string& id, const std::string& name);

}  // namespace burrow::engine
