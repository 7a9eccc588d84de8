#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "storage/lock.hpp"
#include "storage/store.hpp"
#include "test_storage_util.hpp"

using namespace burrow;
using namespace burrow::storage;

namespace {

std::string hex_of(char c) { return std::string(64, c); }

ImageRecord image_rec(const std::string& id, std::vector<std::string> names, int64_t pulled = 1) {
    ImageRecord r;
    r.id = id;
    r.names = std::move(names);
    r.pulled = pulled;
    return r;
}

}  // namespace

TEST_CASE("chain ids follow the OCI definition") {
    auto d0 = "sha256:" + hex_of('a'), d1 = "sha256:" + hex_of('b'), d2 = "sha256:" + hex_of('c');
    CHECK(chain_id("", d0) == hex_of('a'));
    auto c1 = chain_id(hex_of('a'), d1);
    CHECK(c1 == "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
    CHECK(chain_id(c1, d2) == "c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588");
    CHECK_THROWS_AS(chain_id("", "md5:abc"), Error);
}

TEST_CASE("locks: shared with shared, exclusive alone") {
    TempDir t;
    auto path = t / "locks/x.lock";  // parent created on first use
    auto a = Lock::acquire(path, Lock::Mode::shared);
    REQUIRE(a.held());
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto b = Lock::try_acquire(path, Lock::Mode::shared);
    CHECK(b.held());
    auto c = Lock::try_acquire(path, Lock::Mode::exclusive);
    CHECK_FALSE(c.held());
    a.release();
    b.release();
    auto d = Lock::try_acquire(path, Lock::Mode::exclusive);
    CHECK(d.held());
    CHECK_FALSE(Lock::try_acquire(path, Lock::Mode::shared).held());
    // A blocked acquire gets the lock once the holder lets go.
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        d.release();
    });
    auto start = std::chrono::steady_clock::now();
    auto e = Lock::acquire(path, Lock::Mode::exclusive);
    releaser.join();
    CHECK(e.held());
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(40));
}

TEST_CASE("store options: defaults, storage.conf, overrides") {
    TempDir t;
    setenv("XDG_DATA_HOME", (t / "data").c_str(), 1);
    setenv("XDG_RUNTIME_DIR", t.path.c_str(), 1);
    setenv("CONTAINERS_STORAGE_CONF", (t / "none.conf").c_str(), 1);
    auto o = load_store_options({});
    CHECK(o.root == t / "data/burrow");
    CHECK(o.runroot == t / "burrow");
    CHECK(o.driver == "overlay");
    CHECK_FALSE(o.ignore_chown_errors);

    std::ofstream(t / "storage.conf") << "[storage]\ndriver = \"overlay\"\ngraphroot = \"/fast/me/store\"\n"
                                         "runroot = \"/run/user/1/x\"\n[storage.options.overlay]\n"
                                         "mount_program = \"/usr/bin/fuse-overlayfs\"\nignore_chown_errors = \"true\"\n";
    setenv("CONTAINERS_STORAGE_CONF", (t / "storage.conf").c_str(), 1);
    o = load_store_options({});
    CHECK(o.root == "/fast/me/store/burrow");
    CHECK(o.runroot == "/run/user/1/x/burrow");
    CHECK(o.mount_program == "/usr/bin/fuse-overlayfs");
    CHECK(o.ignore_chown_errors);

    StoreOptions over;
    over.root = "/cli/root";
    o = load_store_options(over);
    CHECK(o.root == "/cli/root");
    CHECK(o.runroot == "/run/user/1/x/burrow");

    std::ofstream(t / "bad.conf") << "[storage\n";
    setenv("CONTAINERS_STORAGE_CONF", (t / "bad.conf").c_str(), 1);
    CHECK_THROWS_WITH(load_store_options({}), Catch::Contains("bad.conf") && Catch::Contains("line 1"));
    std::ofstream(t / "bool.conf") << "[storage.options.overlay]\nignore_chown_errors = true\n";
    setenv("CONTAINERS_STORAGE_CONF", (t / "bool.conf").c_str(), 1);
    CHECK(load_store_options({}).ignore_chown_errors);
    unsetenv("CONTAINERS_STORAGE_CONF");
    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_RUNTIME_DIR");
}

