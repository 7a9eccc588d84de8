#include "src/output/template.hpp"

#include <cctype>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/output/template_ast.hpp"

namespace burrow::output {

// Runs a parsed template (template_exec.cpp).
std::string run_template(const std::string& name, const TemplateNode& root, const nlohmann::json& dot,
                         const std::string& type_name);

namespace {

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
            action_line_ = 1;
            for (size_t k = 0; k < start; ++k)
                if (src_[k] == '\n') ++action_line_;
            std::string_view tb = trim(body);
            if (tb.size() >= 4 && tb.substr(0, 2) == "/*" && tb.substr(tb.size() - 2) == "*/") continue;  // a comment
            std::string kw = first_word(body);
            if (kw == "end") return kw;
            if (kw == "else") {
                else_rest_ = std::string(trim(std::string_view(body).substr(body.find("else") + 4)));
                return kw;
            }
            auto node = std::make_unique<TemplateNode>();
            if (kw == "if" || kw == "range" || kw == "with") {
                parse_control(*node, kw, body.substr(body.find(kw) + kw.size()));
            } else if (kw == "define" || kw == "template" || kw == "block") {
                fail("{{" + kw + "}} is not supported");
            } else {
                node->kind = TemplateNode::Action;
                node->pipe = parse_pipeline(body);
            }
            out.push_back(std::move(node));
        }
        return "";
    }

    // {{if|range|with PIPELINE}} LIST [{{else}} LIST | {{else if|with PIPELINE}} ...] {{end}}
    void parse_control(TemplateNode& node, const std::string& kw, const std::string& pipe) {
        node.kind = kw == "if" ? TemplateNode::If : kw == "with" ? TemplateNode::With : TemplateNode::Range;
        node.pipe = parse_pipeline(pipe);
        std::string term = parse_list(node.list);
        if (term == "else") {
            std::string rest = std::move(else_rest_);
            else_rest_.clear();
            std::string kw2 = first_word(rest);
            if (!rest.empty() && (kw2 == "if" || kw2 == "with") && kw != "range") {
                auto chained = std::make_unique<TemplateNode>();
                parse_control(*chained, kw2, rest.substr(kw2.size()));
                node.else_list.push_back(std::move(chained));
                return;  // the chained node consumed {{end}}
            }
            if (!rest.empty()) fail("unexpected \"" + rest + "\" in else");
            term = parse_list(node.else_list);
        }
        if (term != "end") fail("unexpected EOF");
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
        std::vector<std::string> decl;
        bool assign = false;
        parse_decl(s, i, decl, assign);
        Pipeline p = parse_pipeline_at(s, i, false);
        p.decl = std::move(decl);
        p.assign = assign;
        return p;
    }

    static std::string var_name(const std::string& s, size_t& i) {
        size_t b = i++;
        while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
        return s.substr(b, i - b);
    }

    // "$x :=", "$x =", "$i, $e :=" at the start of a pipeline; leaves `i` after it, or unchanged.
    void parse_decl(const std::string& s, size_t& i, std::vector<std::string>& decl, bool& assign) {
        size_t k = i;
        auto skip = [&] {
            while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k]))) ++k;
        };
        std::vector<std::string> names;
        for (;;) {
            skip();
            if (k >= s.size() || s[k] != '$') return;
            names.push_back(var_name(s, k));
            skip();
            if (k < s.size() && s[k] == ',' && names.size() == 1) {
                ++k;
                continue;
            }
            break;
        }
        if (s.compare(k, 2, ":=") == 0) {
            k += 2;
        } else if (k < s.size() && s[k] == '=' && names.size() == 1) {
            assign = true;
            ++k;
        } else {
            if (names.size() > 1) fail("too many declarations in command");
            return;
        }
        decl = std::move(names);
        i = k;
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
        op.line = action_line_;
        size_t start = i;
        char c = s[i];
        auto field_chain = [&](Operand& o) {
            while (i < s.size() && s[i] == '.') {
                size_t b = ++i;
                while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
                if (b == i) {
                    if (o.path.empty() && o.kind != Operand::Sub && o.kind != Operand::Var) break;  // "." alone
                    fail("unexpected . in operand");
                }
                o.path.push_back(s.substr(b, i - b));
            }
        };
        if (c == '$') {
            op.kind = Operand::Var;
            op.var = var_name(s, i);
            field_chain(op);
        } else if (c == '.') {
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
            op.text = s.substr(b, i - b);
            if (op.text == "true" || op.text == "false") {
                op.kind = Operand::Bool;
                op.num = op.text == "true";
                return op;
            }
            if (op.text == "nil") {
                op.kind = Operand::Nil;
                return op;
            }
            op.kind = Operand::Func;
            if (!is_template_func(op.text)) fail("function \"" + op.text + "\" not defined");
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
    size_t action_col_ = 0, action_line_ = 1;
    std::string else_rest_;  // what followed "else" in the last {{else ...}}
};

}  // namespace

Template::Template(std::string name, const std::string& text) : name_(std::move(name)) {
    root_ = Parser(name_, text).parse();
}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::execute(const nlohmann::json& dot, const std::string& type_name) const {
    return run_template(name_, *root_, dot, type_name);
}

}  // namespace burrow::output
