// Containers in the store: one directory per container with its config (fixed at create), its
// state (changed by the lifecycle), its upper/work dirs, its /etc files and its log.
//
//   containers/<id>/config.json   ContainerConfig, written once at create (rename only changes name)
//   containers/<id>/state.json    ContainerState, rewritten atomically by whoever changes it
//   containers/<id>/upper, work   overlay dirs (owned by the container's ids)
//   containers/<id>/merged        mount point of the rootfs (inside the container's mount namespace)
//   containers/<id>/userdata/     hosts, hostname, resolv.conf, seccomp.json; attach-stdin (FIFO of a
//                                 detached -i container: `attach` writes, the supervisor reads)
//   containers/<id>/ctr.log       k8s-file log
//   locks/container-<id>.lock     lifecycle lock (exclusive while starting, stopping, removing,
//                                 changing state)
//
//   container-names/<name>        symlink -> <id>: the name index (config.json is the truth)
//
// Lock order: container lock, then the store lock; never the reverse, and never the store lock
// across a container's run. Reads (list, config, find, state) take no lock: every file is
// replaced atomically. create, remove and rename take the store's exclusive lock themselves, so
// the caller must not hold the store lock (flock on a second descriptor would wait for itself).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/port_mapping.hpp"
#include "storage/lock.hpp"

namespace burrow::storage {

class Store;

struct MountSpec {
    std::string type;         // "bind" | "volume" | "tmpfs"
    std::string source;       // host path (bind), volume name (volume), "" (tmpfs)
    std::string destination;  // absolute path in the container
    std::vector<std::string> options;  // "ro", "rw", "U", "nosuid", "nodev", "noexec", "size=…", "mode=…"
    bool read_only() const;
};

using burrow::PortMapping;  // -p (base/port_mapping.hpp), as net/ normalises and binds them

struct Ulimit {
    std::string name;  // "nofile", "nproc", … (Podman's names, without RLIMIT_)
    int64_t soft = 0;  // -1 = unlimited
    int64_t hard = 0;
};

struct ContainerConfig {
    std::string id;    // 64 hex
    std::string name;
    std::string image_id;     // hex
    std::string image_name;   // the name the image was found by ("" when given by id)
    std::string raw_image_name;  // what the user typed
    std::vector<std::string> layers;  // chain ids, base first, fixed at create
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env;     // "K=V", final (image + flags)
    std::string workdir = "/";
    bool create_workdir = true;  // the image's (or the default) workdir is made when missing; --workdir's must exist
    std::string user;                 // as given ("" = image default), for inspect
    uint32_t uid = 0;                 // resolved in the container
    uint32_t gid = 0;
    std::vector<uint32_t> groups;     // supplementary groups (from the image's /etc/group)
    std::string hostname;
    bool tty = false;
    bool interactive = false;
    bool read_only = false;
    bool privileged = false;
    bool init = false;
    bool remove = false;              // --rm
    bool no_new_privileges = false;
    bool env_host = false;
    std::vector<MountSpec> mounts;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::vector<std::string> cap_add;   // "CAP_NET_ADMIN" form, or "ALL"
    std::vector<std::string> cap_drop;
    std::string seccomp = "";           // "" = default profile, "unconfined", or a path copied to userdata/seccomp.json
    std::string userns;                 // "" (subordinate range), "keep-id", "host", "auto"
    std::string stop_signal = "SIGTERM";
    unsigned stop_timeout = 10;
    std::vector<Ulimit> ulimits;
    std::vector<std::string> devices;   // "/dev/x[:/dev/y][:rwm]"
    std::string network = "slirp4netns";  // "none", "host", "slirp4netns[:opts]"
    std::vector<PortMapping> ports;
    std::vector<std::string> dns, dns_search, dns_options, add_hosts;
    bool no_hosts = false;
    int64_t pids_limit = 0;             // 0 = default
    int64_t memory = 0;                 // bytes, 0 = unlimited
    double cpus = 0;
    bool sig_proxy = true;
    std::string pull_policy;
    // run/create options Podman records (issue 9): the logging, the run-time knobs others act on
    std::string log_driver = "k8s-file";  // k8s-file, json-file, journald, none, passthrough
    std::string log_path;                 // --log-opt path= ("" = ctr.log for the file drivers)
    int64_t log_size_max = 0;             // --log-opt max-size=, bytes (0 = no limit)
    std::string log_tag;                  // --log-opt tag=
    std::string timezone;                 // --tz: "" (the image's), "local" or a zone name
    unsigned timeout = 0;                 // --timeout: seconds the container may run (0 = no limit)
    std::vector<std::string> hostusers;   // --hostuser: host accounts added to /etc/passwd
    std::string pidfile;                  // --pidfile: gets the container's pid at each start
    std::string conmon_pidfile;           // --conmon-pidfile: gets the supervisor's pid
    std::string umask = "0022";           // --umask of the container's process (default: containers.conf); octal
    bool passwd = true;                   // --passwd: burrow may add the user to /etc/passwd
    std::string passwd_entry;             // --passwd-entry template
    std::string init_path;                // --init-path
    std::string oci_runtime;              // the global --runtime as given (inspect's OCIRuntime)
    std::string uts, ipc, cgroupns;       // "" (a namespace of its own) or "host" (cgroupns: "private")
    std::vector<std::string> create_command;  // argv as typed (inspect's Config.CreateCommand)
    int64_t created = 0;                // unix nanoseconds
    std::string cidfile;
    std::string restart_policy;         // --restart without its retry count ("" = none)
};

enum class Status { created, running, stopping, exited, removing, unknown };
std::string status_name(Status s);  // "created", "running", "stopping", "exited", …

struct ContainerState {
    Status status = Status::created;
    pid_t pid = 0;                 // the container's pid 1, in the host's pid namespace
    uint64_t pid_start = 0;        // its start time (/proc/PID/stat field 22): pid reuse check
    pid_t supervisor_pid = 0;
    uint64_t supervisor_start = 0;
    int64_t started_at = 0;        // unix nanoseconds
    int64_t finished_at = 0;
    int exit_code = 0;
    bool exit_known = true;        // false when the supervisor died before it could record the exit
    bool oom_killed = false;
    unsigned restart_count = 0;
    std::string error;             // why the last start failed
};

// Start time of `pid` (clock ticks since boot), nullopt if there is no such process.
std::optional<uint64_t> pid_start_time(pid_t pid);
// The recorded process is still the one that was started (same pid, same start time).
bool process_alive(pid_t pid, uint64_t start_time);

class ContainerStore {
public:
    explicit ContainerStore(Store& store);

