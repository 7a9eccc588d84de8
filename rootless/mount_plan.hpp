// The container's mount tree as a plan: a pure function turns a MountSpecSet into a list of
// MountOps (unit-tested), and a thin executor runs them in the container's child process after
// clone, where only async-signal-safe calls are allowed (no allocation: every string is prepared
// before the fork).
//
// Targets are paths inside the container ("/proc", "/etc/hosts"). The executor resolves each one
// under the rootfs with openat2(RESOLVE_IN_ROOT) (a symlink in the image cannot send a mount onto
// the host) and mounts onto /proc/self/fd/N of that O_PATH fd.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace burrow::rootless {

struct VolumeMount {
    std::string source;       // host path (bind) — "" for tmpfs
    std::string destination;  // path in the container
    bool tmpfs = false;
    bool read_only = false;
    bool recursive = true;    // rbind
    std::string tmpfs_options;  // "size=…,mode=…" for tmpfs (the data of any filesystem mount)
    std::string fstype;         // with tmpfs: the filesystem ("" = tmpfs), e.g. of `volume create -o type=`
    std::string device;         // with tmpfs: the mount's source ("" = the fstype)
    bool nosuid = false, nodev = false, noexec = false;
    bool source_is_dir = true;  // decides mkdir or touch of the target
};

// --device HOST[:CONTAINER[:PERMS]], and the host's devices of a privileged container.
struct DeviceMount {
    std::string host;    // host path of the device node
    std::string inside;  // path in the container
    bool read_only = false;  // PERMS without 'w'
};

struct MountSpecSet {
    // Rootfs: "overlay" (native, userxattr), "fuse" (already mounted by fuse-overlayfs at `merged`),
    // "bind" (a plain directory, e.g. a copy).
    std::string rootfs_kind = "overlay";
    std::vector<std::string> lower_dirs;  // top layer first; relative to `lower_base` when set
    std::string lower_base;               // chdir here before mounting overlay (short option strings)
    std::string upper_dir, work_dir;
    std::string merged;                   // host path of the rootfs mount point
    bool read_only_rootfs = false;
    bool own_netns = true;      // sysfs can be mounted; else /sys is an rbind of the host's
    // /sys/fs/cgroup under a fresh sysfs (an rbind of the host's /sys already holds it):
    // "bind" = the host's tree, recursively read-only, optional (works on v1, hybrid and v2 hosts);
    // "cgroup2" = a new read-only cgroup2 mount, optional (needs an own cgroup namespace on a v2 host);
    // "none" = the empty directory sysfs provides.
    std::string cgroups = "bind";
    bool privileged = false;    // no masked or read-only paths; /sys and its cgroups read-write
    std::vector<VolumeMount> volumes;
    // Files prepared on the host and bound into the container: {host path, container path}.
    std::vector<std::pair<std::string, std::string>> etc_files;  // /etc/hosts, /etc/hostname, /etc/resolv.conf
    std::vector<DeviceMount> devices;
    std::string console;  // host path of the pty slave bound to /dev/console ("" = none)
    std::vector<std::string> masked_paths;    // default_masked_paths() unless privileged
    std::vector<std::string> readonly_paths;  // default_readonly_paths() unless privileged
    // Right after the rootfs is mounted (on the container's own rootfs, never a volume):
    bool mtab_link = true;  // /etc/mtab -> /proc/mounts when the image has none (and /etc made)
    // Lines appended to files of the rootfs ({container path, bytes}): the passwd and group
    // entries of --userns=keep-id and --hostuser; the file is created 0644 when missing.
    std::vector<std::pair<std::string, std::string>> appends;
};

// Podman 4.3's defaults.
std::vector<std::string> default_masked_paths();
std::vector<std::string> default_readonly_paths();

struct MountOp {
    enum class Kind {
        mount_rootfs,   // overlay (or bind of a dir) at `target` (host path, the merged dir)
        mount,          // mount(source, target-in-rootfs, fstype, flags, data), creating the target dir
        bind,           // bind `source` (host) onto target-in-rootfs (creating a dir or file target)
        remount_ro,     // make target read-only (plus `flags`), keeping the flags the kernel locked (nosuid, nodev…);
                        // data "rw" = only add `flags`; MS_REC in `flags` = the whole subtree (mount_setattr)
        readonly_path,  // bind target onto itself, then remount_ro; absent = fine
        mask,           // /dev/null over a file or a read-only empty tmpfs over a dir; absent = fine
        symlink,        // symlink `source` at target-in-rootfs (existing = fine)
        mkdir,          // mkdir target-in-rootfs with `mode`
        pivot_root,     // pivot_root into `target` (host path) and detach the old root
        append_file,    // append `data` to target-in-rootfs (created 0644 when missing)
    };
    Kind kind = Kind::mount;
    std::string source;
    std::string target;
    std::string fstype;
    unsigned long flags = 0;
    std::string data;
    mode_t mode = 0755;
    bool target_is_file = false;  // for bind: create a file (not a dir) when the target is missing
    bool optional = false;        // failure is not an error (masks of paths the kernel lacks, mqueue…)
    std::string what;             // for the error message: "mount /proc", "bind volume /data"
    std::string root;             // host path of the rootfs the target is resolved under
    std::string fallback_data;    // tried when `data` is refused with EINVAL (devpts without gid=5)
};

// The full sequence: rootfs, /proc, /dev (tmpfs + devpts + shm + mqueue + device binds + symlinks),
// /sys, volumes, etc files, masks, read-only paths, read-only rootfs, pivot_root.
std::vector<MountOp> plan_mounts(const MountSpecSet& spec);

// Executes `ops` in order. Async-signal-safe. Returns 0, or the errno of the first failing
// non-optional op with its index in *failed.
int execute_mount_plan(const std::vector<MountOp>& ops, size_t* failed);

}  // namespace burrow::rootless