TEST_CASE("blobs are verified before they are kept") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store s(o, burrow::engine::userns_helpers());
    std::string data = "{\"config\":1}";
    auto dg = sha256_digest(data);
    s.put_blob(dg, data);
    CHECK(s.get_blob(dg) == data);
    CHECK_THROWS_WITH(s.put_blob("sha256:" + hex_of('0'), data), Catch::Contains("does not match"));
    CHECK_FALSE(s.get_blob("sha256:" + hex_of('0')));
    CHECK_FALSE(s.get_blob("sha256:../../etc/passwd"));
}

TEST_CASE("layer commit, records and removal of unused layers") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store s(o, burrow::engine::userns_helpers());
    auto chain = hex_of('1');
    auto tmp = s.make_temp_layer_dir(chain);
    CHECK(tmp.find("/tmp/") != std::string::npos);
    mkdir_p(tmp + "/diff/etc", 0755);
    chmod((tmp + "/diff/etc").c_str(), 0500);  // removal must cope with read-only dirs
    LayerRecord r;
    r.id = chain;
    r.diff_id = "sha256:" + chain;
    r.compressed_digest = "sha256:" + hex_of('9');
    r.compressed_size = 10;
    r.uncompressed_size = 20;
    r.created = 1700000000;
    CHECK_FALSE(s.has_layer(chain));
    s.commit_layer(tmp, r);
    CHECK(s.has_layer(chain));
    CHECK_FALSE(path_exists(tmp));
    auto back = s.layer(chain);
    REQUIRE(back);
    CHECK(back->diff_id == r.diff_id);
    CHECK(back->uncompressed_size == 20);
    CHECK(back->created == 1700000000);
    CHECK_FALSE(back->whiteout_files);
    CHECK(s.layers().size() == 1);
    CHECK(is_directory(s.layer_diff_dir(chain) + "/etc"));

    // Referenced by an image: kept.
    auto img = image_rec(hex_of('d'), {"docker.io/library/alpine:latest"});
    img.layers = {chain};
    s.put_image(img);
    {
        auto l = s.lock_exclusive();
        CHECK(s.remove_unused_layers().empty());
    }
    s.remove_image_record(img.id);
    // Locked shared by a pull in progress: kept.
    {
        auto pull = Lock::acquire(s.layer_lock_path(chain), Lock::Mode::shared);
        CHECK(s.remove_unused_layers().empty());
        CHECK(s.has_layer(chain));
    }
    auto removed = s.remove_unused_layers();
    REQUIRE(removed.size() == 1);
    CHECK(removed[0] == chain);
    CHECK_FALSE(s.has_layer(chain));
    CHECK(list_dir(o.root + "/tmp").empty());
    CHECK_THROWS(s.layer_dir("../x"));
}

TEST_CASE("sweep_tmp removes only temp dirs whose owner is gone") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store s(o, burrow::engine::userns_helpers());
    auto mine = s.make_temp_layer_dir(hex_of('2'));
    // A dead owner: pid 1 with a start time it never had, and an unparsable name.
    mkdir_p(o.root + "/tmp/1-999999999-layer-x-0123", 0700);
    mkdir_p(o.root + "/tmp/garbage/sub", 0700);
    s.sweep_tmp();
    auto left = list_dir(o.root + "/tmp");
    REQUIRE(left.size() == 1);
    CHECK(o.root + "/tmp/" + left[0] == mine);
}

TEST_CASE("image records round trip") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store s(o, burrow::engine::userns_helpers());
    ImageRecord r = image_rec(hex_of('e'), {"quay.io/a/b:1", "quay.io/a/b:latest"}, 42);
    r.digest = "sha256:" + hex_of('f');
    r.digests = {r.digest};
    r.repo_digests = {"quay.io/a/b@" + r.digest};
    r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
    r.layers = {hex_of('1'), hex_of('2')};
    r.names_history = {"quay.io/a/b:1"};
    r.size = 12345;
    s.put_image(r);
    auto back = s.image(r.id);
    REQUIRE(back);
    CHECK(back->names == r.names);
    CHECK(back->digest == r.digest);
    CHECK(back->repo_digests == r.repo_digests);
    CHECK(back->layers == r.layers);
    CHECK(back->names_history == r.names_history);
    CHECK(back->pulled == 42);
    CHECK(back->size == 12345);
    CHECK(back->manifest_media_type == r.manifest_media_type);
    CHECK(s.images().size() == 1);
    CHECK_THROWS(s.put_image(image_rec("nothex", {})));
    s.remove_image_record(r.id);
    CHECK_FALSE(s.image(r.id));
    CHECK(s.images().empty());
}

