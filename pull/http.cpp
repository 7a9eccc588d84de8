#include "pull/http.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/fs.hpp"
#include "base/strings.hpp"
#include "pull/registry_client.hpp"

namespace burrow::pull::http {
namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Collect {
    Response* r;
    size_t max;
};

size_t write_cb(char* p, size_t, size_t n, void* ud) {
    auto* c = static_cast<Collect*>(ud);
    if (c->r->body.size() + n > c->max) {
        c->r->too_big = true;
        return 0;  // aborts with CURLE_WRITE_ERROR
    }
    c->r->body.append(p, n);
    return n;
}

size_t header_cb(char* p, size_t, size_t n, void* ud) {
    auto* r = static_cast<Response*>(ud);
    std::string_view line(p, n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect or 100-continue)
        r->content_type.clear();
        r->www_authenticate.clear();
        return n;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    std::string name = to_lower(line.substr(0, colon));
    std::string value(trim(line.substr(colon + 1)));
    if (name == "content-type") r->content_type = value;
    else if (name == "www-authenticate") r->www_authenticate.push_back(value);
    return n;
}

// The host:port a URL points at, for messages when curl did not get as far as an address.
std::string url_host_port(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    std::string hp = url.substr(start, url.find('/', start) - start);
    if (hp.find(':') == std::string::npos || (hp.front() == '[' && hp.back() == ']'))
        hp += url.rfind("https://", 0) == 0 ? ":443" : ":80";
    return hp;
}

}  // namespace

void Slist::add(const std::string& s) {
    curl_slist* n = curl_slist_append(p_, s.c_str());
    if (!n) throw Error("out of memory building HTTP headers");
    p_ = n;
}

Easy make_easy() {
    global_init();
    Easy e(curl_easy_init());
    if (!e) throw Error("initializing libcurl failed");
    return e;
}

Multi make_multi() {
    global_init();
    Multi m(curl_multi_init());
    if (!m) throw Error("initializing libcurl failed");
    return m;
}

Tls load_tls(const std::string& host_port, const std::string& cert_dir, bool verify) {
    Tls t;
    t.verify = verify;
    std::vector<std::string> dirs;
    if (!cert_dir.empty()) dirs = {cert_dir};
    else
        dirs = {join_path(xdg_config_home(), "containers/certs.d/" + host_port), "/etc/containers/certs.d/" + host_port,
                "/etc/docker/certs.d/" + host_port};
    // As containers/image: the first directory that exists is the only one used.
    for (const auto& dir : dirs) {
        if (!is_directory(dir)) continue;
        std::string extra;
        auto names = list_dir(dir);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
            std::string path = join_path(dir, n);
            if (ends_with(n, ".crt")) extra += read_file(path) + "\n";
            else if (ends_with(n, ".cert")) {
                std::string key = join_path(dir, n.substr(0, n.size() - 5) + ".key");
                if (!path_exists(key))
                    throw Error("missing key " + n.substr(0, n.size() - 5) + ".key for client certificate " + path +
                                ". Note that CA certificates should use the extension .crt");
                t.client_cert = path;
                t.client_key = key;
            }
        }
        if (!extra.empty()) t.ca_blob = read_file_if_exists(kSystemBundle).value_or("") + "\n" + extra;
        break;
    }
    return t;
}

void configure_easy(CURL* c, const Tls& tls, char* errbuf) {
    errbuf[0] = 0;
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "burrow/0.1");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    // A transfer that moves nothing for a minute is dead; an overall timeout would kill big layers.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
    if (!tls.ca_blob.empty()) {
        curl_blob blob{const_cast<char*>(tls.ca_blob.data()), tls.ca_blob.size(), CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!tls.client_cert.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, tls.client_cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, tls.client_key.c_str());
    }
}

