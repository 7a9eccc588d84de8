// Go's text/template built-ins and the functions Podman adds (containers/common report):
// json, lower, upper, title, pad, split, join, truncate; and, or, not, eq..ge, len, index, printf, print.
#include "src/output/template_funcs.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "base/strings.hpp"
#include "src/output/go_type.hpp"
#include "src/output/template_ast.hpp"

namespace burrow::output {

namespace {

using json = nlohmann::json;
using tmpl::FuncError;
using tmpl::Val;

// name -> {minimum, maximum (-1: any)} argument count, a piped value included.
const std::map<std::string, std::pair<int, int>>& funcs() {
    static const std::map<std::string, std::pair<int, int>> f = {
        {"json", {1, 1}},  {"lower", {1, 1}},   {"upper", {1, 1}},  {"title", {1, 1}},   {"len", {1, 1}},
        {"not", {1, 1}},   {"join", {2, 2}},    {"truncate", {2, 2}}, {"split", {2, 2}}, {"pad", {3, 3}},
        {"index", {1, -1}}, {"printf", {1, -1}}, {"and", {1, -1}},  {"or", {1, -1}},     {"eq", {1, -1}},
        {"ne", {2, 2}},    {"lt", {2, 2}},      {"le", {2, 2}},     {"gt", {2, 2}},      {"ge", {2, 2}},
        {"print", {0, -1}}, {"println", {0, -1}}};
    return f;
}

std::string str(const Val& v) { return v.v.is_string() ? v.v.get<std::string>() : tmpl::print(v, false); }

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// strings.Title: the first letter of each word; words are separated by anything but letters,
// digits, '_' and '\''.
std::string title(std::string s) {
    bool start = true;
    for (auto& c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (start && std::isalpha(u)) c = static_cast<char>(std::toupper(u));
        start = !(std::isalnum(u) || c == '_' || c == '\'' || u >= 0x80);
    }
    return s;
}

// The basic kind of a value for comparisons: 'i'nt, 'f'loat, 's'tring, 'b'ool, or 0 (other).
char kind(const json& v) {
    if (v.is_number_integer() || v.is_number_unsigned()) return 'i';
    if (v.is_number_float()) return 'f';
    if (v.is_string()) return 's';
    if (v.is_boolean()) return 'b';
    return 0;
}

// -1, 0, 1; throws Go's error for values of different or uncomparable kinds.
int compare(const json& a, const json& b, bool ordered) {
    const char* fn = ordered ? "error calling lt: " : "error calling eq: ";
    char ka = kind(a), kb = kind(b);
    if (!ka || !kb) {
        if (!ordered && (a.is_null() || b.is_null())) return a == b ? 0 : 1;
        throw FuncError(std::string(fn) + "invalid type for comparison");
    }
    bool num_a = ka == 'i' || ka == 'f', num_b = kb == 'i' || kb == 'f';
    if (ka != kb && !(num_a && num_b)) throw FuncError(std::string(fn) + "incompatible types for comparison");
    if (ka == 'b') {
        if (ordered) throw FuncError(std::string(fn) + "invalid type for comparison");
        return a.get<bool>() == b.get<bool>() ? 0 : 1;
    }
    if (ka == 's') {
        const auto& x = a.get_ref<const std::string&>();
        const auto& y = b.get_ref<const std::string&>();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (ka == 'i' && kb == 'i') {
        long long p = a.get<long long>(), q = b.get<long long>();
        return p < q ? -1 : p > q ? 1 : 0;
    }
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
}

std::string pad_to(std::string s, long width, bool left, char fill) {
    if (width > 0 && s.size() < static_cast<size_t>(width)) {
        std::string p(static_cast<size_t>(width) - s.size(), fill);
        if (left) s += std::string(p.size(), ' ');
        else if (fill == '0' && !s.empty() && (s[0] == '-' || s[0] == '+')) s = s[0] + p + s.substr(1);
        else s = p + s;
    }
    return s;
}

// One fmt verb: flags "-", "+", "0", " ", width and precision; no fixed-size buffer.
std::string format_verb(char verb, const std::string& flags, long width, long prec, const Val& v) {
    bool left = flags.find('-') != std::string::npos;
    char fill = flags.find('0') != std::string::npos && !left ? '0' : ' ';
    const json& j = v.v;
    std::string s;
    switch (verb) {
    case 'd':
        if (kind(j) != 'i') return "%!d(" + tmpl::go_type_name(j) + "=" + str(v) + ")";
        s = std::to_string(j.get<long long>());
        if (flags.find('+') != std::string::npos && j.get<long long>() >= 0) s = "+" + s;
        return pad_to(s, width, left, fill);
    case 'x':
    case 'X': {
        if (kind(j) == 'i') {
            char buf[32];
            std::snprintf(buf, sizeof buf, verb == 'x' ? "%llx" : "%llX", j.get<long long>());
            s = buf;
        } else {
            static const char* hex = "0123456789abcdef";
            for (unsigned char c : str(v)) s += {hex[c >> 4], hex[c & 15]};
            if (verb == 'X') s = upper(s);
        }
        return pad_to(s, width, left, fill);
    }
    case 'f':
    case 'g':
    case 'e': {
        if (!j.is_number()) return std::string("%!") + verb + "(" + tmpl::go_type_name(j) + "=" + str(v) + ")";
        std::string f = "%." + std::to_string(prec < 0 ? 6 : prec) + verb;
        if (verb == 'g' && prec < 0) f = "%g";
        int n = std::snprintf(nullptr, 0, f.c_str(), j.get<double>());
        s.resize(static_cast<size_t>(n) + 1);
        std::snprintf(s.data(), s.size(), f.c_str(), j.get<double>());
        s.resize(static_cast<size_t>(n));
        return pad_to(s, width, left, fill);
    }
    case 'q': s = json(str(v)).dump(); break;
    case 't':
        if (!j.is_boolean()) return "%!t(" + tmpl::go_type_name(j) + "=" + str(v) + ")";
        s = j.get<bool>() ? "true" : "false";
        break;
    case 's':
    case 'v': s = str(v); break;
    default: return std::string("%!") + verb + "(" + tmpl::go_type_name(j) + "=" + str(v) + ")";
    }
    if (prec >= 0 && (verb == 's' || verb == 'v') && s.size() > static_cast<size_t>(prec)) s.resize(static_cast<size_t>(prec));
    return pad_to(s, width, left, ' ');
}

std::string printf_impl(const std::vector<Val>& a) {
    std::string fmt = str(a[0]), out;
    size_t argi = 1;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        ++i;
        std::string flags;
        while (i < fmt.size() && std::strchr("-+ 0#", fmt[i])) flags += fmt[i++];
        long width = -1, prec = -1;
        if (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) {
            width = 0;
            while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) width = width * 10 + (fmt[i++] - '0');
        }
        if (i < fmt.size() && fmt[i] == '.') {
            prec = 0;
            ++i;
            while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) prec = prec * 10 + (fmt[i++] - '0');
        }
        if (i >= fmt.size()) {
            out += "%!(NOVERB)";
            break;
        }
        char verb = fmt[i];
        if (verb == '%') {
            out += '%';
            continue;
        }
        if (argi >= a.size()) {
            out += std::string("%!") + verb + "(MISSING)";
            continue;
        }
        out += format_verb(verb, flags, width, prec, a[argi++]);
    }
    if (argi < a.size()) {
        out += "%!(EXTRA ";
        for (size_t k = argi; k < a.size(); ++k)
            out += (k > argi ? ", " : "") + tmpl::go_type_name(a[k].v) + "=" + str(a[k]);
        out += ")";
    }
    return out;
}

