// `cp [CONTAINER:]SRC [CONTAINER:]DEST`: files between the host and a container, with docker cp's
// path rules. The copy runs in a child whose "/" is the container's filesystem (its mount
// namespace when it runs, its rootfs mounted privately when not: engine/container_fs.hpp):
// container paths resolve inside it (a symlink in the container cannot lead to the host, which
// that namespace does not show), host paths through fds opened before.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "src/commands/common.hpp"
#include "src/commands/cp_tar.hpp"
#include "src/commands/register.hpp"
#include "src/engine/container_fs.hpp"
#include "storage/container_store.hpp"
#include "storage/store.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

struct Side {
    std::string container;  // "" = the host
    std::string path;
};

Side parse_side(const std::string& arg) {
    // "name:/path"; a path with a slash before the colon is a host path ("./a:b").
    auto colon = arg.find(':');
    if (colon == std::string::npos || colon == 0 || arg.find('/') < colon) return {"", arg};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string base_name(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : p.substr(0, slash);
}

bool copies_contents(const std::string& src) {
    return src.size() >= 2 && src.compare(src.size() - 2, 2, "/.") == 0;
}

// One end of a copy: a directory fd and a name in it (the name "." = the directory itself).
struct End {
    int dir = -1;
    std::string name;
    std::string shown;
    bool contents = false;  // "SRC/.": the directory's contents, not the directory
    bool want_dir = false;  // "DEST/": must be an existing directory
};

End end_of(int dir, const std::string& path, const std::string& shown) {
    End e;
    e.dir = dir;
    e.contents = copies_contents(path);
    e.want_dir = !path.empty() && path.back() == '/';
    e.name = e.contents ? base_name(path.substr(0, path.size() - 2)) : base_name(path);
    if (e.name.empty() || e.name == "/") e.name.assign(1, '.');
    e.shown = shown;
    return e;
}

// docker cp's rules: into an existing directory the source keeps its name (or pours its contents
// with "SRC/."); otherwise DEST is the new name, and its parent must exist.
void copy(const End& src, const End& dst) {
    struct stat ss {}, ds {};
    if (::fstatat(src.dir, src.name.c_str(), &ss, 0) < 0) throw Error(src.shown + ": no such file or directory");
    bool dst_exists = ::fstatat(dst.dir, dst.name.c_str(), &ds, 0) == 0;
    if (dst.want_dir && !(dst_exists && S_ISDIR(ds.st_mode))) throw Error(dst.shown + ": no such directory");
    if (dst_exists && S_ISDIR(ds.st_mode)) {
        UniqueFd into(::openat(dst.dir, dst.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!into) throw_errno("open `" + dst.shown + "`");
        if (src.contents && S_ISDIR(ss.st_mode)) {
            UniqueFd from(::openat(src.dir, src.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!from) throw_errno("open `" + src.shown + "`");
            DIR* d = ::fdopendir(::dup(from.get()));
            if (!d) throw_errno("opendir `" + src.shown + "`");
            std::vector<std::string> names;
            while (auto* e = ::readdir(d)) {
                std::string n = e->d_name;
                if (n != "." && n != "..") names.push_back(n);
            }
            ::closedir(d);
            for (const auto& n : names) copy_tree_at(from.get(), n, into.get(), n, src.shown + "/" + n);
            return;
        }
        std::string name = src.name == "." ? base_name(src.shown) : src.name;
        copy_tree_at(src.dir, src.name, into.get(), name, src.shown);
        return;
    }
    if (dst_exists && S_ISDIR(ss.st_mode)) throw Error("cannot copy a directory onto the file " + dst.shown);
    copy_tree_at(src.dir, src.name, dst.dir, dst.name, src.shown);
}

// `cp - CTR:DIR`: the tar on our stdin goes into that directory of the container.
int tar_in(Context& ctx, const storage::ContainerConfig& cfg, const std::string& ctr, const std::string& path) {
    return engine::run_in_container_fs(ctx.store(), cfg, [&] {
        struct stat st {};
        if (::stat(path.c_str(), &st) < 0) throw Error(ctr + ":" + path + ": no such file or directory");
        if (!S_ISDIR(st.st_mode)) throw Error("destination \"" + ctr + ":" + path + "\" must be a directory");
        UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) throw_errno("open the container's /");
        char real[4096];
        if (!::realpath(path.c_str(), real)) throw_errno("resolve `" + path + "` in the container");
        extract_tar(0, root.get(), real);
        return 0;
    });
}

// `cp CTR:PATH -`: that path of the container as a tar on our stdout.
int tar_out(Context& ctx, const storage::ContainerConfig& cfg, const std::string& ctr, const std::string& path) {
    return engine::run_in_container_fs(ctx.store(), cfg, [&] {
        std::string src = copies_contents(path) ? path.substr(0, path.size() - 2) : path;
        std::string parent = dir_name(src);
        UniqueFd dir(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw Error(ctr + ":" + parent + ": no such file or directory");
        std::string name = base_name(src);
        if (name.empty() || name == "/") name.assign(1, '.');
        std::string as = name;
        if (copies_contents(path)) as.assign(1, '.');  // "DIR/.": the entries are ./a, ./b
        write_tar(dir.get(), name, as, 1);
        return 0;
    });
}

int cp_cmd(Context& ctx) {
    Side from = parse_side(ctx.args[0]), to = parse_side(ctx.args[1]);
    if (from.container.empty() == to.container.empty())
        throw Error("invalid arguments " + ctx.args[0] + ", " + ctx.args[1] +
                    " you must use just one container");
    const Side& ctr = from.container.empty() ? to : from;
    auto cfg = find_container(ctx.store(), ctr.container);
    std::string in_ctr = ctr.path.empty() ? "/" : ctr.path;
    if (in_ctr[0] != '/') in_ctr = cfg.workdir + "/" + in_ctr;
    if (from.container.empty() && from.path == "-") return tar_in(ctx, cfg, ctr.container, in_ctr);
    if (to.container.empty() && to.path == "-") return tar_out(ctx, cfg, ctr.container, in_ctr);
    // The host side is opened here, before the child leaves the host's mount namespace (the
    // container's /proc does not show the child: fds, not /proc/self/fd paths, carry the host).
    std::string host_path = from.container.empty() ? from.path : to.path;
    if (host_path.empty()) throw Error("empty host path");
    char cwd[4096];
    if (host_path[0] != '/' && ::getcwd(cwd, sizeof cwd)) host_path = std::string(cwd) + "/" + host_path;
    std::string host_parent = copies_contents(host_path) ? host_path.substr(0, host_path.size() - 2) : host_path;
    host_parent = dir_name(host_parent);
    UniqueFd host_dir(::open(host_parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!host_dir) throw Error(host_parent + ": no such file or directory");
    End host = end_of(host_dir.get(), host_path, host_path);
    std::string ctr_path = ctr.path.empty() ? "/" : ctr.path;
    if (ctr_path[0] != '/') ctr_path = cfg.workdir + "/" + ctr_path;
    return engine::run_in_container_fs(ctx.store(), cfg, [&] {
        std::string parent = copies_contents(ctr_path) ? ctr_path.substr(0, ctr_path.size() - 2) : ctr_path;
        parent = dir_name(parent);
        UniqueFd ctr_dir(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!ctr_dir) throw Error(ctr.container + ":" + parent + ": no such file or directory");
        End inside = end_of(ctr_dir.get(), ctr_path, ctr_path);
        if (from.container.empty()) copy(host, inside);
        else copy(inside, host);
        return 0;
    });
}

}  // namespace

void register_cp(cli::CommandTable& t) {
    cli::Command cp;
    cp.path = "cp";
    cp.use = "[options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH";
    cp.short_help = "Copy files/folders between a container and the local filesystem";
    cp.long_help = "Copy the contents of SRC_PATH to the DEST_PATH.\n\n  You can copy from the container's file system to the local machine or the reverse, from the local filesystem to the container. If \"-\" is specified for either the SRC_PATH or DEST_PATH, you can stream a tar archive from STDIN or to STDOUT. The CONTAINER can be a running or stopped container. The SRC_PATH or DEST_PATH can be a file or a directory.";
    cp.examples = {"burrow cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH"};
    cp.flags = {bool_flag("archive", 'a', "Chown copied files to the primary uid/gid of the destination container."),
                bool_flag("overwrite", 0, "Allow to overwrite directories with non-directories and vice versa"),
                help_flag()};
    cp.min_args = 2;
    cp.max_args = 2;
    cp.handler = cp_cmd;
    t.add(cp);
    cp.path = "container cp";
    t.add(cp);
}

}  // namespace burrow::commands
