// The container's mounts as data, in the order they must happen.
#include "rootless/mount_plan.hpp"

#include <sys/mount.h>

#include "base/error.hpp"

namespace burrow::rootless {

std::vector<std::string> default_masked_paths() {
    return {"/proc/acpi",          "/proc/kcore",      "/proc/keys",          "/proc/latency_stats",
            "/proc/sched_debug",   "/proc/scsi",       "/proc/timer_list",    "/proc/timer_stats",
            "/sys/dev/block",      "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux"};
}

std::vector<std::string> default_readonly_paths() {
    return {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

namespace {

// Builds ops for one rootfs; every in-root op gets the rootfs path.
class Planner {
public:
    explicit Planner(const MountSpecSet& s) : s_(s) {}

    std::vector<MountOp> plan() {
        rootfs();
        rootfs_files();
        proc_and_dev();
        sys();
        for (const auto& v : s_.volumes) volume(v);
        for (const auto& [host, inside] : s_.etc_files) bind(host, inside, true, false, "bind " + inside);
        if (!s_.privileged) {
            for (const auto& p : s_.masked_paths) mask(p);
            for (const auto& p : s_.readonly_paths) readonly(p);
        }
        if (s_.read_only_rootfs) {
            MountOp op = in_root(MountOp::Kind::remount_ro, "/", "make the rootfs read-only");
            ops_.push_back(op);
        }
        MountOp pivot;
        pivot.kind = MountOp::Kind::pivot_root;
        pivot.target = s_.merged;
        pivot.root = s_.merged;
        pivot.what = "pivot_root into " + s_.merged;
        ops_.push_back(pivot);
        return std::move(ops_);
    }

private:
    MountOp in_root(MountOp::Kind kind, const std::string& target, const std::string& what) {
        MountOp op;
        op.kind = kind;
        op.target = target;
        op.root = s_.merged;
        op.what = what;
        return op;
    }

    // What Podman changes on the rootfs itself before anything is mounted over it.
    void rootfs_files() {
        if (s_.mtab_link) {
            MountOp etc = in_root(MountOp::Kind::mkdir, "/etc", "create /etc");
            etc.optional = true;
            ops_.push_back(etc);
            MountOp mtab = in_root(MountOp::Kind::symlink, "/etc/mtab", "link /etc/mtab to /proc/mounts");
            mtab.source = "/proc/mounts";
            mtab.optional = true;  // a read-only or odd /etc keeps what it has
            ops_.push_back(mtab);
        }
        for (const auto& [path, data] : s_.appends) {
            MountOp op = in_root(MountOp::Kind::append_file, path, "add the user's entry to " + path);
            op.data = data;
            ops_.push_back(op);
        }
    }

    void rootfs() {
        MountOp op;
        op.kind = MountOp::Kind::mount_rootfs;
        op.target = s_.merged;
        op.root = s_.merged;
        if (s_.rootfs_kind == "overlay") {
            op.source = "overlay";
            op.fstype = "overlay";
            std::string lower;
            for (const auto& l : s_.lower_dirs) lower += (lower.empty() ? "" : ":") + l;
            op.data = "lowerdir=" + lower + ",upperdir=" + s_.upper_dir + ",workdir=" + s_.work_dir + ",userxattr";
            // The kernel takes one page of mount data.
            if (op.data.size() >= 4096)
                throw Error("too many layers for one overlay mount (" + std::to_string(s_.lower_dirs.size()) +
                            " layers): the mount options exceed a page; flatten the image");
            op.what = "mount the overlay rootfs";
        } else if (s_.rootfs_kind == "bind") {
            op.source = s_.merged;
            op.flags = MS_BIND | MS_REC;
            op.what = "bind the rootfs";
        } else {
            op.what = "rootfs mounted by fuse-overlayfs";  // nothing to do: already a mount point
        }
        ops_.push_back(op);
    }

    void mount(const std::string& fstype, const std::string& target, unsigned long flags, const std::string& data,
               bool optional = false) {
        MountOp op = in_root(MountOp::Kind::mount, target, "mount " + fstype + " on " + target);
        op.source = fstype;
        op.fstype = fstype;
        op.flags = flags;
        op.data = data;
        op.optional = optional;
        ops_.push_back(op);
    }

    void bind(const std::string& host, const std::string& target, bool is_file, bool optional, const std::string& what,
              unsigned long extra = 0) {
        MountOp op = in_root(MountOp::Kind::bind, target, what);
        op.source = host;
        op.flags = MS_BIND | extra;
        op.target_is_file = is_file;
        op.optional = optional;
        ops_.push_back(op);
    }

    void symlink(const std::string& to, const std::string& at) {
        MountOp op = in_root(MountOp::Kind::symlink, at, "symlink " + at);
        op.source = to;
        op.optional = true;
        ops_.push_back(op);
    }

    void proc_and_dev() {
        mount("proc", "/proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, "");
        mount("tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
        MountOp pts = in_root(MountOp::Kind::mount, "/dev/pts", "mount devpts on /dev/pts");
        pts.source = pts.fstype = "devpts";
        pts.flags = MS_NOSUID | MS_NOEXEC;
        pts.data = "newinstance,ptmxmode=0666,mode=0620,gid=5";
        // gid 5 (tty) is not mapped with a single-id map: the kernel refuses the option.
        pts.fallback_data = "newinstance,ptmxmode=0666,mode=0620";
        ops_.push_back(pts);
        mount("tmpfs", "/dev/shm", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
        mount("mqueue", "/dev/mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, "", true);
        for (const char* d : {"null", "zero", "full", "random", "urandom", "tty"})
            bind(std::string("/dev/") + d, std::string("/dev/") + d, true, false, std::string("bind /dev/") + d);
        symlink("/proc/self/fd", "/dev/fd");
        symlink("/proc/self/fd/0", "/dev/stdin");
        symlink("/proc/self/fd/1", "/dev/stdout");
        symlink("/proc/self/fd/2", "/dev/stderr");
        symlink("pts/ptmx", "/dev/ptmx");
        symlink("/proc/kcore", "/dev/core");
        if (!s_.console.empty()) bind(s_.console, "/dev/console", true, false, "bind /dev/console");
        for (const auto& d : s_.devices) {
            bind(d.host, d.inside, true, false, "bind device " + d.host);
            // As Podman mounts them: nosuid, noexec, and read-only without the w permission.
            MountOp op = in_root(MountOp::Kind::remount_ro, d.inside, "remount device " + d.inside);
            op.flags = MS_NOSUID | MS_NOEXEC | (d.read_only ? MS_RDONLY : 0);
            op.data = d.read_only ? "ro" : "rw";
            ops_.push_back(op);
        }
    }

    void sys() {
        if (s_.own_netns) {
            mount("sysfs", "/sys", MS_NOSUID | MS_NOEXEC | MS_NODEV | (s_.privileged ? 0 : MS_RDONLY), "");
            if (s_.cgroups == "bind") {
                // Podman shows the host's hierarchies read-only; a rootless container cannot write
                // them anyway, but a recursive read-only keeps v1 controllers from looking writable.
                bind("/sys/fs/cgroup", "/sys/fs/cgroup", false, true, "bind /sys/fs/cgroup", MS_REC);
                if (s_.privileged) return;  // Podman leaves both read-write for --privileged
                MountOp ro = in_root(MountOp::Kind::remount_ro, "/sys/fs/cgroup", "make /sys/fs/cgroup read-only");
                ro.flags = MS_REC;
                ro.optional = true;
                ops_.push_back(ro);
            } else if (s_.cgroups == "cgroup2") {
                mount("cgroup2", "/sys/fs/cgroup", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, "", true);
            }
        } else {
            // sysfs belongs to the host's network namespace: only a bind of it is allowed.
            bind("/sys", "/sys", false, false, "bind /sys", MS_REC);
            if (s_.privileged) return;
            MountOp ro = in_root(MountOp::Kind::remount_ro, "/sys", "make /sys read-only");
            ro.flags = MS_REC;  // the cgroup hierarchies under it too
            ops_.push_back(ro);
        }
    }

    void volume(const VolumeMount& v) {
        unsigned long extra = (v.nosuid ? MS_NOSUID : 0) | (v.nodev ? MS_NODEV : 0) | (v.noexec ? MS_NOEXEC : 0);
        if (v.tmpfs) {
            std::string fs = v.fstype.empty() ? "tmpfs" : v.fstype;
            mount(fs, v.destination, extra | (v.read_only ? MS_RDONLY : 0), v.tmpfs_options);
            if (!v.device.empty()) ops_.back().source = v.device;
            return;
        }
        bind(v.source, v.destination, !v.source_is_dir, false, "bind volume " + v.destination,
             v.recursive ? MS_REC : 0);
        if (v.read_only || extra) {
            // Flags of a bind mount only take effect through a remount.
            MountOp op = in_root(MountOp::Kind::remount_ro, v.destination, "remount volume " + v.destination);
            op.flags = extra | (v.read_only ? MS_RDONLY : 0);
            op.data = v.read_only ? "ro" : "rw";
            ops_.push_back(op);
        }
    }

    void mask(const std::string& p) {
        MountOp op = in_root(MountOp::Kind::mask, p, "mask " + p);
        op.optional = true;
        ops_.push_back(op);
    }

    void readonly(const std::string& p) {
        MountOp op = in_root(MountOp::Kind::readonly_path, p, "make " + p + " read-only");
        op.optional = true;
        ops_.push_back(op);
    }

    const MountSpecSet& s_;
    std::vector<MountOp> ops_;
};

}  // namespace

std::vector<MountOp> plan_mounts(const MountSpecSet& spec) { return Planner(spec).plan(); }

}  // namespace burrow::rootless
