// Running a parsed Go template over JSON data, typed by the Go structs it stands for (go_type.hpp).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/output/go_type.hpp"
#include "src/output/template.hpp"
#include "src/output/template_ast.hpp"
#include "src/output/template_funcs.hpp"

namespace burrow::output {

using json = nlohmann::json;

namespace {

// A Go zero value for a field a document leaves out (omitempty): its type prints it.
json zero_of(const GoType* t) {
    if (!t) return tmpl::no_value();
    switch (t->kind) {
    case GoType::String: return "";
    case GoType::Int: return 0;
    case GoType::Bool: return false;
    case GoType::Float: return 0.0;
    default: return nullptr;
    }
}

class Executor {
public:
    Executor(const std::string& name, const std::string& type_name) : name_(name), type_(type_name) {}

    void start(const tmpl::Val& root) { vars_.push_back({"$", root}); }

    // A list is a scope: variables declared in it end with it (Go's {{end}} rule).
    void run(const std::vector<std::unique_ptr<TemplateNode>>& list, const tmpl::Val& dot, std::string& out) {
        size_t mark = vars_.size();
        for (const auto& n : list) {
            switch (n->kind) {
            case TemplateNode::Text: out += n->text; break;
            case TemplateNode::Action: {
                tmpl::Val v = eval(n->pipe, dot);
                if (n->pipe.decl.empty()) out += tmpl::print(v, true);
                break;
            }
            case TemplateNode::If: {
                size_t m = vars_.size();
                bool yes = tmpl::truthy(eval(n->pipe, dot));
                run(yes ? n->list : n->else_list, dot, out);
                vars_.resize(m);
                break;
            }
            case TemplateNode::With: {
                size_t m = vars_.size();
                tmpl::Val v = eval(n->pipe, dot);
                if (tmpl::truthy(v)) run(n->list, v, out);
                else run(n->else_list, dot, out);
                vars_.resize(m);
                break;
            }
            case TemplateNode::Range: run_range(*n, dot, out); break;
            case TemplateNode::List: run(n->list, dot, out); break;
            }
        }
        vars_.resize(mark);
    }

private:
    [[noreturn]] void fail(const Operand& at, const std::string& msg) const {
        throw Error("template: " + name_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.col) +
                    ": executing \"" + name_ + "\" at <" + at.text + ">: " + msg);
    }

    void run_range(const TemplateNode& n, const tmpl::Val& dot, std::string& out) {
        tmpl::Val v = eval_pipe(n.pipe, dot);
        const GoType* elem = v.t && (v.t->kind == GoType::Slice || v.t->kind == GoType::Map) ? v.t->elem : nullptr;
        bool is_struct = v.t && v.t->kind == GoType::Struct;
        if (!is_struct && (v.v.is_array() || v.v.is_object()) && !v.v.empty()) {
            size_t m = vars_.size(), idx = 0;
            for (auto it = v.v.begin(); it != v.v.end(); ++it, ++idx) {
                tmpl::Val e{*it, elem};
                vars_.resize(m);
                if (n.pipe.decl.size() == 2) {
                    vars_.push_back({n.pipe.decl[0], v.v.is_object() ? tmpl::Val{it.key(), nullptr} : tmpl::Val{idx, nullptr}});
                    vars_.push_back({n.pipe.decl[1], e});
                } else if (n.pipe.decl.size() == 1) {
                    vars_.push_back({n.pipe.decl[0], e});
                }
                run(n.list, e, out);
            }
            vars_.resize(m);
        } else if (!is_struct && (v.v.is_null() || v.v.is_discarded() || v.v.is_array() || v.v.is_object())) {
            run(n.else_list, dot, out);
        } else {
            fail(n.pipe.cmds[0].args[0], "range can't iterate over " + tmpl::print(v, false));
        }
    }

    // A pipeline's value, declaring or assigning its variables.
    tmpl::Val eval(const Pipeline& p, const tmpl::Val& dot) {
        tmpl::Val v = eval_pipe(p, dot);
        if (p.assign) {
            lookup(p.cmds[0].args[0], p.decl[0]) = v;
        } else if (!p.decl.empty()) {
            vars_.push_back({p.decl[0], v});
        }
        return v;
    }

    tmpl::Val& lookup(const Operand& at, const std::string& name) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
            if (it->first == name) return it->second;
        throw Error("template: " + name_ + ":" + std::to_string(at.line) + ": undefined variable \"" + name + "\"");
    }