TEST_CASE("find_image resolution order") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store s(o, burrow::engine::userns_helpers());
    auto alpine = image_rec("abc1" + std::string(60, '0'), {"docker.io/library/alpine:latest", "docker.io/library/alpine:3.18"}, 10);
    alpine.digest = "sha256:" + hex_of('7');
    alpine.digests = {alpine.digest};
    alpine.repo_digests = {"docker.io/library/alpine@" + alpine.digest};
    auto quay = image_rec("abc2" + std::string(60, '0'), {"quay.io/me/tool:v1"}, 20);
    auto local = image_rec("ffe" + std::string(61, '1'), {"localhost/abc1:latest"}, 5);
    auto older = image_rec("0de" + std::string(61, '2'), {"registry.example.com/alpine:latest"}, 1);
    for (auto* r : {&alpine, &quay, &local, &older}) s.put_image(*r);

    auto id = [&](const std::string& ref) {
        auto r = s.find_image(ref);
        return r ? r->id : std::string("none");
    };
    CHECK(id(alpine.id) == alpine.id);                                  // full id
    CHECK(id("docker.io/library/alpine:3.18") == alpine.id);           // exact name
    CHECK(id("docker.io/library/alpine") == alpine.id);                // + :latest
    CHECK(id("alpine") == alpine.id);                                  // short, library/ implied; newest wins
    CHECK(id("alpine:3.18") == alpine.id);
    CHECK(id("library/alpine") == alpine.id);
    CHECK(id("docker.io/alpine") == alpine.id);
    CHECK(id("registry.example.com/alpine") == older.id);
    CHECK(id("me/tool:v1") == quay.id);
    CHECK(id("tool:v1") == "none");                                    // repo must match whole
    CHECK(id("me/tool") == "none");                                    // tag latest absent
    CHECK(id("abc1") == local.id);                                     // a name beats an id prefix
    CHECK(id("ffe") == local.id);                                      // unique prefix
    CHECK(id("0de") == older.id);
    CHECK(id("ab") == "none");                                         // too short
    CHECK_THROWS_WITH(s.find_image("abc"), Catch::Contains("ambiguous"));
    CHECK(id("sha256:" + quay.id) == quay.id);
    CHECK(id("sha256:ffe1") == local.id);
    CHECK(id("alpine@" + alpine.digest) == alpine.id);
    CHECK(id("docker.io/library/alpine@" + alpine.digest) == alpine.id);
    // Podman 4.3: a digest finds the image that recorded it whatever the name; a tag beside it is dropped.
    CHECK(id("me/tool@" + alpine.digest) == alpine.id);
    CHECK(id("alpine:bogus@" + alpine.digest) == alpine.id);
    CHECK(id("alpine@sha256:" + std::string(64, '0')) == "none");
    CHECK(id("nothing") == "none");
    CHECK(id("") == "none");
}

TEST_CASE("set_image_names keeps containers/storage's names history") {
    ImageRecord r;
    set_image_names(r, {"a:1"});
    CHECK(r.names_history == std::vector<std::string>{"a:1"});
    set_image_names(r, {"a:1", "b:1"});  // tag b:1
    CHECK(r.names_history == std::vector<std::string>{"b:1", "a:1"});
    set_image_names(r, {"a:1"});  // rmi b:1: the remaining name moves to the front
    CHECK(r.names_history == std::vector<std::string>{"a:1", "b:1"});
    set_image_names(r, {"a@sha256:x", "a:1", "a@sha256:x"});  // pull by digest, duplicates dropped
    CHECK(r.names == std::vector<std::string>{"a@sha256:x", "a:1"});
    CHECK(r.names_history == std::vector<std::string>{"a:1", "a@sha256:x", "b:1"});
    set_image_names(r, {});
    CHECK(r.names.empty());
    CHECK(r.names_history.size() == 3);
}
