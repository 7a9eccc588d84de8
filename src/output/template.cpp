#include "src/output/template.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

#include "base/error.hpp"
#include "base/strings.hpp"

namespace burrow::output {

using json = nlohmann::json;

namespace {

// "no value": what Go prints for a missing map key.
json no_value() { return json(json::value_t::discarded); }

struct Pipeline;

struct Operand {
    enum Kind { Dot, Field, String, Number, Func, Sub } kind = Dot;
    std::vector<std::string> path;  // Field: A.B -> {"A","B"}; also a field chain after Sub
    std::string text;               // String value, Func name, or the source text for errors
    long long num = 0;
    std::shared_ptr<Pipeline> sub;
    size_t col = 0;
};
struct Command {
    std::vector<Operand> args;
};
struct Pipeline {
    std::vector<Command> cmds;
};

}  // namespace

struct TemplateNode {
    enum Kind { List, Text, Action, If, Range } kind = List;
    std::string text;
    Pipeline pipe;
    std::vector<std::unique_ptr<TemplateNode>> list, else_list;
};

namespace {

const std::map<std::string, int>& known_funcs() {
    // name -> minimum argument count (including a piped value)
    static const std::map<std::string, int> f = {{"json", 1},  {"index", 2}, {"join", 2},  {"lower", 1},
                                                 {"upper", 1}, {"title", 1}, {"len", 1},   {"truncate", 2},
                                                 {"printf", 1}};
    return f;
}

class Parser {
public:
    Parser(const std::string& name, const std::string& text) : name_(name), src_(text) {}

    std::unique_ptr<TemplateNode> parse() {
        auto root = std::make_unique<TemplateNode>();
        std::string term = parse_list(root->list);
        if (!term.empty()) fail("unexpected {{" + term + "}}");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& msg) const {
        size_t line = 1;
        for (size_t i = 0; i < pos_ && i < src_.size(); ++i)
            if (src_[i] == '\n') ++line;
        throw Error("template: " + name_ + ":" + std::to_string(line) + ": " + msg);
    }