// fmt.Sprint: a space between operands when neither is a string.
std::string sprint(const std::vector<Val>& a, bool ln) {
    std::string out;
    for (size_t k = 0; k < a.size(); ++k) {
        if (k > 0 && (ln || (!a[k].v.is_string() && !a[k - 1].v.is_string()))) out += ' ';
        out += str(a[k]);
    }
    return ln ? out + "\n" : out;
}

Val index_impl(const std::vector<Val>& a) {
    Val v = a[0];
    for (size_t k = 1; k < a.size(); ++k) {
        const GoType* elem = v.t && (v.t->kind == GoType::Slice || v.t->kind == GoType::Map) ? v.t->elem : nullptr;
        if (v.v.is_object() && (!v.t || v.t->kind == GoType::Map)) {
            auto it = v.v.find(str(a[k]));
            v = it == v.v.end() ? Val{elem ? json(elem->kind == GoType::String ? json("") : json(nullptr)) : json(""), elem}
                                : Val{*it, elem};
        } else if (v.v.is_array() && kind(a[k].v) == 'i') {
            auto n = a[k].v.get<long long>();
            if (n < 0 || static_cast<size_t>(n) >= v.v.size())
                throw FuncError("error calling index: index out of range: " + std::to_string(n));
            v = Val{v.v[static_cast<size_t>(n)], elem};
        } else if (v.v.is_null() || v.v.is_discarded()) {
            v = Val{"", nullptr};
        } else {
            throw FuncError("error calling index: cannot index slice/array with type " + tmpl::go_type_name(a[k].v));
        }
    }
    return v;
}

}  // namespace

