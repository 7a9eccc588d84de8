#include "src/output/format.hpp"

#include <cctype>

#include "base/strings.hpp"
#include "src/output/table.hpp"
#include "src/output/template.hpp"

namespace burrow::output {

using json = nlohmann::json;

bool is_json_format(const std::string& format) {
    std::string f(trim(format));
    if (to_lower(f) == "json") return true;
    if (f.size() < 4 || f.compare(0, 2, "{{") != 0 || f.compare(f.size() - 2, 2, "}}") != 0) return false;
    std::string inner(trim(std::string_view(f).substr(2, f.size() - 4)));
    return inner == "json ." || inner == "json  .";
}

static std::string unescape(const std::string& s) {
    // Podman turns the two-character sequences \t and \n a shell passes through into the characters.
    std::string r;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
            r += s[i + 1] == 't' ? '\t' : '\n';
            ++i;
        } else {
            r += s[i];
        }
    }
    return r;
}

ParsedFormat parse_format(const std::string& format, const std::string& default_table) {
    ParsedFormat p;
    std::string f = format;
    std::string_view t = trim(f);
    if (t.empty() || t == "table") {
        f = default_table;
        p.table = true;
    } else if (t.substr(0, 6) == "table ") {
        // containers/common's table replacer: in a user's "table ..." format every space is a
        // column break, even inside an action ("{{ .A }}" parses the same with tabs).
        f = std::string(t.substr(6));
        for (auto& c : f)
            if (c == ' ') c = '\t';
        p.table = true;
    }
    p.body = unescape(f);
    if (p.body.empty() || p.body.back() != '\n') p.body += '\n';
    return p;
}

json header_row(const std::vector<std::string>& fields, const std::vector<std::pair<std::string, std::string>>& overrides) {
    json h = json::object();
    for (const auto& f : fields) {
        std::string name;
        for (const auto& [k, v] : overrides)
            if (k == f) name = v;
        if (name.empty()) {
            // Split camel case the way Podman's report.Headers does: "CreatedSince" -> "CREATED SINCE".
            for (size_t i = 0; i < f.size(); ++i) {
                unsigned char c = static_cast<unsigned char>(f[i]);
                if (i > 0 && std::isupper(c) && !std::isupper(static_cast<unsigned char>(f[i - 1]))) name += ' ';
                name += static_cast<char>(std::toupper(c));
            }
        }
        h[f] = name;
    }
    return h;
}

std::string render_rows(const ParsedFormat& fmt, const std::vector<json>& rows, const json& headers, bool noheading,
                        const std::string& template_name, const std::string& type_name) {
    Template t(template_name, fmt.body);
    std::string out;
    if (fmt.table && !noheading) {
        // Headers are strings for every field; a field the header row lacks prints as Go would.
        out += Template(template_name, fmt.body).execute(headers);
    }
    for (const auto& r : rows) out += t.execute(r, type_name);
    return fmt.table ? tabwrite(out) : out;
}

static std::string escape_html(const std::string& s);

std::string go_json(const json& v, int indent) { return escape_html(v.dump(indent, ' ', false, json::error_handler_t::replace)); }

std::string go_json(const nlohmann::ordered_json& v, int indent) {
    return escape_html(v.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

static std::string escape_html(const std::string& s) {
    std::string r;
    r.reserve(s.size());
    for (char c : s) {
        if (c == '<') r += "\\u003c";
        else if (c == '>') r += "\\u003e";
        else if (c == '&') r += "\\u0026";
        else r += c;
    }
    return r;
}

}  // namespace burrow::output
