#include "src/commands/cp_tar.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace burrow::commands {

namespace {

constexpr size_t kBlock = 512;

void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw_errno("write the archive");
        p += w, n -= static_cast<size_t>(w);
    }
}

// len-1 octal digits, zero-padded, then NUL (values too big for the field are cut to its maximum;
// sizes that big travel in a PAX record).
void octal(char* field, size_t len, unsigned long long v) {
    unsigned long long max = (1ULL << (3 * (len - 1))) - 1;
    if (v > max) v = max;
    for (size_t i = len - 1; i-- > 0; v >>= 3) field[i] = static_cast<char>('0' + (v & 7));
    field[len - 1] = '\0';
}

struct Header {
    std::string name, link;
    char type = '0';
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
    unsigned long long size = 0;
    long long mtime = 0;
};

void put_block(int out, const Header& h, const std::string& name, const std::string& link, char type,
               unsigned long long size) {
    char b[kBlock] = {};
    std::memcpy(b, name.data(), std::min<size_t>(name.size(), 100));
    octal(b + 100, 8, h.mode & 07777);
    octal(b + 108, 8, h.uid);
    octal(b + 116, 8, h.gid);
    octal(b + 124, 12, size);
    octal(b + 136, 12, static_cast<unsigned long long>(std::max(0LL, h.mtime)));
    b[156] = type;
    std::memcpy(b + 157, link.data(), std::min<size_t>(link.size(), 100));
    std::memcpy(b + 257, "ustar", 6);
    std::memcpy(b + 263, "00", 2);
    std::memset(b + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : b) sum += c;
    octal(b + 148, 7, sum);  // six digits, NUL, and the space already there
    write_all(out, b, kBlock);
}

void pad(int out, unsigned long long size) {
    static const char zeros[kBlock] = {};
    if (size % kBlock) write_all(out, zeros, kBlock - size % kBlock);
}

// One PAX record: "<len> key=value\n", where len counts the whole record.
std::string pax_record(const std::string& key, const std::string& value) {
    std::string body = " " + key + "=" + value + "\n";
    size_t len = body.size() + 1;
    while (std::to_string(len).size() + body.size() != len) ++len;
    return std::to_string(len) + body;
}

void put_header(int out, const Header& h) {
    std::string pax;
    if (h.name.size() > 100) pax += pax_record("path", h.name);
    if (h.link.size() > 100) pax += pax_record("linkpath", h.link);
    if (h.size > 077777777777ULL) pax += pax_record("size", std::to_string(h.size));
    if (!pax.empty()) {
        put_block(out, h, "PaxHeaders/" + h.name.substr(0, 80), "", 'x', pax.size());
        write_all(out, pax.data(), pax.size());
        pad(out, pax.size());
    }
    put_block(out, h, h.name, h.link, h.type, h.size > 077777777777ULL ? 0 : h.size);
}

void write_entry(int dir, const std::string& name, const std::string& as, int out) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw Error(as + ": no such file or directory");
    Header h;
    h.name = as;
    h.mode = st.st_mode;
    h.uid = st.st_uid;
    h.gid = st.st_gid;
    h.mtime = st.st_mtime;
    if (S_ISLNK(st.st_mode)) {
        char buf[4096];
        ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf);
        if (n < 0) throw_errno("readlink `" + as + "`");
        h.type = '2';
        h.link.assign(buf, static_cast<size_t>(n));
        put_header(out, h);
    } else if (S_ISREG(st.st_mode)) {
        UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) throw_errno("open `" + as + "`");
        h.size = static_cast<unsigned long long>(st.st_size);
        put_header(out, h);
        char buf[65536];
        unsigned long long left = h.size;
        while (left > 0) {
            ssize_t n = ::read(fd.get(), buf, std::min<unsigned long long>(sizeof buf, left));
            if (n <= 0) throw Error("`" + as + "` changed while it was read");
            write_all(out, buf, static_cast<size_t>(n));
            left -= static_cast<unsigned long long>(n);
        }
        pad(out, h.size);
    } else if (S_ISDIR(st.st_mode)) {
        UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) throw_errno("open `" + as + "`");
        h.type = '5';
        h.name = as.empty() || as.back() == '/' ? as : as + "/";
        put_header(out, h);
        DIR* d = ::fdopendir(::dup(fd.get()));
        if (!d) throw_errno("opendir `" + as + "`");
        std::vector<std::string> names;
        while (auto* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) write_entry(fd.get(), n, h.name + n, out);
    }
    // sockets, fifos and devices are left out, as by copy_tree_at
}

