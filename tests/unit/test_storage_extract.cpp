#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <clocale>
#include <thread>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "storage/extract.hpp"
#include "storage/layer_writer.hpp"
#include "test_storage_util.hpp"

using namespace burrow;
using namespace burrow::storage;

namespace {

enum class Comp { none, gzip, zstd };

struct Entry {
    Entry(std::string n, mode_t t = AE_IFREG, mode_t p = 0644, std::string d = "")
        : name(std::move(n)), type(t), perm(p), data(std::move(d)) {}
    std::string name;
    mode_t type = AE_IFREG;
    mode_t perm = 0644;
    std::string data;
    std::string link;       // symlink target
    std::string hardlink;   // hardlink target
    int64_t uid = 0, gid = 0;
    time_t mtime = 1600000000;
    std::vector<std::pair<std::string, std::string>> xattrs;
    dev_t rdev = 0;
};

la_ssize_t append_cb(struct archive*, void* p, const void* buf, size_t n) {
    static_cast<std::string*>(p)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
}

std::string make_tar(const std::vector<Entry>& entries, Comp c) {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (c == Comp::gzip) archive_write_add_filter_gzip(a);
    if (c == Comp::zstd) archive_write_add_filter_zstd(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, append_cb, nullptr);
    for (const auto& e : entries) {
        struct archive_entry* ae = archive_entry_new();
        archive_entry_set_pathname(ae, e.name.c_str());
        archive_entry_set_uid(ae, e.uid);
        archive_entry_set_gid(ae, e.gid);
        archive_entry_set_mtime(ae, e.mtime, 0);
        if (!e.hardlink.empty()) {
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_perm(ae, e.perm);
            archive_entry_set_hardlink(ae, e.hardlink.c_str());
            archive_entry_set_size(ae, 0);
        } else {
            archive_entry_set_filetype(ae, e.type);
            archive_entry_set_perm(ae, e.perm);
            if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
            if (e.type == AE_IFCHR || e.type == AE_IFBLK) archive_entry_set_rdev(ae, e.rdev);
            archive_entry_set_size(ae, e.type == AE_IFREG ? static_cast<la_int64_t>(e.data.size()) : 0);
        }
        for (const auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
        REQUIRE(archive_write_header(a, ae) >= ARCHIVE_WARN);
        if (e.type == AE_IFREG && e.hardlink.empty() && !e.data.empty())
            archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

// The blob behind an fd, as the helper gets it.
UniqueFd blob_fd(const TempDir& t, const std::string& blob) {
    auto path = t / "blob";
    atomic_write_file(path, blob);
    return open_or_throw(path, O_RDONLY);
}

ExtractStats extract(const TempDir& t, const std::string& blob, bool ignore_chown = ::geteuid() != 0) {
    auto fd = blob_fd(t, blob);
    mkdir_p(t / "layer", 0700);
    return extract_layer_stream(fd.get(), t / "layer", ignore_chown);
}

struct stat lst(const std::string& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st;
}

std::vector<Entry> sample() {
    std::vector<Entry> v;
    v.push_back({"./", AE_IFDIR, 0755});
    v.push_back({"etc/", AE_IFDIR, 0755});
    Entry shadow{"etc/shadow", AE_IFREG, 0640, "root:*:1::::::\n"};
    shadow.gid = 42;
    shadow.mtime = 1500000000;
    v.push_back(shadow);
    v.push_back({"usr/bin/tool", AE_IFREG, 04755, std::string(300000, 'x')});  // no dir entries: implied
    Entry link{"usr/bin/alias", AE_IFLNK, 0777};
    link.link = "tool";
    v.push_back(link);
    Entry hard{"usr/bin/hard"};
    hard.hardlink = "usr/bin/tool";
    v.push_back(hard);
    v.push_back({"run/fifo", AE_IFIFO, 0600});
    Entry x{"etc/cap", AE_IFREG, 0755, "bin"};
    x.xattrs = {{"user.note", "hello"}, {"trusted.skip", "x"}};
    v.push_back(x);
    v.push_back({"ro/", AE_IFDIR, 0555});
    v.push_back({"ro/inside", AE_IFREG, 0444, "data"});
    return v;
}

// Runs a test body with and without openat2 (the by-hand resolver is what old kernels get).
struct ResolverChoice {
    explicit ResolverChoice(bool by_hand) { layer_writer_force_fallback(by_hand); }
    ~ResolverChoice() { layer_writer_force_fallback(false); }
};

}  // namespace

TEST_CASE("clean_layer_path") {
    CHECK(clean_layer_path("./a/b/") == "a/b");
    CHECK(clean_layer_path("/etc//passwd") == "etc/passwd");
    CHECK(clean_layer_path("./") == "");
    CHECK(clean_layer_path("a/./b") == "a/b");
    CHECK_THROWS_WITH(clean_layer_path("../escape"), Catch::Contains("\"../escape\"") && Catch::Contains(".."));
    CHECK_THROWS(clean_layer_path("a/../../b"));
    CHECK(clean_layer_path("a/..b") == "a/..b");
}

TEST_CASE("extracts files, dirs, links, modes and times; same diff id for every compression") {
    bool by_hand = GENERATE(false, true);
    ResolverChoice rc(by_hand);
    auto plain = make_tar(sample(), Comp::none);
    std::string want = sha256_digest(plain);
    for (Comp c : {Comp::none, Comp::gzip, Comp::zstd}) {
        TempDir t;
        auto blob = c == Comp::none ? plain : make_tar(sample(), c);
        auto st = extract(t, blob);
        CHECK(st.diff_id == want);
        CHECK(st.uncompressed_size == plain.size());
        auto d = t / "layer/diff";
        CHECK(read_file(d + "/etc/shadow") == "root:*:1::::::\n");
        auto s = lst(d + "/etc/shadow");
        CHECK((s.st_mode & 07777) == 0640);
        CHECK(s.st_mtime == 1500000000);
        if (::geteuid() == 0) CHECK(s.st_gid == 42);  // chown to the header's ids happened
        auto tool = lst(d + "/usr/bin/tool");
        CHECK((tool.st_mode & 07777) == 04755);  // setuid kept (it gains nothing outside the namespace)
        CHECK(tool.st_size == 300000);
        CHECK(tool.st_nlink == 2);
        CHECK(lst(d + "/usr/bin/hard").st_ino == tool.st_ino);
        CHECK((lst(d + "/usr").st_mode & 0777) == 0755);  // implied dir
        CHECK(S_ISLNK(lst(d + "/usr/bin/alias").st_mode));
        char buf[64] = {};
        CHECK(::readlink((d + "/usr/bin/alias").c_str(), buf, sizeof buf) == 4);
        CHECK(std::string(buf) == "tool");
        CHECK(S_ISFIFO(lst(d + "/run/fifo").st_mode));
        auto etc = lst(d + "/etc");
        CHECK(etc.st_mtime == 1600000000);  // directory times applied last
        CHECK((lst(d + "/ro").st_mode & 0777) == 0555);
        CHECK(read_file(d + "/ro/inside") == "data");
        char xv[16] = {};
        ssize_t n = ::getxattr((d + "/etc/cap").c_str(), "user.note", xv, sizeof xv);
        if (n >= 0) CHECK(std::string(xv, static_cast<size_t>(n)) == "hello");
        CHECK(::getxattr((d + "/etc/cap").c_str(), "trusted.skip", xv, sizeof xv) < 0);
        ::chmod((d + "/ro").c_str(), 0755);  // let TempDir clean up as a non-root user
    }
}

TEST_CASE("whiteouts become overlay whiteouts and opaque dirs") {
    TempDir t;
    std::vector<Entry> v{{"a/", AE_IFDIR, 0755}, {"a/.wh.gone", AE_IFREG, 0644}, {"a/.wh..wh..opq", AE_IFREG, 0644},
                         {"b/.wh..wh.plnk", AE_IFREG, 0644}};
    extract(t, make_tar(v, Comp::gzip));
    auto d = t / "layer/diff";
    bool files = path_exists(t / ("layer/" + std::string(kWhiteoutFilesMarker)));
    if (!files) {
        auto s = lst(d + "/a/gone");
        CHECK(S_ISCHR(s.st_mode));
        CHECK(s.st_rdev == makedev(0, 0));
        CHECK_FALSE(path_exists(d + "/a/.wh.gone"));
        char v2[4] = {};
        CHECK(::getxattr((d + "/a").c_str(), "user.overlay.opaque", v2, sizeof v2) == 1);
        CHECK(v2[0] == 'y');
    } else {
        CHECK(path_exists(d + "/a/.wh.gone"));
    }
    if (!files) CHECK_FALSE(path_exists(d + "/a/.wh..wh..opq"));
    CHECK(list_dir(d + "/b").empty());
}

TEST_CASE("hostile entries stay inside or are refused") {
    bool by_hand = GENERATE(false, true);
    ResolverChoice rc(by_hand);
    TempDir outside;
    SECTION("absolute names land inside") {
        TempDir t;
        extract(t, make_tar({{"/abs/file", AE_IFREG, 0644, "x"}}, Comp::none));
        CHECK(read_file(t / "layer/diff/abs/file") == "x");
    }
    SECTION("dot-dot is refused, naming the entry") {
        TempDir t;
        CHECK_THROWS_WITH(extract(t, make_tar({{"../escape", AE_IFREG, 0644, "x"}}, Comp::none)),
                          Catch::Contains("../escape"));
        CHECK_FALSE(path_exists(t / "escape"));
    }
    SECTION("a symlink to an outside dir is not followed out") {
        TempDir t;
        Entry evil{"evil", AE_IFLNK, 0777};
        evil.link = outside.path;
        try {
            extract(t, make_tar({evil, {"evil/file", AE_IFREG, 0644, "pwned"}}, Comp::none));
            CHECK(read_file(t / ("layer/diff" + outside.path + "/file")) == "pwned");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("evil/file") != std::string::npos);
        }
        CHECK(list_dir(outside.path).empty());
    }
    SECTION("a symlink climbing with .. resolves to the layer root") {
        TempDir t;
        Entry up{"up", AE_IFLNK, 0777};
        up.link = "../../../../../../..";
        extract(t, make_tar({up, {"up/landed", AE_IFREG, 0644, "in"}}, Comp::none));
        CHECK(read_file(t / "layer/diff/landed") == "in");
    }
    SECTION("a symlink swapped in for a directory is not followed") {
        TempDir t;
        Entry evil{"d", AE_IFLNK, 0777};
        evil.link = outside.path;
        extract(t, make_tar({{"d/", AE_IFDIR, 0755}, evil, {"d/", AE_IFDIR, 0700}}, Comp::none));
        CHECK(is_directory(t / "layer/diff/d"));
        CHECK(list_dir(outside.path).empty());
    }
    SECTION("hard links out of the layer are refused") {
        TempDir t;
        Entry h{"pw"};
        h.hardlink = "/etc/passwd";
        CHECK_THROWS_WITH(extract(t, make_tar({h}, Comp::none)), Catch::Contains("not in this layer"));
        Entry h2{"pw2"};
        h2.hardlink = "../../../../etc/passwd";
        CHECK_THROWS(extract(TempDir(), make_tar({h2}, Comp::none)));
        Entry via{"evil", AE_IFLNK, 0777};
        via.link = "/etc";
        Entry h3{"pw3"};
        h3.hardlink = "evil/passwd";
        TempDir t3;
        CHECK_THROWS(extract(t3, make_tar({via, h3}, Comp::none)));
        CHECK(lst("/etc/passwd").st_nlink == 1);
    }
    SECTION("device nodes are skipped") {
        TempDir t;
        Entry c{"dev/null", AE_IFCHR, 0666};
        c.rdev = makedev(1, 3);
        Entry b{"dev/sda", AE_IFBLK, 0660};
        b.rdev = makedev(8, 0);
        extract(t, make_tar({c, b, {"after", AE_IFREG, 0644, "ok"}}, Comp::none));
        CHECK_FALSE(path_exists(t / "layer/diff/dev/null"));
        CHECK_FALSE(path_exists(t / "layer/diff/dev/sda"));
        CHECK(read_file(t / "layer/diff/after") == "ok");
    }
}

TEST_CASE("ownership errors carry Podman's hint unless ignored") {
    if (::geteuid() == 0) return;  // root may chown to anything
    TempDir t;
    Entry e{"etc/shadow", AE_IFREG, 0640, "x"};
    e.gid = 42;
    CHECK_THROWS_WITH(extract(t, make_tar({e}, Comp::none), false),
                      Catch::Contains("potentially insufficient UIDs or GIDs available in user namespace (requested 0:42 for /etc/shadow)"));
    TempDir t2;
    CHECK_NOTHROW(extract(t2, make_tar({e}, Comp::none), true));
}

TEST_CASE("corrupt and truncated streams fail") {
    auto gz = make_tar(sample(), Comp::gzip);
    auto bad = gz;
    for (size_t i = bad.size() / 2; i < bad.size() / 2 + 64; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    CHECK_THROWS_WITH(extract(TempDir(), bad), Catch::Contains("gzip"));
    CHECK_THROWS_WITH(extract(TempDir(), gz.substr(0, gz.size() - 20)), Catch::Contains("gzip"));
    auto zs = make_tar(sample(), Comp::zstd);
    CHECK_THROWS_WITH(extract(TempDir(), zs.substr(0, zs.size() / 2)), Catch::Contains("zstd"));
    std::string junk(5000, 'j');
    CHECK_THROWS(extract(TempDir(), junk));
}

TEST_CASE("an empty blob is an empty layer; concatenated gzip members are one stream") {
    TempDir t;
    auto st = extract(t, "");
    CHECK(st.diff_id == sha256_digest(""));
    CHECK(list_dir(t / "layer/diff").empty());
    // gzip -c a > x; gzip -c b >> x: the tar is split across two members.
    auto plain = make_tar(sample(), Comp::none);
    TempDir t2;
    atomic_write_file(t2 / "p1", plain.substr(0, 7000));
    atomic_write_file(t2 / "p2", plain.substr(7000));
    REQUIRE(std::system(("gzip -c " + t2 / "p1" + " > " + t2 / "cat.gz && gzip -c " + t2 / "p2" + " >> " + t2 / "cat.gz").c_str()) == 0);
    auto st2 = extract(t2, read_file(t2 / "cat.gz"));
    CHECK(st2.diff_id == sha256_digest(plain));
    ::chmod((t2 / "layer/diff/ro").c_str(), 0755);
}

// The helper path: spawn this executable in a user namespace, stream through pipes.
TEST_CASE("ExtractSession runs the helper in a user namespace") {
    TempDir t;
    StoreOptions o;
    o.root = t / "root";
    Store store(o, burrow::engine::userns_helpers());
    auto good = make_tar(sample(), Comp::gzip);
    auto plain_digest = sha256_digest(make_tar(sample(), Comp::none));
    std::vector<ExtractJob> jobs;
    std::vector<Pipe> pipes;
    for (int i = 0; i < 2; ++i) {
        pipes.push_back(make_pipe());
        jobs.push_back({store.make_temp_layer_dir(std::string(64, 'a' + i)),
                        i == 0 ? plain_digest : "sha256:" + std::string(64, '0'), pipes.back().read_end.get()});
    }
    std::optional<ExtractSession> session;
    try {
        session.emplace(store, jobs);
    } catch (const Error& e) {
        WARN("user namespaces unavailable, helper not tested: " << e.what());
        return;
    }
    for (auto& p : pipes) p.read_end.reset();
    std::vector<std::thread> feeders;
    for (auto& p : pipes)
        feeders.emplace_back([&good, fd = p.write_end.release()] {
            size_t off = 0;
            while (off < good.size()) {
                ssize_t n = ::write(fd, good.data() + off, std::min<size_t>(65536, good.size() - off));
                if (n <= 0) break;
                off += static_cast<size_t>(n);
            }
            ::close(fd);
        });
    auto out = session->wait();
    for (auto& f : feeders) f.join();
    REQUIRE(out.size() == 2);
    CHECK(out[0].ok);
    CHECK(out[0].error.empty());
    CHECK(out[0].diff_id == plain_digest);
    CHECK(out[0].uncompressed_size > 300000);
    CHECK(read_file(jobs[0].dest_dir + "/diff/etc/shadow") == "root:*:1::::::\n");
    if (!store.idmap().single()) {
        // gid 42 in the namespace is a subordinate id on the host.
        gid_t want = 0;
        for (const auto& m : store.idmap().gids)
            if (m.container_id <= 42 && 42 < m.container_id + m.size) want = m.host_id + (42 - m.container_id);
        CHECK(lst(jobs[0].dest_dir + "/diff/etc/shadow").st_gid == want);
    }
    CHECK_FALSE(out[1].ok);
    CHECK_THAT(out[1].error, Catch::Contains("does not match"));
    // Removal through the store copes with the read-only dir.
    store.remove_owned_tree(jobs[0].dest_dir);
    CHECK_FALSE(path_exists(jobs[0].dest_dir));
    store.remove_owned_tree(jobs[1].dest_dir);
}

TEST_CASE("non-ASCII names keep their bytes (the helper runs in the C locale)") {
    TempDir t;
    // Written in a UTF-8 locale, pax stores plain UTF-8 "path" records (as Go's archive/tar does);
    // in the C locale libarchive falls back to hdrcharset=BINARY. Both must come out unchanged.
    std::vector<Entry> v{{"caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt", AE_IFREG, 0644, "u"}, {"latin\xe9", AE_IFREG, 0644, "l"}};
    std::string utf8_tar;
    if (setlocale(LC_CTYPE, "C.UTF-8")) {
        utf8_tar = make_tar({v[0]}, Comp::none);
        setlocale(LC_CTYPE, "C");
        CHECK(utf8_tar.find("hdrcharset") == std::string::npos);
        TempDir t2;
        extract(t2, utf8_tar);
        CHECK(read_file(t2 / "layer/diff/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt") == "u");
    }
    extract(t, make_tar(v, Comp::none));
    CHECK(read_file(t / "layer/diff/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt") == "u");
    CHECK(read_file(t / "layer/diff/latin\xe9") == "l");
}
