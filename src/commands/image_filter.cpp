#include "src/commands/image_filter.hpp"

#include <fnmatch.h>

#include "base/error.hpp"
#include "src/commands/container_view.hpp"

namespace burrow::commands {

using json = nlohmann::json;

namespace {

// Go's path.Match: '*' and '?' stop at '/'.
bool path_match(const std::string& pattern, const std::string& s) {
    return ::fnmatch(pattern.c_str(), s.c_str(), FNM_PATHNAME) == 0;
}

// strconv.ParseBool.
std::optional<bool> parse_go_bool(const std::string& s) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
        if (s == t) return true;
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
        if (s == f) return false;
    return std::nullopt;
}

// The forms of one stored name a reference filter tries, as libimage lists them.
std::vector<std::string> reference_candidates(const std::string& name) {
    std::vector<std::string> c = {name};
    size_t at = name.find('@');
    size_t last_slash = name.rfind('/', at == std::string::npos ? std::string::npos : at);
    size_t colon = name.find(':', last_slash == std::string::npos ? 0 : last_slash);
    size_t cut = at != std::string::npos ? at : colon;  // where the tag or digest starts
    std::string trimmed = name.substr(0, cut);
    size_t first_slash = trimmed.find('/');
    std::string path = first_slash == std::string::npos ? trimmed : trimmed.substr(first_slash + 1);
    c.push_back(path);
    c.push_back(name.substr(last_slash == std::string::npos ? 0 : last_slash + 1));
    if (cut != std::string::npos) {
        std::string tag_or_digest = name.substr(cut);
        c.push_back(trimmed);
        c.push_back(path + tag_or_digest);
        size_t ts = trimmed.rfind('/');
        c.push_back(trimmed.substr(ts == std::string::npos ? 0 : ts + 1));
    }
    return c;
}

const json& labels_of(const ImageView& v) {
    static const json none = json::object();
    auto c = v.config.find("config");
    if (c == v.config.end() || !c->is_object()) return none;
    auto l = c->find("Labels");
    return l != c->end() && l->is_object() ? *l : none;
}

class Compiler {
public:
    explicit Compiler(const ImageFilterEnv& env) : env_(env) {}

    bool boolean(const std::string& key, const std::string& value) {
        if (auto it = seen_.find(key); it != seen_.end() && it->second != value)
            throw Error("specifying \"" + key + "\" filter more than once with different values is not supported");
        seen_[key] = value;
        auto b = parse_go_bool(value);
        // libimage names the key where the value belongs and the value where the key does.
        if (!b)
            throw Error("non-boolean value \"" + key + "\" for " + value + " filter: strconv.ParseBool: parsing \"" +
                        value + "\": invalid syntax");
        return *b;
    }

    int64_t created(const std::string& key, const std::string& value) {
        auto t = env_.created_of(value);
        if (!t)
            throw Error("could not find local image for filter filter \"" + key + "\"=\"" + value + "\": " + value +
                        ": image not known");
        return *t;
    }

    void containers(const std::string& value) {
        if (auto it = seen_.find("containers"); it != seen_.end() && it->second != value)
            throw Error("specifying \"containers\" filter more than once with different values is not supported");
        seen_["containers"] = value;
        // burrow's store has no external containers, so "external" (all users external) means "none".
        if (value != "true" && value != "false" && value != "external")
            throw Error("unsupported value \"" + value + "\" for containers filter");
    }

    const ImageFilterEnv& env() const { return env_; }

private:
    const ImageFilterEnv& env_;
    std::map<std::string, std::string> seen_;
};

}  // namespace

bool image_reference_matches(const std::vector<std::string>& names, const std::string& pattern) {
    for (const auto& n : names)
        for (const auto& c : reference_candidates(n))
            if (path_match(pattern, c)) return true;
    return false;
}

