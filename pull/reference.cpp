// Reference grammar after distribution/reference (as containers/image uses it), hand-written so the
// error for each kind of bad input is Podman's.
#include "pull/reference.hpp"

#include <cctype>

#include "base/error.hpp"

namespace burrow::pull {
namespace {

[[noreturn]] void bad_format() { throw Error("invalid reference format"); }

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// path-component: [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool valid_path_component(std::string_view c) {
    if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
    size_t i = 0;
    while (i < c.size()) {
        if (is_lower_alnum(c[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < c.size() && !is_lower_alnum(c[j])) ++j;
        std::string_view sep = c.substr(i, j - i);
        bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
        if (!ok) return false;
        i = j;
    }
    return true;
}

// domain-component ("." domain-component)* (":" port)?  or a bracketed IPv6 address with optional port.
bool valid_domain(std::string_view d) {
    if (d.empty()) return false;
    std::string_view host = d;
    if (d.front() == '[') {
        auto close = d.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        for (char c : d.substr(1, close - 1))
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
        std::string_view rest = d.substr(close + 1);
        if (rest.empty()) return true;
        if (rest.front() != ':' || rest.size() < 2) return false;
        return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
    }
    if (auto colon = d.find(':'); colon != std::string_view::npos) {
        std::string_view port = d.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
        host = d.substr(0, colon);
    }
    size_t start = 0;
    while (true) {
        size_t dot = host.find('.', start);
        std::string_view comp = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (comp.empty() || !is_alnum(comp.front()) || !is_alnum(comp.back())) return false;
        for (char c : comp)
            if (!is_alnum(c) && c != '-') return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

// tag: [\w][\w.-]{0,127}
bool valid_tag(std::string_view t) {
    if (t.empty() || t.size() > 128) return false;
    auto word = [](char c) { return is_alnum(c) || c == '_'; };
    if (!word(t.front())) return false;
    for (char c : t)
        if (!word(c) && c != '.' && c != '-') return false;
    return true;
}

// Only sha256 digests are pulled (as Podman does by default): "sha256:" + 64 lower-case hex.
bool valid_digest(std::string_view d) {
    if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
    for (char c : d.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool valid_path(std::string_view p) {
    size_t start = 0;
    while (true) {
        size_t slash = p.find('/', start);
        if (!valid_path_component(p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
            return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

}  // namespace

std::string Reference::name() const { return registry + "/" + repository; }

std::string Reference::str() const {
    std::string s = name();
    if (!tag.empty()) s += ":" + tag;
    if (!digest.empty()) s += "@" + digest;
    if (tag.empty() && digest.empty()) s += ":latest";
    return s;
}

std::string Reference::endpoint() const { return registry == "docker.io" ? "registry-1.docker.io" : registry; }

std::string Reference::manifest_ref() const {
    if (!digest.empty()) return digest;
    return tag.empty() ? "latest" : tag;
}

ParsedReference parse_reference(std::string_view s) {
    if (s.empty()) bad_format();
    ParsedReference out;
    std::string_view rest = s;
    if (auto at = rest.find('@'); at != std::string_view::npos) {
        std::string_view dg = rest.substr(at + 1);
        if (!valid_digest(dg)) bad_format();
        out.ref.digest = std::string(dg);
        rest = rest.substr(0, at);
    }
    auto last_slash = rest.rfind('/');
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
        std::string_view tg = rest.substr(colon + 1);
        if (!valid_tag(tg)) bad_format();
        // With both, the digest decides what is pulled; Podman drops the tag as containers/image does.
        if (out.ref.digest.empty()) out.ref.tag = std::string(tg);
        rest = rest.substr(0, colon);
    }
    if (rest.empty()) bad_format();
    if (out.ref.tag.empty() && out.ref.digest.empty()) out.ref.tag = "latest";

    std::string_view domain, path = rest;
    auto slash = rest.find('/');
    if (slash != std::string_view::npos) {
        std::string_view first = rest.substr(0, slash);
        if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
            domain = first;
            path = rest.substr(slash + 1);
            out.qualified = true;
        }
    }
    if (out.qualified && !valid_domain(domain)) bad_format();
    std::string lower(path);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!valid_path(lower)) bad_format();
    if (lower != path) throw Error("repository name must be lowercase");
    if (domain.size() + path.size() + (out.qualified ? 1 : 0) > 255)
        throw Error("repository name must not be more than 255 characters");

    out.short_name = std::string(path);
    out.ref.registry = out.qualified ? std::string(domain) : "docker.io";
    if (out.ref.registry == "index.docker.io") out.ref.registry = "docker.io";
    out.ref.repository = std::string(path);
    if (out.ref.registry == "docker.io" && out.ref.repository.find('/') == std::string::npos)
        out.ref.repository = "library/" + out.ref.repository;
    return out;
}

}  // namespace burrow::pull
