// The parsed form of a Go template (internal to src/output: template.cpp parses, template_exec.cpp runs).
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace burrow::output {

struct Pipeline;

struct Operand {
    enum Kind { Dot, Field, String, Number, Bool, Nil, Func, Sub, Var } kind = Dot;
    std::vector<std::string> path;  // Field: A.B -> {"A","B"}; also a field chain after Sub or Var
    std::string text;               // String value, Func name, or the source text for errors
    std::string var;                // Var: "$x" ("$" is the data the template was given)
    long long num = 0;
    std::shared_ptr<Pipeline> sub;
    size_t line = 1, col = 0;
};
struct Command {
    std::vector<Operand> args;
};
struct Pipeline {
    std::vector<Command> cmds;
    std::vector<std::string> decl;  // {{$x := ...}}, {{range $i, $e := ...}}: the variables
    bool assign = false;            // {{$x = ...}}: sets a declared variable
};

struct TemplateNode {
    enum Kind { List, Text, Action, If, Range, With } kind = List;
    std::string text;
    Pipeline pipe;
    std::vector<std::unique_ptr<TemplateNode>> list, else_list;
};

// Whether `name` is one of the functions a template may call (template_exec.cpp).
bool is_template_func(const std::string& name);

}  // namespace burrow::output