    std::string dir(const std::string& id) const;           // containers/<id>
    std::string upper_dir(const std::string& id) const;
    std::string work_dir(const std::string& id) const;
    std::string merged_dir(const std::string& id) const;
    std::string userdata_dir(const std::string& id) const;
    std::string log_path(const std::string& id) const;
    // A detached -i container's stdin arrives through this FIFO (`attach` writes it, the supervisor
    // reads it); the first writer's EOF closes the container's stdin, as with Podman's conmon.
    std::string attach_fifo(const std::string& id) const;

    // Writes a new container (dirs, config, state "created") under the store's exclusive lock.
    // Fails with "the container name "x" is already in use by <id>. You have to remove that
    // container to be able to reuse that name: that name is already in use" (exit 125) when taken.
    // An empty cfg.name gets a generated adjective_noun name. On failure nothing is left behind.
    void create(ContainerConfig& cfg);

    // Every container's config, in no particular order.
    std::vector<ContainerConfig> list() const;
    std::optional<ContainerConfig> config(const std::string& id) const;
    // Full id, name, or unique id prefix (an ambiguous prefix throws "more than one result…").
    std::optional<ContainerConfig> find(const std::string& ref) const;

    // The recorded state with liveness applied: a "running" record whose process is gone reads
    // as exited (exit_known false unless the supervisor recorded it).
    ContainerState state(const std::string& id) const;
    ContainerState raw_state(const std::string& id) const;
    void put_state(const std::string& id, const ContainerState& st);

    // The lifecycle lock of one container.
    Lock lock(const std::string& id) const;

    // Removes the container's record and directories (its upper dir may be owned by subordinate
    // ids). Caller holds lock(id) and has made sure nothing runs in it.
    void remove(const std::string& id);

    void rename(const std::string& id, const std::string& new_name);

    // Containers that use image `image_id` (for rmi's in-use refusal).
    std::vector<ContainerConfig> using_image(const std::string& image_id) const;

    // Every container id (directory names only, nothing parsed).
    std::vector<std::string> ids() const;
    // Exact name through the name index.
    std::optional<ContainerConfig> by_name(const std::string& name) const;

private:
    std::string name_link(const std::string& name) const;
    Store& store_;
};

// Reads and writes of the JSON forms (pure; unit-tested).
std::string config_to_json(const ContainerConfig& c);
ContainerConfig config_from_json(const std::string& text);
std::string state_to_json(const ContainerState& s);
ContainerState state_from_json(const std::string& text);

// "adjective_noun" as Podman's namesgenerator makes them.
std::string generate_name(uint64_t seed);

}  // namespace burrow::storage
