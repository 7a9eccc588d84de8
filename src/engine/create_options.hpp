// What `create` and `run` ask of the engine, typed (Podman's entities.ContainerCreateOptions):
// src/commands fills it from the flags, the engine never sees a flag. Unset optionals mean "the
// image's value" or "the default"; plain values carry Podman's defaults.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace burrow::engine {

struct CreateOptions {
    std::string image;                        // as typed
    std::vector<std::string> command;         // after the image ("" = the image's CMD)
    std::vector<std::string> create_command;  // argv as typed (inspect's Config.CreateCommand)

    // naming and records
    std::string name;
    bool replace = false;
    std::string hostname;
    std::string cidfile;

    // the image: --pull and the platform (Podman's --platform splits into os/arch/variant)
    std::string pull = "missing";
    std::string arch, os, variant, platform;
    std::optional<bool> tls_verify;
    std::string authfile;
    bool quiet = false;

    // the process
    std::optional<std::string> entrypoint;  // as given (a JSON array or one word)
    std::vector<std::string> env, env_file;
    bool env_host = false;
    std::optional<std::string> workdir;
    std::optional<std::string> user;
    std::string userns;
    bool tty = false, interactive = false, init = false;
    bool rm = false;
    bool privileged = false, read_only = false, read_only_tmpfs = true, no_hosts = false;
    bool sig_proxy = true;
    std::string restart;

    // mounts and devices
    std::vector<std::string> volumes, mounts, tmpfs, devices;
    std::string image_volume;  // --image-volume: bind, tmpfs, ignore ("" = containers.conf's image_volume_mode)

    // security
    std::vector<std::string> cap_add, cap_drop, security_opt;

    // metadata, stop, limits
    std::vector<std::string> labels, label_files, annotations;
    std::optional<std::string> stop_signal;
    std::optional<unsigned> stop_timeout;
    std::vector<std::string> ulimits;
    std::optional<std::string> memory;
    std::optional<double> cpus;
    std::optional<int64_t> pids_limit;
    // The other cgroup limits (--cpu-shares, --blkio-weight, --memory-swap, ...) by flag name:
    // rootless on cgroups v1 Podman drops every limit with one warning, and so does burrow.
    std::vector<std::string> other_limits;

    // network
    std::string network;  // "" = the default mode
    std::vector<std::string> publish, expose;
    bool publish_all = false;
    std::vector<std::string> dns, dns_search, dns_options, add_hosts;
    bool http_proxy = true;  // the host's *_proxy variables go into the environment

    // environment left out of the defaults
    std::vector<std::string> unsetenv, env_merge;
    bool unsetenv_all = false;

    // logging (--log-driver, --log-opt KEY=VALUE)
    std::string log_driver = "k8s-file";
    std::vector<std::string> log_opts;

    // recorded for the start path and the container's files
    std::string timezone;  // --tz
    unsigned timeout = 0;  // --timeout
    std::vector<std::string> hostusers;
    std::string pidfile, conmon_pidfile;
    std::optional<std::string> umask;
    bool passwd = true;
    std::string passwd_entry;
    std::string init_path;
    std::string oci_runtime;  // the global --runtime

    // namespaces: "" or "private" here; anything else is refused (burrow makes its own)
    std::string ipc, pid, uts, cgroupns;
    std::string pod, pod_id_file;  // no pods in burrow: any pod is missing
    std::vector<std::string> secrets, required;  // --secret, --requires
};

}  // namespace burrow::engine