    // Parses nodes until {{end}} or {{else}} (returned) or the end of input ("" returned).
    std::string parse_list(std::vector<std::unique_ptr<TemplateNode>>& out) {
        while (pos_ < src_.size()) {
            size_t open = src_.find("{{", pos_);
            std::string text = src_.substr(pos_, open == std::string::npos ? std::string::npos : open - pos_);
            if (open == std::string::npos) {
                pos_ = src_.size();
                add_text(out, text);
                break;
            }
            bool trim_left = src_.compare(open + 2, 2, "- ") == 0;
            if (trim_left) text = std::string(rtrim(text));
            add_text(out, text);
            size_t start = open + 2 + (trim_left ? 2 : 0);
            size_t close = find_close(start);
            bool trim_right = close >= 2 && src_.compare(close - 2, 2, " -") == 0 && close - 2 >= start;
            std::string body = src_.substr(start, (trim_right ? close - 2 : close) - start);
            pos_ = close + 2;
            if (trim_right)
                while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_]))) ++pos_;
            action_col_ = start - (src_.rfind('\n', start) == std::string::npos ? 0 : src_.rfind('\n', start) + 1);
            std::string kw = first_word(body);
            if (kw == "end" || kw == "else") return kw;
            auto node = std::make_unique<TemplateNode>();
            if (kw == "if" || kw == "range") {
                node->kind = kw == "if" ? TemplateNode::If : TemplateNode::Range;
                node->pipe = parse_pipeline(body.substr(body.find(kw) + kw.size()));
                std::string term = parse_list(node->list);
                if (term == "else") term = parse_list(node->else_list);
                if (term != "end") fail("unexpected EOF");
            } else if (kw == "with" || kw == "define" || kw == "template" || kw == "block") {
                fail("{{" + kw + "}} is not supported");
            } else {
                node->kind = TemplateNode::Action;
                node->pipe = parse_pipeline(body);
            }
            out.push_back(std::move(node));
        }
        return "";
    }

    static std::string_view rtrim(std::string_view s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
        return s;
    }
    static std::string first_word(const std::string& body) {
        auto t = trim(body);
        size_t e = 0;
        while (e < t.size() && std::isalpha(static_cast<unsigned char>(t[e]))) ++e;
        return std::string(t.substr(0, e));
    }
    static void add_text(std::vector<std::unique_ptr<TemplateNode>>& out, const std::string& text) {
        if (text.empty()) return;
        auto n = std::make_unique<TemplateNode>();
        n->kind = TemplateNode::Text;
        n->text = text;
        out.push_back(std::move(n));
    }

    size_t find_close(size_t from) const {
        char quote = 0;
        for (size_t i = from; i + 1 < src_.size(); ++i) {
            char c = src_[i];
            if (quote) {
                if (c == '\\' && quote == '"') ++i;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '`') {
                quote = c;
            } else if (c == '}' && src_[i + 1] == '}') {
                return i;
            }
        }
        const_cast<Parser*>(this)->pos_ = src_.size();
        fail("unclosed action");
    }

    // --- pipelines ---
    Pipeline parse_pipeline(const std::string& s) {
        size_t i = 0;
        Pipeline p = parse_pipeline_at(s, i, false);
        return p;
    }

    Pipeline parse_pipeline_at(const std::string& s, size_t& i, bool in_parens) {
        Pipeline p;
        Command cmd;
        for (;;) {
            while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
            if (i >= s.size()) {
                if (in_parens) fail("unclosed left paren");
                break;
            }
            char c = s[i];
            if (c == ')') {
                if (!in_parens) fail("unexpected right paren");
                ++i;
                break;
            }
            if (c == '|') {
                if (cmd.args.empty()) fail("missing command before |");
                p.cmds.push_back(std::move(cmd));
                cmd = Command{};
                ++i;
                continue;
            }
            cmd.args.push_back(parse_operand(s, i));
        }
        if (cmd.args.empty()) fail(p.cmds.empty() ? "missing value for command" : "missing command after |");
        p.cmds.push_back(std::move(cmd));
        for (auto& c : p.cmds)
            for (size_t k = 1; k < c.args.size(); ++k)
                if (c.args[0].kind != Operand::Func) fail("can't give argument to non-function " + c.args[0].text);
        return p;
    }

    Operand parse_operand(const std::string& s, size_t& i) {
        Operand op;
        op.col = action_col_ + i + 1;
        size_t start = i;
        char c = s[i];
        auto field_chain = [&](Operand& o) {
            while (i < s.size() && s[i] == '.') {
                size_t b = ++i;
                while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
                if (b == i) {
                    if (o.path.empty() && o.kind != Operand::Sub) break;  // "." alone
                    fail("unexpected . in operand");
                }
                o.path.push_back(s.substr(b, i - b));
            }
        };
        if (c == '.') {
            field_chain(op);
            op.kind = op.path.empty() ? Operand::Dot : Operand::Field;
        } else if (c == '"' || c == '`') {
            op.kind = Operand::String;
            ++i;
            for (; i < s.size() && s[i] != c; ++i) {
                if (c == '"' && s[i] == '\\' && i + 1 < s.size()) {
                    char e = s[++i];
                    op.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                } else {
                    op.text += s[i];
                }
            }
            if (i >= s.size()) fail("unterminated quoted string");
            ++i;
        } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            op.kind = Operand::Number;
            size_t b = i++;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
            op.num = std::stoll(s.substr(b, i - b));
        } else if (std::isalpha(static_cast<unsigned char>(c))) {
            size_t b = i;
            while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
            op.kind = Operand::Func;
            op.text = s.substr(b, i - b);
            if (!known_funcs().count(op.text)) fail("function \"" + op.text + "\" not defined");
            return op;
        } else if (c == '(') {
            ++i;
            op.kind = Operand::Sub;
            op.sub = std::make_shared<Pipeline>(parse_pipeline_at(s, i, true));
            field_chain(op);
        } else {
            fail(std::string("unexpected \"") + c + "\" in command");
        }
        if (op.kind != Operand::String) op.text = s.substr(start, i - start);
        return op;
    }

    std::string name_;
    const std::string& src_;
    size_t pos_ = 0;
    size_t action_col_ = 0;
};

bool is_struct(const json& v) {
    if (!v.is_object() || v.empty()) return false;
    for (auto it = v.begin(); it != v.end(); ++it)
        if (it.key().empty() || !std::isupper(static_cast<unsigned char>(it.key()[0]))) return false;
    return true;
}

