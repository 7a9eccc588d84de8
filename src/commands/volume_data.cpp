// `volume export|import|mount|unmount`: a volume's content as a tar stream, and mounting a volume
// with options on its mountpoint (rootless: only inside `unshare`, as Podman).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/commands/common.hpp"
#include "src/commands/cp_tar.hpp"
#include "src/commands/register.hpp"
#include "src/engine/volume_options.hpp"
#include "src/engine/volume_use.hpp"
#include "storage/store.hpp"
#include "storage/volume_store.hpp"

namespace burrow::commands {

using cli::Context;
using storage::VolumeRecord;
using storage::VolumeStore;

void register_volume_data(cli::CommandTable& t);

namespace {

std::string go_errno(int e) { return to_lower(std::strerror(e)); }

// What export and import check first, as Podman does: the volume, and that a volume with a
// type other than tmpfs is mounted.
VolumeRecord volume_for_data(const VolumeStore& vs, const std::string& name) {
    auto v = vs.get(name);
    if (!v) throw Error("no such volume " + name);
    auto type = v->options.find("type");
    if (type != v->options.end() && type->second != "tmpfs" && engine::volume_mount_count(vs, *v) == 0)
        throw Error("volume is using a driver " + v->driver + " and volume is not mounted on " + vs.data_dir(name));
    return *v;
}

int export_cmd(Context& ctx) {
    std::string output = ctx.flags.get_string("output");
    if (output.empty()) throw Error("expects output path, use --output=[path]");
    VolumeStore vs(ctx.store());
    VolumeRecord v = volume_for_data(vs, ctx.args[0]);
    std::string dir = vs.data_dir(v.name);
    UniqueFd out(::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out)
        throw Error("could not create tarball file '" + output + "': open " + output + ": " + go_errno(errno));
    std::fflush(stdout);
    // As root of the user namespace: files of the subordinate ids are readable, owners as inside.
    return engine::run_in_store_userns(ctx.store(), [&] {
        UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!d) throw_errno("open " + dir);
        write_tar_contents(d.get(), out.get());
        return 0;
    });
}

int import_cmd(Context& ctx) {
    const std::string& src = ctx.args[1];
    UniqueFd in;
    if (src != "-") {
        in = UniqueFd(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw Error("open " + src + ": " + go_errno(errno));
    }
    VolumeStore vs(ctx.store());
    VolumeRecord v = volume_for_data(vs, ctx.args[0]);
    std::string dir = vs.data_dir(v.name);
    int fd = in ? in.get() : 0;
    return engine::run_in_store_userns(ctx.store(), [&] {
        UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!d) throw_errno("open " + dir);
        extract_tar(fd, d.get(), "");
        return 0;
    });
}

// Podman's OutputErrors: every error but the last on stderr, the last one returned.
int finish(const std::vector<std::string>& errs) {
    if (errs.empty()) return 0;
    for (size_t i = 0; i + 1 < errs.size(); ++i) std::fprintf(stderr, "Error: %s\n", errs[i].c_str());
    std::fflush(stderr);
    throw Error(errs.back());
}

// Mounts a volume with options on its mountpoint in this mount namespace (inside `unshare`).
void mount_on_mountpoint(const VolumeRecord& v, const std::string& target) {
    engine::VolumeMountData md = engine::volume_mount_data(v);
    unsigned long flags = md.flags;
    int rc;
    if (md.bind) {
        rc = ::mount(md.device.c_str(), target.c_str(), nullptr, MS_BIND | (md.recursive ? MS_REC : 0), nullptr);
        if (rc == 0 && flags)
            rc = ::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags, nullptr);
    } else {
        rc = ::mount(md.device.c_str(), target.c_str(), md.fstype.c_str(), flags, md.data.empty() ? nullptr : md.data.c_str());
    }
    if (rc < 0) throw Error("mount: " + target + ": " + go_errno(errno));
}

