// Internal to pull/: libcurl RAII owners, TLS setup from certs.d, one synchronous request, and
// error texts worded like Podman's (Go's net/http).
#pragma once
#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace burrow::pull::http {

struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
struct MultiDeleter {
    void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

class Slist {
public:
    Slist() = default;
    Slist(const Slist&) = delete;
    Slist& operator=(const Slist&) = delete;
    Slist(Slist&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    Slist& operator=(Slist&& o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Slist() { curl_slist_free_all(p_); }
    void add(const std::string& s);
    curl_slist* get() const { return p_; }

private:
    curl_slist* p_ = nullptr;
};

Easy make_easy();
Multi make_multi();

// TLS settings for one registry host: verification, extra CAs from certs.d, client certificate.
struct Tls {
    bool verify = true;
    std::string ca_blob;  // system bundle + certs.d *.crt, or "" for curl's default
    std::string client_cert, client_key;
};
Tls load_tls(const std::string& host_port, const std::string& cert_dir, bool verify);

// Options every request gets: redirects (Authorization is not forwarded to another host), HTTP/1.1,
// protocols, timeouts for stalled transfers, TLS. `errbuf` must hold CURL_ERROR_SIZE bytes.
void configure_easy(CURL* c, const Tls& tls, char* errbuf);

// Go-style description of a transport failure for `method url`, e.g.
// `Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused`.
std::string transport_error(CURL* c, CURLcode code, const char* errbuf, const std::string& method, const std::string& url);
// Connection resets, timeouts, partial transfers: worth a retry.
bool is_transient(CURLcode code);

struct Response {
    long status = 0;
    std::string body;
    std::string content_type;
    std::vector<std::string> www_authenticate;
    bool too_big = false;
};

// A failure below HTTP (connect, TLS, reset). `code` lets the caller choose to fall back or retry.
class TransportError : public Error {
public:
    TransportError(const std::string& msg, CURLcode code) : Error(msg), code_(code) {}
    CURLcode code() const { return code_; }

private:
    CURLcode code_;
};

// Performs one request on `c` (reset first, so the connection is reused). Bodies over `max_body`
// stop the transfer and set too_big. Throws TransportError.
Response perform(CURL* c, const Tls& tls, const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers, const std::string& post_body, size_t max_body);

// The registry's error body {"errors":[{"code","message"}]} as Go prints it: "manifest unknown: <message>".
// Falls back to a status description. Sets `code` to the first error code when there is one.
std::string registry_error_text(long status, const std::string& body, std::string* code);

}  // namespace burrow::pull::http