bool is_template_func(const std::string& name) { return funcs().count(name) > 0; }

namespace tmpl {

bool looks_like_struct(const json& v) {
    if (!v.is_object() || v.empty()) return false;
    for (auto it = v.begin(); it != v.end(); ++it)
        if (it.key().empty() || !std::isupper(static_cast<unsigned char>(it.key()[0]))) return false;
    return true;
}

std::string go_type_name(const json& v) {
    if (v.is_string()) return "string";
    if (v.is_boolean()) return "bool";
    if (v.is_number_integer() || v.is_number_unsigned()) return "int64";
    if (v.is_number_float()) return "float64";
    if (v.is_array()) return "[]interface {}";
    return "interface {}";
}

bool truthy(const Val& val) {
    const json& v = val.v;
    if (val.t && val.t->kind == GoType::Struct) return !v.is_null() && !v.is_discarded();
    switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded: return false;
    case json::value_t::boolean: return v.get<bool>();
    case json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object: return !v.empty();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return v.get<long long>() != 0;
    case json::value_t::number_float: return v.get<double>() != 0.0;
    default: return true;
    }
}

std::string print(const Val& val, bool top) {
    const json& v = val.v;
    const GoType* t = val.t;
    if (v.is_discarded()) return "<no value>";
    if (t && t->kind == GoType::Struct) {
        if (!v.is_object()) return "<nil>";
        std::string r = top && !t->name.empty() && t->name[0] == '*' ? "&{" : "{";
        for (size_t i = 0; i < t->fields.size(); ++i) {
            const GoField& f = t->fields[i];
            auto it = v.find(f.key);
            if (i) r += ' ';
            r += it == v.end() ? (f.type && f.type->kind == GoType::String ? "" : f.type && f.type->kind == GoType::Slice ? "[]"
                                  : f.type && f.type->kind == GoType::Map ? "map[]" : "<nil>")
                               : print(Val{*it, f.type}, false);
        }
        return r + "}";
    }
    const GoType* elem = t && (t->kind == GoType::Slice || t->kind == GoType::Map) ? t->elem : nullptr;
    switch (v.type()) {
    case json::value_t::null:
        return t && t->kind == GoType::Slice ? "[]" : t && t->kind == GoType::Map ? "map[]" : "<nil>";
    case json::value_t::string: return v.get<std::string>();
    case json::value_t::array: {
        std::string r = "[";
        bool first = true;
        for (const auto& e : v) {
            if (!first) r += ' ';
            first = false;
            r += print(Val{e, elem}, false);
        }
        return r + "]";
    }
    case json::value_t::object: {
        bool st = !t && looks_like_struct(v);
        std::string r = st ? "{" : "map[";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) r += ' ';
            first = false;
            r += st ? print(Val{it.value(), nullptr}, false) : it.key() + ":" + print(Val{it.value(), elem}, false);
        }
        return r + (st ? "}" : "]");
    }
    default: return v.dump();
    }
}

