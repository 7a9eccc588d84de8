// run/create: how CreateOptions and the image become a ContainerConfig.
// Pure logic apart from reading --env-file files and stat'ing -v sources.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/engine/create_options.hpp"
#include "storage/container_store.hpp"

namespace burrow::engine {

// What the container needs from the image's config blob (OCI image config JSON).
struct ImageDefaults {
    std::vector<std::string> env;
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::string workdir;
    std::string user;
    std::string stop_signal;
    std::vector<std::string> exposed_ports;  // "80/tcp"
    std::map<std::string, std::string> labels;
    std::vector<std::string> volumes;        // image VOLUME paths
};
ImageDefaults parse_image_defaults(const std::string& config_json);

// Reads a file of the image's rootfs ("/etc/passwd"), nullopt when absent.
using RootfsReader = std::function<std::optional<std::string>(const std::string& path)>;

// Builds the config from the options and the image. Resolves --user against the rootfs (RootfsReader). Fills everything except
// id, name (unless --name), image_id/image_name/layers, created (the caller sets those).
// Every invalid input throws Error (exit 125) with one clear line, as Podman words it.
storage::ContainerConfig build_container_config(const CreateOptions& opts, const ImageDefaults& image,
                                                const RootfsReader& rootfs);

// -v/--volume "SRC:DST[:OPTS]", --mount "type=…,…", --tmpfs "DST[:OPTS]" parsers (exposed for tests).
storage::MountSpec parse_volume_flag(const std::string& value);
storage::MountSpec parse_mount_flag(const std::string& value);
storage::MountSpec parse_tmpfs_flag(const std::string& value);
// "-p [ip:]host[-range]:container[/proto]" (issue 4 uses it; parsed here so create validates).
std::vector<storage::PortMapping> parse_publish(const std::string& value);
storage::Ulimit parse_ulimit(const std::string& value);
// go-units sizes as --memory takes them ("64m", "1.5g", "512"): bytes. "invalid size: 'x'" otherwise.
int64_t parse_bytes(const std::string& s);
// "usr1", "SIGUSR1", "10" -> "SIGUSR1". "invalid signal: x" otherwise.
std::string canonical_signal(const std::string& s);
// create_checks.cpp: the options that are checked and recorded as they are (logging, --tz,
// --timeout, namespaces, --umask, ...), and the environment helpers.
void apply_recorded_options(storage::ContainerConfig& c, const CreateOptions& o);
using EnvList = std::vector<std::pair<std::string, std::string>>;
// "K=$V:x" with $V / ${V} taken from `env` (--env-merge); unknown names expand to "".
std::string expand_env(const std::string& entry, const EnvList& env);
// The host's http_proxy, https_proxy, ftp_proxy, no_proxy (either case) that are set.
void add_proxy_env(EnvList& env);
// --unsetenv NAME / --unsetenv-all: removes image and default variables the user did not set.
void drop_unset_env(EnvList& env, const EnvList& user, const CreateOptions& o);
// go-units FromHumanSize (decimal: "1.5m" = 1500000): --log-opt max-size. "invalid size: 'x'".
int64_t parse_human_size(const std::string& s);

// --pull: missing, always, never, newer ("" = missing). Podman's error otherwise.
void check_pull_policy(const std::string& policy);

}  // namespace burrow::engine