int mount_cmd(Context& ctx) {
    if (::getuid() != 0) {
        std::string prog = ctx.command_path.substr(0, ctx.command_path.find(' '));
        throw Error("cannot run command \"" + ctx.command_path + "\" in rootless mode, must execute `" + prog +
                    " unshare` first");
    }
    VolumeStore vs(ctx.store());
    std::vector<std::string> errs;
    for (const auto& name : ctx.args) {
        auto v = vs.get(name);
        if (!v) {
            errs.push_back("no volume with name \"" + name + "\" found: no such volume");
            continue;
        }
        std::string dir = vs.data_dir(name);
        try {
            if (storage::volume_needs_mount(*v)) {
                if (v->mount_count == 0) mount_on_mountpoint(*v, dir);
                ++v->mount_count;
                vs.update(*v);
            }
            std::printf("%s\n", dir.c_str());
        } catch (const Error& e) {
            errs.push_back(e.what());
        }
    }
    return finish(errs);
}

int unmount_cmd(Context& ctx) {
    VolumeStore vs(ctx.store());
    std::vector<std::string> errs;
    for (const auto& name : ctx.args) {
        auto v = vs.get(name);
        if (!v) {
            errs.push_back("no volume with name \"" + name + "\" found: no such volume");
            continue;
        }
        if (storage::volume_needs_mount(*v) && v->mount_count > 0) {
            if (--v->mount_count == 0) {
                std::string dir = vs.data_dir(name);
                if (::umount2(dir.c_str(), MNT_DETACH) < 0 && errno != EINVAL) {
                    errs.push_back("unmounting volume " + name + ": " + go_errno(errno));
                    continue;
                }
            }
            vs.update(*v);
        }
        std::printf("%s\n", name.c_str());
    }
    return finish(errs);
}

}  // namespace

void register_volume_data(cli::CommandTable& t) {
    cli::Command exp;
    exp.path = "volume export";
    exp.use = "[options] VOLUME";
    exp.short_help = "Export volumes";
    exp.long_help = "\nburrow volume export\n\nAllow content of volume to be exported into external tar.";
    exp.flags = {string_flag("output", 'o', "Write to a specified file (default: stdout, which must be redirected)",
                             "/dev/stdout"),
                 help_flag()};
    exp.min_args = 1;
    exp.max_args = 1;
    exp.handler = export_cmd;
    t.add(exp);

    cli::Command imp;
    imp.path = "volume import";
    imp.use = "VOLUME [SOURCE]";
    imp.short_help = "Import a tarball contents into a podman volume";
    imp.long_help = "Imports contents into a podman volume from specified tarball (.tar, .tar.gz, .tgz, .bzip, .tar.xz, .txz).";
    imp.examples = {"burrow volume import my_vol /home/user/import.tar", "cat ctr.tar | burrow volume import my_vol -"};
    imp.flags = {help_flag()};
    imp.min_args = 2;
    imp.max_args = 2;
    imp.handler = import_cmd;
    t.add(imp);

    cli::Command mnt;
    mnt.path = "volume mount";
    mnt.use = "NAME";
    mnt.short_help = "Mount volume";
    mnt.long_help = "Mount a volume and return the mountpoint";
    mnt.examples = {"burrow volume mount myvol"};
    mnt.flags = {help_flag()};
    mnt.min_args = 1;
    mnt.max_args = 1;
    mnt.handler = mount_cmd;
    t.add(mnt);

    // burrow has no volume plugins: nothing to add or remove, as Podman reports with none configured.
    cli::Command reload;
    reload.path = "volume reload";
    reload.short_help = "reload all volumes from volume plugins";
    reload.long_help = "Check all configured volume plugins and update the libpod database with all available volumes.\n\n"
                       "  Existing volumes are also removed from the database when they are no longer present in the plugin.";
    reload.flags = {help_flag()};
    reload.max_args = 0;
    reload.handler = [](Context&) { return 0; };
    t.add(reload);

    cli::Command um;
    um.path = "volume unmount";
    um.aliases = {"umount"};
    um.use = "NAME";
    um.short_help = "Unmount volume";
    um.long_help = "Unmount a volume";
    um.examples = {"burrow volume unmount myvol"};
    um.flags = {help_flag()};
    um.min_args = 1;
    um.max_args = 1;
    um.handler = unmount_cmd;
    t.add(um);
}

}  // namespace burrow::commands
