#include "src/output/yaml.hpp"

#include "base/strings.hpp"

#include <cctype>
#include <cstdio>

namespace burrow::output {

using json = nlohmann::json;

namespace {

bool looks_special(const std::string& s) {
    static const char* const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* w : words)
        if (lower == w) return true;
    // Anything a YAML reader would take as a number.
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

std::string scalar(const std::string& s, const std::string& indent) {
    if (s.empty()) return "\"\"";
    if (s.find('\n') != std::string::npos) {
        std::string r = s.back() == '\n' ? "|" : "|-";
        size_t start = 0;
        while (start < s.size()) {
            size_t nl = s.find('\n', start);
            std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
            r += '\n';
            if (!line.empty()) {
                r += indent;
                r += "  ";
                r += line;
            }
            if (nl == std::string::npos) break;
            start = nl + 1;
        }
        return r;
    }
    if (looks_special(s)) return "\"" + s + "\"";
    bool quote = std::string("-?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string::npos || s.front() == ' ' ||
                 s.back() == ' ' || s.find(": ") != std::string::npos || s.find(" #") != std::string::npos ||
                 s.back() == ':';
    if (!quote) return s;
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("''") : std::string(1, c);
    return r + "'";
}

std::string inline_value(const json& v, const std::string& indent) {
    if (v.is_null()) return "null";
    if (v.is_string()) return scalar(v.get<std::string>(), indent);
    if (v.is_object() && v.empty()) return "{}";
    if (v.is_array() && v.empty()) return "[]";
    return v.dump();
}

void emit(const json& v, const std::string& indent, std::string& out);

void emit_entry_value(const json& val, const std::string& indent, std::string& out, bool in_seq) {
    if (val.is_object() && !val.empty()) {
        out += "\n";
        emit(val, indent + "  ", out);
    } else if (val.is_array() && !val.empty()) {
        out += "\n";
        emit(val, in_seq ? indent + "  " : indent, out);
    } else {
        out += ' ';
        out += inline_value(val, indent);
        out += '\n';
    }
}

void emit(const json& v, const std::string& indent, std::string& out) {
    if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            out += indent + scalar(it.key(), indent) + ":";
            emit_entry_value(it.value(), indent, out, false);
        }
    } else if (v.is_array()) {
        for (const auto& e : v) {
            if (e.is_object() && !e.empty()) {
                std::string sub;
                emit(e, indent + "  ", sub);
                out += indent + "- " + sub.substr(indent.size() + 2);
            } else if (e.is_array() && !e.empty()) {
                out += indent + "-\n";
                emit(e, indent + "  ", out);
            } else {
                out += indent + "- " + inline_value(e, indent) + "\n";
            }
        }
    } else {
        out += indent + inline_value(v, indent) + "\n";
    }
}

}  // namespace

std::string to_yaml(const json& v) {
    std::string out;
    emit(v, "", out);
    return out;
}

json capitalize_keys(const json& v) {
    if (v.is_object()) {
        json r = json::object();
        for (auto it = v.begin(); it != v.end(); ++it) {
            std::string k = it.key();
            if (!k.empty()) k[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k[0])));
            r[k] = capitalize_keys(it.value());
        }
        return r;
    }
    if (v.is_array()) {
        json r = json::array();
        for (const auto& e : v) r.push_back(capitalize_keys(e));
        return r;
    }
    return v;
}

std::string human_size_compact(double size) { return burrow::human_size(size, 4, ""); }

}  // namespace burrow::output