bool image_label_matches(const json& labels, const std::string& filter) {
    size_t eq = filter.find('=');
    std::string key = filter.substr(0, eq), value = eq == std::string::npos ? "" : filter.substr(eq + 1);
    if (!labels.is_object()) return false;
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        std::string lv = it->is_string() ? it->get<std::string>() : it->dump();
        if (!value.empty() && lv != value) continue;
        if (it.key() == key) return true;
        if (key.find('*') != std::string::npos && path_match("*" + key + "*", it.key())) return true;
    }
    return false;
}

bool image_is_child(const storage::ImageRecord& parent, const storage::ImageRecord& child) {
    if (parent.layers.empty() || child.layers.size() != parent.layers.size() + 1) return false;
    return std::equal(parent.layers.begin(), parent.layers.end(), child.layers.begin());
}

ImageFilter ImageFilter::compile(const std::vector<std::string>& filters, const ImageFilterEnv& env) {
    ImageFilter out;
    Compiler cc(env);
    for (const auto& f : filters) {
        bool negate = false;
        size_t op = f.find("!=");
        size_t len = 2;
        if (op != std::string::npos) {
            negate = true;
        } else {
            op = f.find('=');
            len = 1;
            if (op == std::string::npos)
                throw Error("invalid image filter \"" + f + "\": must be in the format \"filter=value or filter!=value\"");
        }
        std::string key = f.substr(0, op), value = f.substr(op + len);
        Pred p;
        if (key == "after" || key == "since") {
            int64_t t = cc.created(key, value);
            key = "since";
            p = [t](const ImageView& v, const ImageFacts&) { return v.created > t; };
        } else if (key == "before") {
            int64_t t = cc.created(key, value);
            p = [t](const ImageView& v, const ImageFacts&) { return v.created < t; };
        } else if (key == "until") {
            auto ns = parse_input_time(value, true, env.now_ns);
            if (!ns) throw Error("failed to parse value as time or duration: \"" + value + "\"");
            int64_t t = *ns / 1000000000;
            p = [t](const ImageView& v, const ImageFacts&) { return v.created < t; };
        } else if (key == "containers") {
            cc.containers(value);
            bool want = value == "true";
            p = [want](const ImageView& v, const ImageFacts&) { return (v.containers > 0) == want; };
        } else if (key == "dangling") {
            bool want = cc.boolean(key, value);
            p = [want](const ImageView& v, const ImageFacts& fa) { return image_dangling(v, fa) == want; };
        } else if (key == "intermediate") {
            bool want = cc.boolean(key, value);
            p = [want](const ImageView& v, const ImageFacts& fa) { return image_intermediate(v, fa) == want; };
        } else if (key == "readonly") {
            bool want = cc.boolean(key, value);
            p = [want](const ImageView&, const ImageFacts&) { return !want; };  // no read-only stores here
        } else if (key == "manifest") {
            bool want = cc.boolean(key, value);
            p = [want](const ImageView&, const ImageFacts&) { return !want; };  // no manifest lists stored
        } else if (key == "id") {
            p = [value](const ImageView& v, const ImageFacts&) { return v.rec.id == value; };
        } else if (key == "label") {
            p = [value](const ImageView& v, const ImageFacts&) { return image_label_matches(labels_of(v), value); };
        } else if (key == "reference") {
            p = [value](const ImageView& v, const ImageFacts&) { return image_reference_matches(v.rec.names, value); };
        } else {
            throw Error("unsupported image filter \"" + key + "\"");
        }
        if (negate) p = [inner = std::move(p)](const ImageView& v, const ImageFacts& fa) { return !inner(v, fa); };
        out.groups_[key].push_back(std::move(p));
    }
    return out;
}

bool ImageFilter::matches(const ImageView& v, const ImageFacts& facts) const {
    for (const auto& [key, preds] : groups_) {
        bool any = false;
        for (const auto& p : preds)
            if (p(v, facts)) {
                any = true;
                break;
            }
        if (!any) return false;
    }
    return true;
}

}  // namespace burrow::commands
