#include "src/cli/options.hpp"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace burrow::cli {

std::optional<bool> parse_go_bool(const std::string& s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    return std::nullopt;
}

static std::optional<long long> parse_go_int(const std::string& s) {
    if (s.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 0);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return v;
}

void ParsedFlags::declare(const FlagSpec& spec) { specs_.push_back(spec); }

const FlagSpec* ParsedFlags::find_long(const std::string& name) const {
    for (const auto& s : specs_)
        if (s.name == name) return &s;
    return nullptr;
}

const FlagSpec* ParsedFlags::find_short(char c) const {
    for (const auto& s : specs_)
        if (s.shorthand == c) return &s;
    return nullptr;
}

const FlagSpec& ParsedFlags::spec(const std::string& name) const {
    const FlagSpec* s = find_long(name);
    if (!s) throw std::logic_error("flag --" + name + " is not declared for this command");
    return *s;
}

static std::string flag_display(const FlagSpec& s) {
    if (s.shorthand) return std::string("-") + s.shorthand + ", --" + s.name;
    return "--" + s.name;
}

void ParsedFlags::set(const std::string& name, const std::string& value) {
    const FlagSpec& s = spec(name);
    auto invalid = [&](const std::string& why) {
        return FlagError("invalid argument \"" + value + "\" for \"" + flag_display(s) + "\" flag: " + why);
    };
    switch (s.type) {
    case FlagType::Bool:
        if (!parse_go_bool(value)) throw invalid("strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
        values_[name] = {value};
        break;
    case FlagType::Int:
        if (!parse_go_int(value)) throw invalid("strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
        values_[name] = {value};
        break;
    case FlagType::Uint:
        if (value.empty() || value[0] == '-' || !parse_go_int(value))
            throw invalid("strconv.ParseUint: parsing \"" + value + "\": invalid syntax");
        values_[name] = {value};
        break;
    case FlagType::Count: {
        if (value == "+1") {  // one more use without a value
            long long n = values_.count(name) ? parse_go_int(values_[name].back()).value_or(0) : 0;
            values_[name] = {std::to_string(n + 1)};
        } else if (!parse_go_int(value)) {
            throw invalid("strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
        } else {
            values_[name] = {value};
        }
        break;
    }
    case FlagType::String: values_[name] = {value}; break;
    case FlagType::StringList:
    case FlagType::StringSlice: values_[name].push_back(value); break;
    }
}

bool ParsedFlags::changed(const std::string& name) const {
    spec(name);
    return values_.count(name) != 0;
}

bool ParsedFlags::get_bool(const std::string& name) const {
    const FlagSpec& s = spec(name);
    auto it = values_.find(name);
    const std::string& v = it != values_.end() ? it->second.back() : s.default_value;
    return parse_go_bool(v).value_or(false);
}

std::string ParsedFlags::get_string(const std::string& name) const {
    const FlagSpec& s = spec(name);
    auto it = values_.find(name);
    return it != values_.end() ? it->second.back() : s.default_value;
}

std::vector<std::string> ParsedFlags::get_list(const std::string& name) const {
    const FlagSpec& s = spec(name);
    auto it = values_.find(name);
    if (it == values_.end()) return {};
    if (s.type != FlagType::StringSlice) return it->second;
    std::vector<std::string> out;
    for (const auto& g : it->second) {
        if (g.empty()) continue;  // pflag: "--filter=" adds nothing
        size_t pos = 0;
        for (size_t comma; (comma = g.find(',', pos)) != std::string::npos; pos = comma + 1) out.push_back(g.substr(pos, comma - pos));
        out.push_back(g.substr(pos));
    }
    return out;
}

long long ParsedFlags::get_int(const std::string& name) const {
    const FlagSpec& s = spec(name);
    auto it = values_.find(name);
    return parse_go_int(it != values_.end() ? it->second.back() : s.default_value).value_or(0);
}

namespace {

// One "--name[=value]" argument; may consume the next argument as its value.
void parse_long(ParsedFlags& flags, const std::vector<std::string>& argv, size_t& i) {
    const std::string& arg = argv[i];
    std::string body = arg.substr(2);
    if (body.empty() || body[0] == '-' || body[0] == '=') throw FlagError("bad flag syntax: " + arg);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    const FlagSpec* s = flags.find_long(name);
    if (!s) throw FlagError("unknown flag: --" + name);
    if (eq != std::string::npos) {
        flags.set(name, body.substr(eq + 1));
    } else if (takes_no_value(s->type)) {
        flags.set(name, s->type == FlagType::Bool ? "true" : "+1");
    } else if (i + 1 < argv.size()) {
        flags.set(name, argv[++i]);
    } else {
        throw FlagError("flag needs an argument: " + arg);
    }
}

// "-abc", "-fvalue", "-f value", "-f=value".
void parse_shorts(ParsedFlags& flags, const std::vector<std::string>& argv, size_t& i) {
    const std::string arg = argv[i];
    for (size_t k = 1; k < arg.size(); ++k) {
        char c = arg[k];
        const FlagSpec* s = flags.find_short(c);
        if (!s) throw FlagError(std::string("unknown shorthand flag: '") + c + "' in " + arg);
        if (k + 1 < arg.size() && arg[k + 1] == '=') {
            flags.set(s->name, arg.substr(k + 2));
            return;
        }
        if (takes_no_value(s->type)) {
            flags.set(s->name, s->type == FlagType::Bool ? "true" : "+1");
            continue;
        }
        if (k + 1 < arg.size()) {
            flags.set(s->name, arg.substr(k + 1));
        } else if (i + 1 < argv.size()) {
            flags.set(s->name, argv[++i]);
        } else {
            throw FlagError(std::string("flag needs an argument: '") + c + "' in -" + c);
        }
        return;
    }
}

}  // namespace

ParseResult parse_flags(const std::vector<FlagSpec>& specs, const std::vector<std::string>& argv, bool interspersed) {
    ParseResult r;
    for (const auto& s : specs) r.flags.declare(s);
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--") {
            r.dashdash = true;
            r.args.insert(r.args.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        if (a.size() < 2 || a[0] != '-') {
            if (!interspersed) {
                r.args.insert(r.args.end(), argv.begin() + static_cast<long>(i), argv.end());
                break;
            }
            r.args.push_back(a);
            continue;
        }
        if (a[1] == '-') parse_long(r.flags, argv, i);
        else parse_shorts(r.flags, argv, i);
    }
    return r;
}

}  // namespace burrow::cli