// --- reading -------------------------------------------------------------------------------------

bool read_full(int fd, char* p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw_errno("read the archive");
        if (r == 0) return got == 0 ? false : throw Error("the archive ends in the middle of an entry");
        got += static_cast<size_t>(r);
    }
    return true;
}

unsigned long long parse_octal(const char* p, size_t n) {
    unsigned long long v = 0;
    for (size_t i = 0; i < n && p[i]; ++i)
        if (p[i] >= '0' && p[i] <= '7') v = v * 8 + static_cast<unsigned long long>(p[i] - '0');
    return v;
}

std::string field(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

std::string read_data(int in, unsigned long long size) {
    if (size > (64ULL << 20)) throw Error("a tar extension record of " + std::to_string(size) + " bytes");
    std::string s(static_cast<size_t>((size + kBlock - 1) / kBlock * kBlock), '\0');
    if (!s.empty() && !read_full(in, s.data(), s.size())) throw Error("the archive ends in the middle of an entry");
    s.resize(static_cast<size_t>(size));
    return s;
}

std::map<std::string, std::string> parse_pax(const std::string& data) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < data.size()) {
        size_t sp = data.find(' ', pos);
        if (sp == std::string::npos) break;
        size_t len = std::strtoul(data.c_str() + pos, nullptr, 10);
        if (len == 0 || pos + len > data.size()) break;
        std::string rec = data.substr(sp + 1, pos + len - sp - 2);
        size_t eq = rec.find('=');
        if (eq != std::string::npos) out[rec.substr(0, eq)] = rec.substr(eq + 1);
        pos += len;
    }
    return out;
}

int open_in(int root, const std::string& rel, int flags, mode_t mode = 0) {
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = mode;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, root, rel.empty() ? "." : rel.c_str(), &how, sizeof how));
}

// The parent directory of `rel` (resolved under root) and the last component.
UniqueFd parent_of(int root, const std::string& rel, std::string& last) {
    size_t slash = rel.rfind('/');
    last = slash == std::string::npos ? rel : rel.substr(slash + 1);
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
    UniqueFd fd(open_in(root, parent, O_PATH | O_DIRECTORY));
    if (!fd && errno == ENOENT) {
        // A tar may name a file before (or without) its directories: they are made 0755, as
        // tar does, one component at a time and each resolved under the root again.
        size_t pos = 0;
        while (pos <= parent.size()) {
            size_t next = parent.find('/', pos);
            if (next == std::string::npos) next = parent.size();
            std::string upto = parent.substr(0, next), name = parent.substr(pos, next - pos);
            size_t cut = upto.rfind('/');
            UniqueFd up(open_in(root, cut == std::string::npos ? "" : upto.substr(0, cut), O_PATH | O_DIRECTORY));
            if (!up) throw_errno("open `" + upto + "` in the container");
            if (!name.empty() && ::mkdirat(up.get(), name.c_str(), 0755) < 0 && errno != EEXIST)
                throw_errno("mkdir `" + upto + "` in the container");
            pos = next + 1;
        }
        fd = UniqueFd(open_in(root, parent, O_PATH | O_DIRECTORY));
    }
    if (!fd) throw_errno("open `" + (parent.empty() ? "." : parent) + "` in the container");
    return fd;
}

void clear_slot(int dir, const std::string& name, bool keep_dir) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return;
    if (S_ISDIR(st.st_mode)) {
        if (keep_dir) return;
        throw Error("cannot overwrite the directory " + name + " with a non-directory");
    }
    if (::unlinkat(dir, name.c_str(), 0) < 0) throw_errno("replace `" + name + "`");
}

std::string under(const std::string& base, const std::string& rel) { return base.empty() ? rel : base + "/" + rel; }

