#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace burrow {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Podman/docker's go-units HumanSize: decimal units, 3 significant digits ("5.59 MB", "1.2 GB", "880 B").
// `digits`/`sep` give go-units' other forms, e.g. (4, "") for `system df`'s "1.986MB".
std::string human_size(double bytes, int digits = 3, const char* sep = " ");
// docker/go-units HumanDuration as Podman shows "CREATED": "About a minute ago", "2 hours ago", ...
std::string human_duration_ago(int64_t seconds);
std::string base64_encode(std::string_view in);
// Throws Error on malformed input.
std::string base64_decode(std::string_view in);

// `bytes` random bytes from getrandom as lower-case hex (ids, names).
std::string random_hex(size_t bytes);

}  // namespace burrow