Val call_func(const std::string& f, const std::vector<Val>& a) {
    auto [lo, hi] = funcs().at(f);
    int n = static_cast<int>(a.size());
    if (n < lo || (hi >= 0 && n > hi))
        throw FuncError("wrong number of args for " + f + ": want " + (hi < 0 ? "at least " : "") + std::to_string(lo) +
                        " got " + std::to_string(n));
    if (f == "json") return {a[0].v.is_discarded() ? json("null") : json(a[0].v.dump()), nullptr};
    if (f == "lower") return {to_lower(str(a[0])), nullptr};
    if (f == "upper") return {upper(str(a[0])), nullptr};
    if (f == "title") return {title(str(a[0])), nullptr};
    if (f == "not") return {!truthy(a[0]), nullptr};
    if (f == "and" || f == "or") {
        for (size_t k = 0; k + 1 < a.size(); ++k)
            if (truthy(a[k]) == (f == "or")) return a[k];
        return a.back();
    }
    if (f == "len") {
        const json& v = a[0].v;
        if (v.is_string()) return {v.get_ref<const std::string&>().size(), nullptr};
        if (v.is_array() || v.is_object()) return {v.size(), nullptr};
        if (v.is_null()) return {0, nullptr};
        throw FuncError("error calling len: len of type " + go_type_name(v));
    }
    if (f == "join") {
        if (a[0].v.is_null() || a[0].v.is_discarded()) return {"", nullptr};
        if (!a[0].v.is_array()) throw FuncError("wrong type for value; expected []string; got " + go_type_name(a[0].v));
        std::vector<std::string> parts;
        for (const auto& e : a[0].v) parts.push_back(str(Val{e, nullptr}));
        return {join(parts, str(a[1])), nullptr};
    }
    if (f == "split") {
        json r = json::array();
        std::string s = str(a[0]), sep = str(a[1]);
        if (sep.empty()) {
            for (char c : s) r.push_back(std::string(1, c));
        } else {
            size_t b = 0, e;
            while ((e = s.find(sep, b)) != std::string::npos) {
                r.push_back(s.substr(b, e - b));
                b = e + sep.size();
            }
            r.push_back(s.substr(b));
        }
        return {r, go_type("[]string")};
    }
    if (f == "pad") {
        if (kind(a[1].v) != 'i' || kind(a[2].v) != 'i') throw FuncError("wrong type for value; expected int; got string");
        auto pre = std::max(0LL, a[1].v.get<long long>()), post = std::max(0LL, a[2].v.get<long long>());
        return {std::string(static_cast<size_t>(pre), ' ') + str(a[0]) + std::string(static_cast<size_t>(post), ' '), nullptr};
    }
    if (f == "truncate") {
        std::string s = str(a[0]);
        if (kind(a[1].v) != 'i') throw FuncError("wrong type for value; expected int; got " + go_type_name(a[1].v));
        auto len = a[1].v.get<long long>();
        return {len >= 0 && static_cast<size_t>(len) < s.size() ? s.substr(0, static_cast<size_t>(len)) : s, nullptr};
    }
    if (f == "eq") {
        if (n < 2) throw FuncError("error calling eq: missing argument for comparison");
        for (size_t k = 1; k < a.size(); ++k)
            if (compare(a[0].v, a[k].v, false) == 0) return {true, nullptr};
        return {false, nullptr};
    }
    if (f == "ne") return {compare(a[0].v, a[1].v, false) != 0, nullptr};
    if (f == "lt") return {compare(a[0].v, a[1].v, true) < 0, nullptr};
    if (f == "le") return {compare(a[0].v, a[1].v, true) <= 0, nullptr};
    if (f == "gt") return {compare(a[0].v, a[1].v, true) > 0, nullptr};
    if (f == "ge") return {compare(a[0].v, a[1].v, true) >= 0, nullptr};
    if (f == "index") return index_impl(a);
    if (f == "print" || f == "println") return {sprint(a, f == "println"), nullptr};
    return {printf_impl(a), nullptr};
}

}  // namespace tmpl
}  // namespace burrow::output