    tmpl::Val eval_pipe(const Pipeline& p, const tmpl::Val& dot) {
        tmpl::Val piped;
        bool have_piped = false;
        for (const auto& cmd : p.cmds) {
            piped = eval_command(cmd, dot, have_piped ? &piped : nullptr);
            have_piped = true;
        }
        return piped;
    }

    // Follows the field path by reference and copies only what it ends at: a row of ps is an
    // object of thirty fields, and copying it for each {{.Field}} was a third of `ps -a`.
    tmpl::Val walk(const Operand& op, const tmpl::Val& start) {
        const json* v = &start.v;
        const GoType* t = start.t;
        json holder;
        for (size_t k = 0; k < op.path.size(); ++k) {
            const std::string& f = op.path[k];
            if (t && t->kind == GoType::Struct) {
                const GoField* gf = t->field(f);
                if (!gf) fail(op, "can't evaluate field " + f + " in type " + t->name);
                if (v->is_null() || v->is_discarded()) fail(op, "nil pointer evaluating " + t->name + "." + f);
                auto it = v->is_object() ? v->find(gf->key) : v->end();
                if (v->is_object() && it != v->end()) {
                    v = &*it;
                } else {
                    json z = zero_of(gf->type);
                    holder = std::move(z);
                    v = &holder;
                }
                t = gf->type;
                continue;
            }
            if (t && t->kind != GoType::Map) fail(op, "can't evaluate field " + f + " in type " + t->name);
            if (v->is_object()) {
                auto it = v->find(f);
                if (it != v->end()) {
                    v = &*it;
                    t = t ? t->elem : nullptr;
                    continue;
                }
                if (!t && tmpl::looks_like_struct(*v))
                    fail(op, "can't evaluate field " + f + " in type " + (type_.empty() ? "struct" : type_));
                return tmpl::Val{tmpl::no_value(), nullptr};
            }
            if (v->is_null() || v->is_discarded()) {
                if (k == 0 && !t && type_.size()) fail(op, "nil pointer evaluating " + op.text);
                return tmpl::Val{tmpl::no_value(), nullptr};
            }
            fail(op, "can't evaluate field " + f + " in type " + tmpl::go_type_name(*v));
        }
        return tmpl::Val{*v, t};
    }

    tmpl::Val operand_value(const Operand& op, const tmpl::Val& dot) {
        switch (op.kind) {
        case Operand::Dot: return dot;
        case Operand::Field: return walk(op, dot);
        case Operand::String: return {op.text, nullptr};
        case Operand::Number: return {op.num, nullptr};
        case Operand::Bool: return {op.num != 0, nullptr};
        case Operand::Nil: fail(op, "nil is not a command");
        case Operand::Sub: return walk(op, eval(*op.sub, dot));
        case Operand::Var: return walk(op, lookup(op, op.var));
        case Operand::Func: return call(op, {});
        }
        return {};
    }

    tmpl::Val eval_command(const Command& cmd, const tmpl::Val& dot, const tmpl::Val* piped) {
        const Operand& head = cmd.args[0];
        if (head.kind != Operand::Func) {
            if (piped) fail(head, "can't give argument to non-function " + head.text);
            return operand_value(head, dot);
        }
        std::vector<tmpl::Val> args;
        for (size_t k = 1; k < cmd.args.size(); ++k) {
            if (cmd.args[k].kind == Operand::Nil) args.push_back({nullptr, nullptr});
            else args.push_back(operand_value(cmd.args[k], dot));
        }
        if (piped) args.push_back(*piped);
        return call(head, args);
    }

    tmpl::Val call(const Operand& fn, const std::vector<tmpl::Val>& a) {
        try {
            return tmpl::call_func(fn.text, a);
        } catch (const tmpl::FuncError& e) {
            fail(fn, e.what());
        }
    }

    std::string name_, type_;
    std::vector<std::pair<std::string, tmpl::Val>> vars_;
};

}  // namespace

std::string run_template(const std::string& name, const TemplateNode& root, const json& dot, const std::string& type_name) {
    std::string out;
    const GoType* t = type_name.empty() ? nullptr : go_type(type_name);
    Executor ex(name, type_name);
    ex.start(tmpl::Val{dot, t});
    ex.run(root.list, tmpl::Val{dot, t}, out);
    return out;
}

std::string go_print(const json& v) { return tmpl::print(tmpl::Val{v, nullptr}, true); }

}  // namespace burrow::output