void extract_entry(int in, int root, const std::string& base, const Header& h) {
    std::string name = clean_tar_name(h.name);
    if (name.empty()) return;  // the directory itself
    std::string rel = under(base, name);
    std::string last;
    UniqueFd dir = parent_of(root, rel, last);
    switch (h.type) {
    case '5':
        clear_slot(dir.get(), last, true);
        if (::mkdirat(dir.get(), last.c_str(), h.mode & 07777) < 0 && errno != EEXIST) throw_errno("mkdir `" + rel + "`");
        return;
    case '2':
        clear_slot(dir.get(), last, false);
        if (::symlinkat(h.link.c_str(), dir.get(), last.c_str()) < 0) throw_errno("symlink `" + rel + "`");
        return;
    case '1': {
        std::string target_last;
        std::string target = under(base, clean_tar_name(h.link));
        UniqueFd tdir = parent_of(root, target, target_last);
        clear_slot(dir.get(), last, false);
        if (::linkat(tdir.get(), target_last.c_str(), dir.get(), last.c_str(), 0) < 0) throw_errno("link `" + rel + "`");
        return;
    }
    case '0':
    case '\0':
    case '7': {
        clear_slot(dir.get(), last, false);
        UniqueFd fd(::openat(dir.get(), last.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, h.mode & 07777));
        if (!fd) throw_errno("create `" + rel + "`");
        char buf[65536];
        unsigned long long left = h.size;
        while (left > 0) {
            size_t want = static_cast<size_t>(std::min<unsigned long long>(sizeof buf, (left + kBlock - 1) / kBlock * kBlock));
            if (!read_full(in, buf, want)) throw Error("the archive ends in the middle of " + rel);
            size_t use = static_cast<size_t>(std::min<unsigned long long>(want, left));
            write_all(fd.get(), buf, use);
            left -= use;
        }
        ::fchmod(fd.get(), h.mode & 07777);
        return;
    }
    default:
        return;  // devices, fifos: skipped
    }
}

}  // namespace

std::string clean_tar_name(const std::string& name) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= name.size()) {
        size_t slash = name.find('/', pos);
        std::string c = name.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        pos = slash == std::string::npos ? name.size() + 1 : slash + 1;
        if (c.empty() || c == ".") continue;
        if (c == "..") throw Error("refusing the archive entry \"" + name + "\": it leads out of the destination");
        parts.push_back(c);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
    return out;
}

void write_tar(int dir, const std::string& name, const std::string& as, int out) {
    write_entry(dir, name, as, out);
    static const char zeros[2 * kBlock] = {};
    write_all(out, zeros, sizeof zeros);
}

void write_tar_contents(int dir, int out) {
    DIR* d = ::fdopendir(::dup(dir));
    if (!d) throw_errno("opendir");
    std::vector<std::string> names;
    while (auto* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) write_entry(dir, n, n, out);
    static const char zeros[2 * kBlock] = {};
    write_all(out, zeros, sizeof zeros);
}

void extract_tar(int in, int root, const std::string& base_dir) {
    std::string base = clean_tar_name(base_dir);
    std::map<std::string, std::string> pax;
    std::string long_name, long_link;
    char b[kBlock];
    while (read_full(in, b, kBlock)) {
        if (std::all_of(b, b + kBlock, [](char c) { return c == 0; })) return;  // end of archive
        Header h;
        h.type = b[156];
        h.size = parse_octal(b + 124, 12);
        h.mode = static_cast<mode_t>(parse_octal(b + 100, 8));
        std::string prefix = std::memcmp(b + 257, "ustar", 5) == 0 ? field(b + 345, 155) : "";
        h.name = prefix.empty() ? field(b, 100) : prefix + "/" + field(b, 100);
        h.link = field(b + 157, 100);
        if (h.type == 'x' || h.type == 'g' || h.type == 'L' || h.type == 'K') {
            std::string data = read_data(in, h.size);
            if (h.type == 'x') pax = parse_pax(data);
            else if (h.type == 'L') long_name = data.c_str();
            else if (h.type == 'K') long_link = data.c_str();
            continue;
        }
        if (!long_name.empty()) h.name = long_name;
        if (!long_link.empty()) h.link = long_link;
        if (pax.count("path")) h.name = pax["path"];
        if (pax.count("linkpath")) h.link = pax["linkpath"];
        if (pax.count("size")) h.size = std::stoull(pax["size"]);
        pax.clear(), long_name.clear(), long_link.clear();
        if (h.type != '0' && h.type != '\0' && h.type != '7' && h.size > 0) {
            (void)read_data(in, h.size);  // data of an entry we do not write
            if (h.type != '1') continue;
        }
        extract_entry(in, root, base, h);
    }
}

}  // namespace burrow::commands
