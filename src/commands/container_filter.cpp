// Podman's container filters (pkg/domain/filters/containers.go in Podman 4.3 for the keys and texts).
#include "src/commands/container_filter.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <regex>

#include "base/error.hpp"

namespace burrow::commands {

using storage::Status;

namespace {

// Podman's restart policies ("none" in a filter means no policy); the unknown ones named together.
void check_restart_policies(const ContainerFilters& f) {
    auto it = f.find("restart-policy");
    if (it == f.end()) return;
    static const std::vector<std::string> known = {"", "none", "no", "on-failure", "always", "unless-stopped"};
    std::vector<std::string> bad;
    for (const auto& p : it->second)
        if (std::find(known.begin(), known.end(), p) == known.end()) bad.push_back(p);
    if (bad.empty()) return;
    std::string names;
    for (const auto& b : bad) names += (names.empty() ? "" : ", ") + b;
    throw Error(names + (bad.size() > 1 ? " invalid restart policies" : " invalid restart policy"));
}

// Go's regexp.MatchString: a match anywhere unless the pattern anchors itself.
bool regex_search(const std::string& pattern, const std::string& s) {
    try {
        return std::regex_search(s, std::regex(pattern));
    } catch (const std::regex_error&) {
        return false;
    }
}
bool regex_full(const std::string& pattern, const std::string& s) {
    try {
        return std::regex_match(s, std::regex(pattern));
    } catch (const std::regex_error&) {
        return false;
    }
}

}  // namespace

ContainerFilters parse_container_filters(const std::vector<std::string>& raw) {
    static const std::vector<std::string> known = {"id",     "name",  "status", "label",
                                                   "ancestor", "exited", "before", "since", "restart-policy"};
    static const std::vector<std::string> states = {"created", "running", "paused", "stopping", "exited",
                                                    "unknown", "removing", "configured", "stopped"};
    ContainerFilters f;
    for (const auto& r : raw) {
        size_t eq = r.find('=');
        if (eq == std::string::npos) throw Error("invalid filter \"" + r + "\"");
        std::string key = r.substr(0, eq), value = r.substr(eq + 1);
        if (std::find(known.begin(), known.end(), key) == known.end()) throw Error(key + " is an invalid filter");
        if (key == "status" && std::find(states.begin(), states.end(), value) == states.end())
            throw Error("unknown container state: " + value + ": invalid argument");
        if (key == "exited") {
            char* end = nullptr;
            errno = 0;
            std::strtol(value.c_str(), &end, 10);
            if (value.empty() || *end || errno)
                throw Error("exited code out of range \"" + value + "\": strconv.ParseInt: parsing \"" + value +
                            "\": invalid syntax");
        }
        f[key].push_back(value);
    }
    check_restart_policies(f);
    return f;
}

namespace {

bool status_matches(const std::string& want, Status s) {
    if (want == "configured") return s == Status::created;
    if (want == "stopped") return s == Status::exited;
    return storage::status_name(s) == want;
}

bool ancestor_matches(const std::string& want, const storage::ContainerConfig& c) {
    if (c.image_id == want) return true;
    std::string name = c.image_name.empty() ? c.raw_image_name : c.image_name;
    if (regex_full(want, name)) return true;
    auto colon = name.rfind(':');
    auto slash = name.rfind('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash) &&
        name.substr(colon + 1) == "latest")
        return regex_full(want, name.substr(0, colon));
    return false;
}

// The creation time of the container `ref` names, for before=/since=.
int64_t created_of(const std::vector<ContainerView>& all, const std::string& ref) {
    for (const auto& v : all)
        if (v.cfg.id == ref || v.cfg.name == ref) return v.cfg.created;
    for (const auto& v : all)
        if (v.cfg.id.rfind(ref, 0) == 0) return v.cfg.created;
    throw Error("no container with name or ID \"" + ref + "\" found: no such container");
}

bool label_matches(const std::string& val, const std::map<std::string, std::string>& labels) {
    size_t eq = val.find('=');
    auto it = labels.find(val.substr(0, eq));
    return it != labels.end() && (eq == std::string::npos || it->second == val.substr(eq + 1));
}

bool restart_policy_matches(const std::string& want, const storage::ContainerConfig& c) {
    return c.restart_policy == want || (want == "none" && c.restart_policy.empty());
}

}  // namespace

bool filter_matches(const ContainerView& v, const ContainerFilters& filters, const std::vector<ContainerView>& all) {
    for (const auto& [key, values] : filters) {
        // Podman ORs the values of one filter, except labels: a container must carry them all.
        if (key == "label") {
            for (const auto& val : values)
                if (!label_matches(val, v.cfg.labels)) return false;
            continue;
        }
        bool any = false;
        for (const auto& val : values) {
            if (key == "id") any = v.cfg.id.rfind(val, 0) == 0;
            else if (key == "name") any = regex_search(val, v.cfg.name);
            else if (key == "status") any = status_matches(val, v.st.status);
            else if (key == "ancestor") any = ancestor_matches(val, v.cfg);
            else if (key == "exited") any = v.st.status == Status::exited && v.st.exit_code == std::stoi(val);
            else if (key == "before") any = v.cfg.created < created_of(all, val);
            else if (key == "since") any = v.cfg.created > created_of(all, val);
            else if (key == "restart-policy") any = restart_policy_matches(val, v.cfg);
            if (any) break;
        }
        if (!any) return false;
    }
    return true;
}


}  // namespace burrow::commands
