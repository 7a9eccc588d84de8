#include "src/output/table.hpp"

#include <vector>

namespace burrow::output {

size_t text_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

namespace {

struct Layout {
    std::vector<std::vector<std::string>> lines;  // cells; the last one is the line's trailing text
    std::vector<size_t> widths;                   // widths of the enclosing column blocks
    size_t minwidth, padding;
    std::string out;

    void write_lines(size_t line0, size_t line1) {
        for (size_t i = line0; i < line1; ++i) {
            const auto& line = lines[i];
            for (size_t j = 0; j < line.size(); ++j) {
                out += line[j];
                if (j < widths.size()) out.append(widths[j] - text_width(line[j]), ' ');
            }
            out += '\n';
        }
    }

    // Go's tabwriter.format: find each block of consecutive lines that have a cell in `column`,
    // size the column over that block, and recurse into the next column within the block.
    void format(size_t line0, size_t line1) {
        size_t column = widths.size();
        for (size_t cur = line0; cur < line1; ++cur) {
            if (column + 1 >= lines[cur].size()) continue;
            write_lines(line0, cur);
            line0 = cur;
            size_t width = minwidth;
            for (; cur < line1; ++cur) {
                if (column + 1 >= lines[cur].size()) break;
                size_t w = text_width(lines[cur][column]) + padding;
                if (w > width) width = w;
            }
            widths.push_back(width);
            format(line0, cur);
            widths.pop_back();
            line0 = cur;
            if (cur == line1) return;
        }
        write_lines(line0, line1);
    }
};

}  // namespace

std::string tabwrite(std::string_view text, size_t minwidth, size_t padding) {
    Layout l;
    l.minwidth = minwidth;
    l.padding = padding;
    bool trailing_newline = !text.empty() && text.back() == '\n';
    if (trailing_newline) text.remove_suffix(1);
    if (text.empty() && !trailing_newline) return {};
    size_t start = 0;
    for (;;) {
        size_t nl = text.find('\n', start);
        std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        std::vector<std::string> cells;
        size_t cs = 0;
        for (;;) {
            size_t tab = line.find('\t', cs);
            if (tab == std::string_view::npos) {
                cells.emplace_back(line.substr(cs));
                break;
            }
            cells.emplace_back(line.substr(cs, tab - cs));
            cs = tab + 1;
        }
        l.lines.push_back(std::move(cells));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    l.format(0, l.lines.size());
    if (!trailing_newline && !l.out.empty()) l.out.pop_back();
    return l.out;
}

}  // namespace burrow::output