std::string transport_error(CURL* c, CURLcode code, const char* errbuf, const std::string& method,
                            const std::string& url) {
    std::string verb = method == "GET" ? "Get" : method == "POST" ? "Post" : method == "HEAD" ? "Head" : method;
    std::string prefix = verb + " \"" + url + "\": ";
    std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
    long os_errno = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    char* ip = nullptr;
    long port = 0;
    curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port);
    std::string addr = ip && *ip && port ? std::string(ip) + ":" + std::to_string(port) : url_host_port(url);
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: {
        std::string hp = url_host_port(url);
        return prefix + "dial tcp: lookup " + hp.substr(0, hp.rfind(':')) + ": no such host";
    }
    case CURLE_COULDNT_CONNECT: {
        std::string why = os_errno ? to_lower(std::strerror(static_cast<int>(os_errno))) : "connection refused";
        return prefix + "dial tcp " + addr + ": connect: " + why;
    }
    case CURLE_OPERATION_TIMEDOUT:
        return prefix + "dial tcp " + addr + ": i/o timeout (" + detail + ")";
    case CURLE_SSL_CONNECT_ERROR:
        if (detail.find("wrong version number") != std::string::npos)
            return prefix + "http: server gave HTTP response to HTTPS client";
        return prefix + "tls: " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        if (detail.find("unable to get local issuer") != std::string::npos || detail.find("self") != std::string::npos)
            return prefix + "tls: failed to verify certificate: x509: certificate signed by unknown authority";
        return prefix + "tls: failed to verify certificate: x509: " + detail;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (os_errno == ECONNRESET) return prefix + "read tcp " + addr + ": read: connection reset by peer";
        return prefix + detail;
    case CURLE_GOT_NOTHING:
        return prefix + "EOF";
    default:
        return prefix + detail;
    }
}

bool is_transient(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

Response perform(CURL* c, const Tls& tls, const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers, const std::string& post_body, size_t max_body) {
    curl_easy_reset(c);
    char errbuf[CURL_ERROR_SIZE];
    configure_easy(c, tls, errbuf);
    Response r;
    Collect col{&r, max_body};
    Slist hdrs;
    for (const auto& h : headers) hdrs.add(h);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &col);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    // Metadata requests are small: a hung server should not hang the pull for ever.
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    if (method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body.size()));
    } else if (method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    if (rc == CURLE_WRITE_ERROR && r.too_big) return r;
    if (rc != CURLE_OK) throw TransportError(transport_error(c, rc, errbuf, method, url), rc);
    return r;
}

std::string registry_error_text(long status, const std::string& body, std::string* code) {
    std::vector<std::string> parts;
    try {
        auto j = nlohmann::json::parse(body);
        if (j.is_object() && j.contains("errors") && j["errors"].is_array()) {
            for (const auto& e : j["errors"]) {
                if (!e.is_object()) continue;
                std::string c = e.value("code", "");
                std::string m = e.value("message", "");
                if (code && code->empty()) *code = c;
                // Go's errcode prints the code as lower-case words, then the message.
                std::string words = to_lower(c);
                for (auto& ch : words)
                    if (ch == '_') ch = ' ';
                if (words.empty()) words = "unknown";
                parts.push_back(m.empty() ? words : words + ": " + m);
            }
        }
    } catch (const nlohmann::json::exception&) {
    }
    if (!parts.empty()) return join(parts, "; ");
    if (status == 401) {
        if (code && code->empty()) *code = "UNAUTHORIZED";
        return "unauthorized: authentication required";
    }
    if (status == 403) return "denied: requested access to the resource is denied";
    if (status == 404) return "StatusCode: 404, 404 page not found";
    std::string excerpt = body.substr(0, 200);
    for (auto& ch : excerpt)
        if (ch == '\n' || ch == '\r') ch = ' ';
    return "StatusCode: " + std::to_string(status) + (excerpt.empty() ? "" : ", " + std::string(trim(excerpt)));
}

}  // namespace burrow::pull::http
