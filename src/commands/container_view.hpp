// Pure views of a container as Podman prints it: `ps` rows and JSON entries, status texts, port
// lists and `container inspect` documents, built from the stored config and state.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/container_store.hpp"

namespace burrow::commands {

struct ContainerView {
    storage::ContainerConfig cfg;
    storage::ContainerState st;  // with liveness applied
};

// Go's time.Time formats, in local time: RFC3339Nano as JSON marshals it ("…:05.123Z", zero time
// "0001-01-01T00:00:00Z"), and String() ("2026-11-22 10:57:25.144212069 +0000 UTC").
std::string rfc3339_nano(int64_t unix_ns);
std::string go_time_string_ns(int64_t unix_ns);

// An inspect document as `--format` templates see it: the RFC 3339 strings at `time_paths`
// ({"State", "StartedAt"}) become Go's Time.String(), since Podman's templates get time.Time
// values there. The JSON output keeps RFC 3339.
nlohmann::json with_go_times(const nlohmann::ordered_json& doc, const std::vector<std::vector<std::string>>& time_paths);
// Unix seconds as Go's Time.Unix() gives them; the zero time (0 here) is -62135596800.
int64_t go_unix_seconds(int64_t unix_ns);

// "Created", "Up 3 seconds ago", "Exited (0) 2 seconds ago", "Stopping", "Removing", "Unknown".
std::string status_text(const storage::ContainerState& st, int64_t now_ns);
// "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp"
std::string ports_text(const std::vector<storage::PortMapping>& ports);
// The lines of `port`: "80/tcp -> 0.0.0.0:8080", one per port of a range.
std::vector<std::string> port_lines(const std::vector<storage::PortMapping>& ports);
// Entrypoint and command joined by spaces; cut to 17 chars + "..." past 20 unless no_trunc.
std::string command_text(const storage::ContainerConfig& c, bool no_trunc);

// One row for `ps` templates (fields as Podman's psReporter names them) and its headers.
nlohmann::json ps_row(const ContainerView& v, bool no_trunc, int64_t now_ns);
nlohmann::json ps_headers();
// One entry of `ps --format json`.
nlohmann::ordered_json ps_json(const ContainerView& v, int64_t now_ns);

// What inspect shows beyond the config and state: where the files are, the image's digest, and
// the container's capability set (names; shown sorted).
struct InspectPaths {
    std::string dir, upper, work, merged, userdata, log;
    std::string volumes;  // <root>/volumes: a named volume's Source is volumes/<name>/_data
    std::vector<std::string> lower_dirs;  // top-most first
    std::string image_digest;
    std::vector<std::string> caps;
};
nlohmann::ordered_json container_inspect_json(const ContainerView& v, const InspectPaths& p);

// "SIGTERM" / "TERM" / "15" -> 15; 0 when unknown.
int signal_number(const std::string& name);

// `logs --since/--until` values as Podman reads them: RFC 3339 (with or without fraction and
// zone; no zone = local time), a date "2006-01-02", unix seconds ("1700000000.5"), or a Go
// duration ("10m", "1h30m") back from now (since) or ahead of now (until). nullopt when none fits.
std::optional<int64_t> parse_input_time(const std::string& s, bool since, int64_t now_ns);
// Go's time.ParseDuration in nanoseconds; nullopt when malformed.
std::optional<int64_t> parse_go_duration(const std::string& s);
// Index of the first record of the last `n` lines (a line = partial records up to a full one).
size_t tail_start(const std::vector<bool>& partial, long long n);

}  // namespace burrow::commands