bool truthy(const json& v) {
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

std::string as_string(const json& v) { return v.is_string() ? v.get<std::string>() : go_print(v); }

class Executor {
public:
    Executor(const std::string& name, const std::string& type_name) : name_(name), type_(type_name) {}

    void run(const std::vector<std::unique_ptr<TemplateNode>>& list, const json& dot, std::string& out) {
        for (const auto& n : list) {
            switch (n->kind) {
            case TemplateNode::Text: out += n->text; break;
            case TemplateNode::Action: out += go_print(eval(n->pipe, dot)); break;
            case TemplateNode::If:
                run(truthy(eval(n->pipe, dot)) ? n->list : n->else_list, dot, out);
                break;
            case TemplateNode::Range: {
                json v = eval(n->pipe, dot);
                if ((v.is_array() || v.is_object()) && !v.empty()) {
                    for (const auto& e : v) run(n->list, e, out);
                } else if (v.is_null() || v.is_discarded() || v.is_array() || v.is_object()) {
                    run(n->else_list, dot, out);
                } else {
                    fail(n->pipe.cmds[0].args[0], "range can't iterate over " + go_print(v));
                }
                break;
            }
            case TemplateNode::List: run(n->list, dot, out); break;
            }
        }
    }

private:
    [[noreturn]] void fail(const Operand& at, const std::string& msg) const {
        throw Error("template: " + name_ + ":1:" + std::to_string(at.col) + ": executing \"" + name_ + "\" at <" +
                    at.text + ">: " + msg);
    }

    json eval(const Pipeline& p, const json& dot) {
        json piped;
        bool have_piped = false;
        for (const auto& cmd : p.cmds) {
            piped = eval_command(cmd, dot, have_piped ? &piped : nullptr);
            have_piped = true;
        }
        return piped;
    }

    // Follows the field path by reference and copies only what it ends at: a row of ps is an
    // object of thirty fields, and copying it for each {{.Field}} was a third of `ps -a`.
    json walk(const Operand& op, const json& start, size_t from) {
        const json* v = &start;
        for (size_t k = from; k < op.path.size(); ++k) {
            const std::string& f = op.path[k];
            if (v->is_object()) {
                auto it = v->find(f);
                if (it != v->end()) {
                    v = &*it;
                    continue;
                }
                if (is_struct(*v)) fail(op, "can't evaluate field " + f + " in type " + (type_.empty() ? "struct" : type_));
                return no_value();
            }
            if (v->is_null() || v->is_discarded()) {
                if (k == from && from == 0 && type_.size()) fail(op, "nil pointer evaluating " + op.text);
                return no_value();
            }
            fail(op, "can't evaluate field " + f + " in type " + go_type(*v));
        }
        return *v;
    }

    static std::string go_type(const json& v) {
        if (v.is_string()) return "string";
        if (v.is_boolean()) return "bool";
        if (v.is_number_integer() || v.is_number_unsigned()) return "int64";
        if (v.is_number_float()) return "float64";
        if (v.is_array()) return "[]interface {}";
        return "interface {}";
    }

    json operand_value(const Operand& op, const json& dot) {
        switch (op.kind) {
        case Operand::Dot: return dot;
        case Operand::Field: return walk(op, dot, 0);
        case Operand::String: return op.text;
        case Operand::Number: return op.num;
        case Operand::Sub: return walk(op, eval(*op.sub, dot), 0);
        case Operand::Func: return call(op, {});
        }
        return nullptr;
    }

    json eval_command(const Command& cmd, const json& dot, const json* piped) {
        const Operand& head = cmd.args[0];
        if (head.kind != Operand::Func) {
            if (piped) fail(head, "can't give argument to non-function " + head.text);
            return operand_value(head, dot);
        }
        std::vector<json> args;
        for (size_t k = 1; k < cmd.args.size(); ++k) args.push_back(operand_value(cmd.args[k], dot));
        if (piped) args.push_back(*piped);
        return call(head, args);
    }

    json call(const Operand& fn, const std::vector<json>& a) {
        const std::string& f = fn.text;
        int want = known_funcs().at(f);
        if (static_cast<int>(a.size()) < want)
            fail(fn, "error calling " + f + ": wrong number of args for " + f + ": want " + std::to_string(want) +
                         " got " + std::to_string(a.size()));
        if (f == "json") return a[0].is_discarded() ? json("null") : json(a[0].dump());
        if (f == "lower") return to_lower(as_string(a[0]));
        if (f == "upper") {
            std::string s = as_string(a[0]);
            for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return s;
        }
        if (f == "title") {
            std::string s = as_string(a[0]);
            bool start = true;
            for (auto& c : s) {
                if (start && std::isalpha(static_cast<unsigned char>(c))) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                start = std::isspace(static_cast<unsigned char>(c));
            }
            return s;
        }
        if (f == "len") {
            const json& v = a[0];
            if (v.is_string()) return v.get_ref<const std::string&>().size();
            if (v.is_array() || v.is_object()) return v.size();
            if (v.is_null()) return 0;
            fail(fn, "error calling len: len of type " + go_type(v));
        }
        if (f == "join") {
            if (a[0].is_null() || a[0].is_discarded()) return "";
            if (!a[0].is_array()) fail(fn, "error calling join: not a list");
            std::vector<std::string> parts;
            for (const auto& e : a[0]) parts.push_back(as_string(e));
            return join(parts, as_string(a[1]));
        }
        if (f == "truncate") {
            std::string s = as_string(a[0]);
            if (!a[1].is_number_integer()) fail(fn, "error calling truncate: length must be an integer");
            auto n = a[1].get<long long>();
            return n >= 0 && static_cast<size_t>(n) < s.size() ? s.substr(0, static_cast<size_t>(n)) : s;
        }
        if (f == "index") {
            json v = a[0];
            for (size_t k = 1; k < a.size(); ++k) {
                if (v.is_object()) {
                    auto it = v.find(as_string(a[k]));
                    v = it == v.end() ? json("") : *it;
                } else if (v.is_array() && a[k].is_number_integer()) {
                    auto n = a[k].get<long long>();
                    if (n < 0 || static_cast<size_t>(n) >= v.size())
                        fail(fn, "error calling index: index out of range: " + std::to_string(n));
                    v = v[static_cast<size_t>(n)];
                } else if (v.is_null() || v.is_discarded()) {
                    v = "";
                } else {
                    fail(fn, "error calling index: cannot index " + go_type(v));
                }
            }
            return v;
        }
        // printf: %s %v %d %q with optional flags/width, %% literal.
        std::string fmt = as_string(a[0]), out;
        size_t argi = 1;
        for (size_t i = 0; i < fmt.size(); ++i) {
            if (fmt[i] != '%') {
                out += fmt[i];
                continue;
            }
            size_t b = i++;
            while (i < fmt.size() && std::strchr("-+ 0#123456789.", fmt[i])) ++i;
            if (i >= fmt.size()) break;
            char verb = fmt[i];
            if (verb == '%') {
                out += '%';
                continue;
            }
            if (argi >= a.size()) {
                out += std::string("%!") + verb + "(MISSING)";
                continue;
            }
            const json& v = a[argi++];
            std::string spec = fmt.substr(b, i - b);
            std::string s = verb == 'q' ? json(as_string(v)).dump() : verb == 'd' && v.is_number() ? std::to_string(v.get<long long>()) : as_string(v);
            char buf[512];
            std::snprintf(buf, sizeof buf, (spec + "s").c_str(), s.c_str());
            out += buf;
        }
        return out;
    }

    std::string name_, type_;
};

}  // namespace

std::string go_print(const json& v) {
    switch (v.type()) {
    case json::value_t::discarded: return "<no value>";
    case json::value_t::null: return "<nil>";
    case json::value_t::string: return v.get<std::string>();
    case json::value_t::array: {
        std::string r = "[";
        bool first = true;
        for (const auto& e : v) {
            if (!first) r += ' ';
            first = false;
            r += go_print(e);
        }
        return r + "]";
    }
    case json::value_t::object: {
        std::string r = is_struct(v) ? "{" : "map[";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) r += ' ';
            first = false;
            r += is_struct(v) ? go_print(it.value()) : it.key() + ":" + go_print(it.value());
        }
        return r + (is_struct(v) ? "}" : "]");
    }
    default: return v.dump();
    }
}

Template::Template(std::string name, const std::string& text) : name_(std::move(name)) {
    root_ = Parser(name_, text).parse();
}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::execute(const json& dot, const std::string& type_name) const {
    std::string out;
    Executor(name_, type_name).run(root_->list, dot, out);
    return out;
}

}  // namespace burrow::output
