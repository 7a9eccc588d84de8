// src/engine/volume_options.cpp: Podman 4.3's reading of `volume create -o`, the mount a volume
// with options becomes, and --image-volume.
#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "src/engine/volume_options.hpp"

using namespace burrow;
using namespace burrow::engine;

namespace {
storage::VolumeRecord rec(std::vector<std::string> opts) {
    VolumeCreateOptions o;
    o.name = "v";
    o.options = std::move(opts);
    return volume_record_from(o);
}
}  // namespace

TEST_CASE("volume create -o keeps Podman's keys") {
    auto v = rec({"type=tmpfs", "device=tmpfs", "o=uid=1000,nr_inodes=100"});
    CHECK(v.options == std::map<std::string, std::string>{
                           {"UID", "1000"}, {"device", "tmpfs"}, {"o", "uid=1000,nr_inodes=100"}, {"type", "tmpfs"}});
    CHECK(v.uid == 1000);
    CHECK(v.gid == 0);
    CHECK_FALSE(v.needs_chown);
    CHECK(v.needs_copy_up);
    CHECK(storage::volume_needs_mount(v));
    auto ug = rec({"o=uid=1000,gid=2000"});
    CHECK(ug.options.size() == 3);
    CHECK_FALSE(storage::volume_needs_mount(ug));
    CHECK_FALSE(storage::volume_needs_mount(rec({})));
    CHECK_FALSE(storage::volume_needs_mount(rec({"nocopy"})));
    auto nq = rec({"o=noquota"});
    CHECK(nq.options == std::map<std::string, std::string>{{"NOQUOTA", "true"}});
}

TEST_CASE("volume create -o errors are Podman's") {
    CHECK_THROWS_WITH(rec({"foo=bar"}), "invalid mount option foo for driver 'local': invalid argument");
    CHECK_THROWS_WITH(rec({"type=bind", "device=/nonexistent-dir"}),
                      "invalid volume option device for driver 'local': stat /nonexistent-dir: no such file or directory");
    CHECK_NOTHROW(rec({"type=tmpfs", "device=/nonexistent-dir"}));
    CHECK_THROWS_WITH(rec({"o=gid=x"}), "cannot convert GID x to integer: strconv.Atoi: parsing \"x\": invalid syntax");
    CHECK_THROWS_WITH(rec({"o=gid"}), "gid option must provide a GID: invalid argument");
    CHECK_THROWS_WITH(rec({"o=timeout=-1"}), "volume timeout cannot be negative (got -1)");
    CHECK_THROWS_WITH(rec({"o=size=2m"}), "volume options size and inodes not supported. Filesystem does not support Project Quota");
    VolumeCreateOptions o;
    o.name = "x";
    o.driver = "foo";
    CHECK_THROWS_WITH(volume_record_from(o), "volume x uses volume plugin foo but it could not be retrieved: no volume "
                                             "plugin with name foo available: required plugin missing");
}

TEST_CASE("o= splits into mount flags and filesystem data") {
    storage::VolumeRecord v;
    v.options = {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "noexec,ro,mode=0700,nosuid"}};
    auto md = volume_mount_data(v);
    CHECK(md.fstype == "tmpfs");
    CHECK(md.device == "tmpfs");
    CHECK_FALSE(md.bind);
    CHECK(md.flags == (MS_NOEXEC | MS_RDONLY | MS_NOSUID));
    CHECK(md.data == "mode=0700");
    storage::VolumeRecord b;
    b.options = {{"type", "bind"}, {"device", "/srv"}, {"o", "rbind,ro"}};
    auto bm = volume_mount_data(b);
    CHECK(bm.bind);
    CHECK(bm.recursive);
    CHECK(bm.device == "/srv");
    CHECK(bm.flags == MS_RDONLY);
    storage::VolumeRecord t;
    t.options = {{"type", "tmpfs"}};
    CHECK(volume_mount_data(t).device == "tmpfs");
}

TEST_CASE("image volumes per --image-volume") {
    std::vector<storage::MountSpec> mounts(1);
    mounts[0].type = "bind";
    mounts[0].destination = "/mine";
    add_image_volumes(mounts, {"/data/", "/mine", "cache"}, "bind");
    REQUIRE(mounts.size() == 3);
    CHECK(mounts[1].destination == "/cache");
    CHECK(mounts[1].type == "volume");
    CHECK(mounts[1].source.empty());
    CHECK(mounts[2].destination == "/data");
    std::vector<storage::MountSpec> t;
    add_image_volumes(t, {"/data"}, "tmpfs");
    REQUIRE(t.size() == 1);
    CHECK(t[0].type == "tmpfs");
    std::vector<storage::MountSpec> none;
    add_image_volumes(none, {"/data"}, "ignore");
    CHECK(none.empty());
    CHECK_THROWS_WITH(add_image_volumes(none, {"/data"}, "x"), "invalid image-volume type \"x\". Pick one of bind, tmpfs, or ignore");
}
