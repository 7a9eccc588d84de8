// containers.conf: the defaults Podman reads from the user's and the system's files. A pure
// parser (text in, settings merged) and a loader that finds the files in Podman's order.
//
// Order (later files override the keys they set; an array replaces the earlier one whole):
//   /usr/share/containers/containers.conf, /etc/containers/containers.conf,
//   /etc/containers/containers.conf.d/*.conf, then for a user other than root
//   $XDG_CONFIG_HOME/containers/containers.conf (~/.config/...) and its .d/*.conf;
//   $CONTAINERS_CONF, when set, replaces all of those; $CONTAINERS_CONF_OVERRIDE is read last.
// Keys burrow does not know are ignored, as Podman ignores them; a known key with the wrong type
// or a bad value is an error naming the file and the key.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace burrow::engine {

struct ContainersConf {
    // [containers]
    std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    std::string tz;                          // "" = the image's, "local" = the host's, or a zone name
    std::string log_driver = "k8s-file";
    int64_t log_size_max = -1;               // bytes, -1 = no limit
    int64_t pids_limit = 2048;
    std::vector<std::string> default_ulimits;  // "nofile=1024:2048", as --ulimit takes them
    std::string umask = "0022";
    // [engine]
    std::string cgroup_manager = "systemd";
    std::string events_logger = "file";
    std::string image_volume_mode = "bind";  // image VOLUMEs: bind (anonymous volumes), tmpfs, ignore
    std::string events_logfile_path;         // "" = <tmpdir>/events/events.log
    uint64_t events_logfile_max_size = 1000000;  // bytes
    std::string runtime;                     // "" = not configured
    std::map<std::string, std::vector<std::string>> runtimes;  // [engine.runtimes] name = [paths]

    std::vector<std::string> files;          // the files merged, in order
    std::map<std::string, std::string> origin;  // "containers.umask" -> the file that set it
};

// Merges one file's TOML text into `conf`. `path` names the file in errors.
void merge_containers_conf(ContainersConf& conf, std::string_view text, const std::string& path);
// Checks the merged values (ulimits, tz, umask, log_size_max, log_driver, events_logger).
// `zone_exists` says whether /usr/share/zoneinfo/NAME or /etc/zoneinfo/NAME exists.
void validate_containers_conf(const ContainersConf& conf, const std::function<bool(const std::string&)>& zone_exists);

// What the loader looks at (passed in, so the order is testable).
struct ConfEnv {
    std::optional<std::string> containers_conf;           // $CONTAINERS_CONF
    std::optional<std::string> containers_conf_override;  // $CONTAINERS_CONF_OVERRIDE
    std::string user_conf;                                // "" for root; else ~/.config/containers/containers.conf
    std::string system_dir = "/usr/share/containers";
    std::string etc_dir = "/etc/containers";
};
ConfEnv conf_env_from_process();
// The files to read, in order. Throws for a $CONTAINERS_CONF(_OVERRIDE) that does not exist.
std::vector<std::string> containers_conf_files(const ConfEnv& env);
// Defaults merged with every file of `env`, validated.
ContainersConf load_containers_conf(const ConfEnv& env);

// This process's settings: loaded on the first call, then kept. Errors are exit 1, one line, as
// Podman's "Failed to obtain podman configuration".
const ContainersConf& containers_conf();

// The OCI runtime `info` reports: [engine] runtime (a name or a path), found through
// [engine.runtimes] or $PATH; "burrow" and this executable when none is configured (burrow runs
// containers itself). {name, path}; the path is "" when the named runtime is not installed.
std::pair<std::string, std::string> oci_runtime(const ContainersConf& conf);

// The pids limit a container gets when --pids-limit is not given (Podman's rule: none for a
// rootless user unless the cgroup manager is systemd on cgroup v2).
int64_t default_pids_limit(const ContainersConf& conf, bool rootless, bool cgroup2);

}  // namespace burrow::engine
