// Column alignment exactly as Go's text/tabwriter lays it out with Podman's settings
// (minwidth 12, padding 2, padchar ' '): cells are tab-terminated, the text after a line's last
// tab is not part of any column, and a column block ends at the first line without that column.
#pragma once
#include <string>
#include <string_view>

namespace burrow::output {

std::string tabwrite(std::string_view text, size_t minwidth = 12, size_t padding = 2);

// Display width in characters (UTF-8 code points), as tabwriter counts it.
size_t text_width(std::string_view s);

}  // namespace burrow::output
