#include "rootless/rootfs_session.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"

namespace burrow::rootless {

namespace {

void write_proc(const char* file, const std::string& text) {
    UniqueFd fd(::open(file, O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw_errno(std::string("write ") + file);
}

// In the child: the user namespace, the private mount tree, the rootfs, the chroot.
void enter_rootfs(const ProcessSpec& spec, const IdMapping& map, uid_t uid, gid_t gid) {
    if (spec.join_userns >= 0) {
        if (::setns(spec.join_userns, CLONE_NEWUSER) < 0) throw_errno("join the containers' user namespace");
    } else if (map.single()) {
        if (::unshare(CLONE_NEWUSER) < 0) throw_errno("create a user namespace");
        write_proc("/proc/self/setgroups", "deny");
        write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
        write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
    } else {
        throw Error("copying with a stopped container that has an id mapping of its own (--userns keep-id) is not "
                    "supported yet: start it first");
    }
    if (::unshare(CLONE_NEWNS) < 0) throw_errno("create a mount namespace");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make the mount tree private");
    if (!spec.lower_base.empty() && ::chdir(spec.lower_base.c_str()) < 0) throw_errno("chdir `" + spec.lower_base + "`");
    const MountOp& root = spec.mounts.front();
    size_t failed = 0;
    if (spec.force_fuse) throw Error("copying with a stopped container on fuse-overlayfs is not supported yet: start it first");
    if (int e = execute_mount_plan({root}, &failed)) {
        errno = e;
        throw_errno("mount the rootfs of the container at `" + root.target + "`");
    }
    if (::chroot(root.target.c_str()) < 0 || ::chdir("/") < 0) throw_errno("chroot into `" + root.target + "`");
}

}  // namespace

int run_in_stopped_rootfs(const ProcessSpec& spec, const IdMapping& map, const std::function<int()>& fn) {
    if (spec.mounts.empty() || spec.mounts.front().kind != MountOp::Kind::mount_rootfs)
        throw Error("the container has no rootfs to mount");
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
    UniqueFd rd(p[0]), wr(p[1]);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        rd.reset();
        int code = kExitEngine;
        try {
            enter_rootfs(spec, map, uid, gid);
            code = fn();
        } catch (const Error& e) {
            std::string m = e.what();
            (void)!::write(wr.get(), m.data(), m.size());
            code = e.exit_code();
        } catch (const std::exception& e) {
            std::string m = e.what();
            (void)!::write(wr.get(), m.data(), m.size());
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    wr.reset();
    std::string msg = read_to_end(rd.get());
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) throw_errno("wait");
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : kExitEngine;
    if (!msg.empty()) throw Error(msg, code ? code : kExitEngine);
    return code;
}

}  // namespace burrow::rootless
