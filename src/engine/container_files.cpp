#include "src/engine/container_files.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::engine {

namespace {

// Go's %q for the plain strings these files hold: quotes and backslashes escaped, control
// characters as \xNN.
std::string go_quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

bool is_number(const std::string& s) {
    return !s.empty() && s.size() <= 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether a line of a passwd/group file has `key` as its name (field 0) or its id (field 2).
bool has_entry(const std::optional<std::string>& file, const std::string& key) {
    if (!file) return false;
    for (const auto& line : split(*file, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split(line, ':');
        if (f.empty()) continue;
        if (f[0] == key || (f.size() > 2 && is_number(key) && f[2] == key)) return true;
    }
    return false;
}

std::optional<uint32_t> group_gid(const std::optional<std::string>& file, const std::string& name) {
    if (!file) return std::nullopt;
    for (const auto& line : split(*file, '\n')) {
        auto f = split(line, ':');
        if (f.size() > 2 && f[0] == name && is_number(f[2])) return static_cast<uint32_t>(std::stoul(f[2]));
    }
    return std::nullopt;
}

bool mount_covers(const std::vector<std::string>& dests, std::string dir) {
    while (!dir.empty() && dir != "/") {
        if (std::find(dests.begin(), dests.end(), dir) != dests.end()) return true;
        auto slash = dir.rfind('/');
        dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
    }
    return false;
}

}  // namespace

std::string containerenv_content(const ContainerEnvInput& in) {
    if (!in.privileged) return "";
    return "engine=" + go_quote(in.engine) + "\nname=" + go_quote(in.name) + "\nid=" + go_quote(in.id) +
           "\nimage=" + go_quote(in.image) + "\nimageid=" + go_quote(in.image_id) +
           "\nrootless=" + (in.rootless ? "1" : "0") + "\n";
}

PasswdPlan plan_passwd(const PasswdInput& in) {
    PasswdPlan plan;
    auto line = [&](const std::string& name, const std::string& uid, const std::string& gid, const std::string& gecos,
                    const std::string& home) {
        if (in.entry_template.empty()) return name + ":*:" + uid + ":" + gid + ":" + gecos + ":" + home + ":/bin/sh\n";
        std::string s = in.entry_template;
        for (auto [key, value] : {std::pair<const char*, const std::string*>{"$USERNAME", &name}, {"$UID", &uid},
                                  {"$GID", &gid}, {"$NAME", &gecos}, {"$HOME", &home}}) {
            std::string k = key;
            for (size_t pos = s.find(k); pos != std::string::npos; pos = s.find(k, pos + value->size()))
                s.replace(pos, k.size(), *value);
        }
        return s + "\n";
    };
    auto add_account = [&](const HostAccount& u) {
        if (has_entry(in.passwd, u.name) || has_entry(in.passwd, std::to_string(u.uid))) return false;
        std::string home = mount_covers(in.mount_destinations, u.home) ? u.home : in.workdir;
        if (!in.env_has_home && !plan.home) plan.home = home;
        plan.passwd_lines += line(u.name, std::to_string(u.uid), std::to_string(u.gid), u.gecos, home);
        return true;
    };
    for (const auto& u : in.host_users) add_account(u);
    uint32_t added_uid = 0, added_gid = 0;
    if (in.current_user && in.current_user->uid != 0) {
        add_account(*in.current_user);
        added_uid = in.current_user->uid;
    }
    if (in.current_group && in.current_group->gid != 0) {
        const HostGroup& g = *in.current_group;
        if (!has_entry(in.group, g.name) && !has_entry(in.group, std::to_string(g.gid))) {
            plan.group_lines += g.name + ":x:" + std::to_string(g.gid) + ":" + (in.current_user ? in.current_user->name : "") + "\n";
            added_gid = g.gid;
        }
    }
    if (in.user.empty()) return plan;
    // A numeric --user that the image does not know gets a line of its own.
    auto colon = in.user.find(':');
    std::string user = in.user.substr(0, colon);
    std::string group = colon == std::string::npos ? "" : in.user.substr(colon + 1);
    if (is_number(user) && !(added_uid != 0 && std::to_string(added_uid) == user) && !has_entry(in.passwd, user)) {
        uint32_t gid = 0;
        if (is_number(group)) {
            gid = static_cast<uint32_t>(std::stoul(group));
        } else if (!group.empty()) {
            auto g = group_gid(in.group, group);
            if (!g) throw Error("unable to get gid " + group + " from group file: no matching entries in group file", 126);
            gid = *g;
        }
        plan.passwd_lines += line(user, user, std::to_string(gid), "container user", in.workdir);
    }
    // ... and a numeric group that /etc/group lacks, named after it.
    std::string gspec = group.empty() ? user : group;
    if (is_number(gspec) && !(added_gid != 0 && std::to_string(added_gid) == gspec) && !has_entry(in.group, gspec))
        plan.group_lines += gspec + ":x:" + gspec + ":" + user + "\n";
    return plan;
}

std::vector<std::string> process_env(std::vector<std::string> env, bool tty, const std::string& home) {
    auto has = [&](const std::string& key) {
        return std::any_of(env.begin(), env.end(), [&](const std::string& e) {
            return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
        });
    };
    if (tty && !has("TERM")) env.push_back("TERM=xterm");
    if (!has("HOME")) env.push_back("HOME=" + (home.empty() ? std::string("/") : home));
    return env;
}

std::vector<std::string> exec_env(const std::vector<std::string>& container_env, bool tty,
                                  const std::vector<std::string>& file_lines, const std::vector<std::string>& env,
                                  const std::function<std::optional<std::string>(const std::string&)>& lookup) {
    std::vector<std::pair<std::string, std::string>> kv;
    auto set = [&](const std::string& k, const std::string& v) {
        for (auto& p : kv)
            if (p.first == k) {
                p.second = v;
                return;
            }
        kv.emplace_back(k, v);
    };
    auto add = [&](const std::string& e) {
        auto eq = e.find('=');
        if (eq == std::string::npos) {
            if (auto v = lookup(e)) set(e, *v);
            return;
        }
        set(e.substr(0, eq), e.substr(eq + 1));
    };
    for (const auto& e : container_env) add(e);
    if (tty) set("TERM", "xterm");
    for (const auto& line : file_lines) add(line);
    for (const auto& e : env) add(e);
    std::vector<std::string> out;
    for (auto& [k, v] : kv) out.push_back(k + "=" + v);
    return out;
}

}  // namespace burrow::engine
