//! Go's text/template, as docker's `--format` and `inspect -f` use it:
//! fields (`{{.A.B}}`), variables (`$`, `$x := ...`), pipes, parentheses,
//! `if`/`else if`/`else`, `range` (with `$i, $v :=` and `else`), `with`,
//! the `{{-` and `-}}` trims, Go's functions (`and`, `or`, `not`, `eq`,
//! `ne`, `lt`, `le`, `gt`, `ge`, `index`, `len`, `slice`, `print`,
//! `printf`, `println`) and docker's (`json`, `join`, `split`, `title`,
//! `upper`, `lower`, `pad`, `truncate`), with Go's way of printing values
//! (`[a b]`, `map[k:v]`, `<no value>`).

use serde_json::Value;

/// Renders `tmpl` against `data`.
pub fn render(tmpl: &str, data: &Value) -> Result<String, String> {
    let tokens = lex(tmpl)?;
    let mut pos = 0;
    let nodes = parse_list(&tokens, &mut pos, &[])?;
    if pos < tokens.len() {
        return Err(format!(
            "template: unexpected {{{{{}}}}}",
            keyword_of(&tokens[pos])
        ));
    }
    let mut out = String::new();
    let mut scope = vec![("$".to_string(), data.clone())];
    exec(&nodes, data, &mut scope, &mut out)?;
    Ok(out)
}

// ---- lexing: text and actions ----

#[derive(Debug, Clone)]
enum Tok {
    Text(String),
    Action(String),
}

fn keyword_of(t: &Tok) -> String {
    match t {
        Tok::Action(a) => a.split_whitespace().next().unwrap_or("").to_string(),
        Tok::Text(_) => "text".into(),
    }
}

fn lex(tmpl: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut rest = tmpl;
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_string();
        if trim_next {
            text = text.trim_start().to_string();
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("template: unclosed action in {tmpl:?}"))?;
        let mut action = &after[..end];
        if let Some(a) = action
            .strip_prefix("- ")
            .or_else(|| action.strip_prefix("-\t"))
        {
            text = text.trim_end().to_string();
            action = a;
        } else if action == "-" {
            text = text.trim_end().to_string();
            action = "";
        }
        trim_next = false;
        if let Some(a) = action
            .strip_suffix(" -")
            .or_else(|| action.strip_suffix("\t-"))
        {
            trim_next = true;
            action = a;
        }
        if !text.is_empty() {
            out.push(Tok::Text(text));
        }
        let action = action.trim();
        // Comments leave nothing.
        if !(action.starts_with("/*") && action.ends_with("*/")) {
            out.push(Tok::Action(action.to_string()));
        }
        rest = &after[end + 2..];
    }
    let text = if trim_next { rest.trim_start() } else { rest };
    if !text.is_empty() {
        out.push(Tok::Text(text.to_string()));
    }
    Ok(out)
}

// ---- parsing ----

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
}

/// `$a, $b := cmd | cmd`.
#[derive(Debug, Clone)]
struct Pipe {
    decl: Vec<String>,
    /// `=` rather than `:=`: assign to a variable in scope.
    assign: bool,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Debug, Clone)]
enum Arg {
    /// `.` (empty path) or `.A.B`.
    Field(Vec<String>),
    /// `$x.A.B`.
    Var(String, Vec<String>),
    Lit(Value),
    Ident(String),
    Sub(Pipe, Vec<String>),
}

fn parse_list(toks: &[Tok], pos: &mut usize, stop: &[&str]) -> Result<Vec<Node>, String> {
    let mut out = Vec::new();
    while *pos < toks.len() {
        match &toks[*pos] {
            Tok::Text(t) => {
                out.push(Node::Text(t.clone()));
                *pos += 1;
            }
            Tok::Action(a) => {
                let kw = a.split_whitespace().next().unwrap_or("");
                if stop.contains(&kw) {
                    return Ok(out);
                }
                *pos += 1;
                match kw {
                    "if" | "range" | "with" => {
                        let pipe = parse_pipe(a[kw.len()..].trim())?;
                        out.push(parse_block(kw, pipe, toks, pos)?);
                    }
                    "end" | "else" => return Err(format!("template: unexpected {{{{{kw}}}}}")),
                    "" => {}
                    _ => out.push(Node::Action(parse_pipe(a)?)),
                }
            }
        }
    }
    if stop.is_empty() {
        Ok(out)
    } else {
        Err("template: unexpected EOF: an {{end}} is missing".into())
    }
}

/// The body and else of an if/range/with whose action was just read.
fn parse_block(kw: &str, pipe: Pipe, toks: &[Tok], pos: &mut usize) -> Result<Node, String> {
    let body = parse_list(toks, pos, &["else", "end"])?;
    let Tok::Action(a) = &toks[*pos] else {
        unreachable!("parse_list stops at an action")
    };
    *pos += 1;
    let mut otherwise = Vec::new();
    if a.split_whitespace().next() == Some("else") {
        let rest = a["else".len()..].trim();
        if let Some(cond) = rest.strip_prefix("if ") {
            // `else if`: a nested if that shares this block's end.
            let inner = parse_pipe(cond.trim())?;
            otherwise.push(parse_block("if", inner, toks, pos)?);
            return Ok(make(kw, pipe, body, otherwise));
        }
        otherwise = parse_list(toks, pos, &["end"])?;
        *pos += 1;
    }
    Ok(make(kw, pipe, body, otherwise))
}

fn make(kw: &str, pipe: Pipe, body: Vec<Node>, otherwise: Vec<Node>) -> Node {
    match kw {
        "if" => Node::If(pipe, body, otherwise),
        "range" => Node::Range(pipe, body, otherwise),
        _ => Node::With(pipe, body, otherwise),
    }
}

/// Splits an action into words: strings, parentheses and pipes apart.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut lit = String::from("\"");
                let mut closed = false;
                while let Some(d) = chars.next() {
                    lit.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            lit.push(e);
                        }
                    } else if d == '"' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err("template: unterminated quoted string".into());
                }
                cur.push_str(&lit);
            }
            '`' => {
                cur.push('`');
                for d in chars.by_ref() {
                    cur.push(d);
                    if d == '`' {
                        break;
                    }
                }
            }
            '(' | ')' | '|' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn parse_pipe(s: &str) -> Result<Pipe, String> {
    let w = words(s)?;
    let mut i = 0;
    parse_pipe_words(&w, &mut i)
}

fn parse_pipe_words(w: &[String], i: &mut usize) -> Result<Pipe, String> {
    let mut decl = Vec::new();
    let mut assign = false;
    // `$x :=` or `$i, $v :=`
    let mut j = *i;
    let mut names = Vec::new();
    while j < w.len() && w[j].starts_with('$') {
        names.push(w[j].trim_end_matches(',').to_string());
        if w[j].ends_with(',') {
            j += 1;
        } else if j + 1 < w.len() && w[j + 1] == "," {
            j += 2;
        } else {
            j += 1;
            break;
        }
    }
    if j < w.len() && (w[j] == ":=" || w[j] == "=") && !names.is_empty() {
        assign = w[j] == "=";
        decl = names;
        *i = j + 1;
    }
    let mut cmds = vec![Vec::new()];
    while *i < w.len() {
        let t = &w[*i];
        *i += 1;
        match t.as_str() {
            ")" => break,
            "|" => cmds.push(Vec::new()),
            "(" => {
                let sub = parse_pipe_words(w, i)?;
                // `(...).Field`
                let mut path = Vec::new();
                if *i < w.len() && w[*i].starts_with('.') && w[*i].len() > 1 {
                    path = fields(&w[*i]);
                    *i += 1;
                }
                cmds.last_mut()
                    .expect("one command")
                    .push(Arg::Sub(sub, path));
            }
            _ => cmds.last_mut().expect("one command").push(parse_arg(t)?),
        }
    }
    if cmds.iter().any(Vec::is_empty) {
        return Err("template: missing value for command".into());
    }
    Ok(Pipe { decl, assign, cmds })
}

fn fields(s: &str) -> Vec<String> {
    s.split('.')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

fn parse_arg(t: &str) -> Result<Arg, String> {
    if t == "." {
        return Ok(Arg::Field(Vec::new()));
    }
    if t.starts_with('.') {
        return Ok(Arg::Field(fields(t)));
    }
    if let Some(v) = t.strip_prefix('$') {
        let mut parts = v.splitn(2, '.');
        let name = format!("${}", parts.next().unwrap_or(""));
        return Ok(Arg::Var(name, parts.next().map(fields).unwrap_or_default()));
    }
    if t.starts_with('"') {
        return serde_json::from_str::<String>(t)
            .map(|s| Arg::Lit(Value::String(s)))
            .map_err(|_| format!("template: bad string {t}"));
    }
    if let Some(raw) = t.strip_prefix('`') {
        return Ok(Arg::Lit(Value::String(
            raw.trim_end_matches('`').to_string(),
        )));
    }
    match t {
        "true" => return Ok(Arg::Lit(Value::Bool(true))),
        "false" => return Ok(Arg::Lit(Value::Bool(false))),
        "nil" => return Ok(Arg::Lit(Value::Null)),
        _ => {}
    }
    if let Ok(n) = t.parse::<i64>() {
        return Ok(Arg::Lit(Value::from(n)));
    }
    if let Ok(f) = t.parse::<f64>() {
        return Ok(Arg::Lit(Value::from(f)));
    }
    if t.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Ok(Arg::Ident(t.to_string()));
    }
    Err(format!("template: bad word {t:?}"))
}

// ---- evaluation ----

type Scope = Vec<(String, Value)>;

/// A value, or "no value" (a missing field), which Go prints as `<no value>`.
type Val = Option<Value>;

fn exec(nodes: &[Node], dot: &Value, scope: &mut Scope, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(p) => {
                let v = eval_pipe(p, dot, scope)?;
                if p.decl.is_empty() {
                    out.push_str(&go_print(v.as_ref()));
                }
            }
            Node::If(p, then, otherwise) => {
                let mark = scope.len();
                let v = eval_pipe(p, dot, scope)?;
                if truthy(v.as_ref()) {
                    exec(then, dot, scope, out)?;
                } else {
                    exec(otherwise, dot, scope, out)?;
                }
                scope.truncate(mark);
            }
            Node::With(p, body, otherwise) => {
                let mark = scope.len();
                let v = eval_pipe(p, dot, scope)?;
                if truthy(v.as_ref()) {
                    exec(body, v.as_ref().unwrap_or(&Value::Null), scope, out)?;
                } else {
                    exec(otherwise, dot, scope, out)?;
                }
                scope.truncate(mark);
            }
            Node::Range(p, body, otherwise) => {
                let mark = scope.len();
                let plain = Pipe {
                    decl: Vec::new(),
                    assign: false,
                    cmds: p.cmds.clone(),
                };
                let v = eval_pipe(&plain, dot, scope)?;
                let items: Vec<(Value, Value)> = match v {
                    Some(Value::Array(a)) => a
                        .into_iter()
                        .enumerate()
                        .map(|(i, x)| (Value::from(i as i64), x))
                        .collect(),
                    Some(Value::Object(m)) => {
                        let mut keys: Vec<String> = m.keys().cloned().collect();
                        keys.sort();
                        keys.into_iter()
                            .map(|k| {
                                let x = m.get(&k).cloned().unwrap_or(Value::Null);
                                (Value::String(k), x)
                            })
                            .collect()
                    }
                    Some(Value::Number(n)) => (0..n.as_i64().unwrap_or(0))
                        .map(|i| (Value::from(i), Value::from(i)))
                        .collect(),
                    None | Some(Value::Null) => Vec::new(),
                    Some(other) => {
                        return Err(format!(
                            "template: range can't iterate over {}",
                            go_print(Some(&other))
                        ))
                    }
                };
                if items.is_empty() {
                    exec(otherwise, dot, scope, out)?;
                }
                for (k, x) in items {
                    let inner = scope.len();
                    match p.decl.as_slice() {
                        [v] => scope.push((v.clone(), x.clone())),
                        [kn, vn] => {
                            scope.push((kn.clone(), k));
                            scope.push((vn.clone(), x.clone()));
                        }
                        _ => {}
                    }
                    exec(body, &x, scope, out)?;
                    scope.truncate(inner);
                }
                scope.truncate(mark);
            }
        }
    }
    Ok(())
}

fn eval_pipe(p: &Pipe, dot: &Value, scope: &mut Scope) -> Result<Val, String> {
    let mut piped: Option<Val> = None;
    for cmd in &p.cmds {
        piped = Some(eval_cmd(cmd, piped, dot, scope)?);
    }
    let v = piped.unwrap_or(None);
    if !p.decl.is_empty() {
        let value = v.clone().unwrap_or(Value::Null);
        if p.assign {
            let name = &p.decl[0];
            match scope.iter_mut().rev().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value,
                None => return Err(format!("template: undefined variable: {name}")),
            }
        } else {
            scope.push((p.decl[0].clone(), value));
        }
    }
    Ok(v)
}

fn walk(mut v: Val, path: &[String]) -> Result<Val, String> {
    for key in path {
        v = match v {
            Some(Value::Object(m)) => m.get(key).cloned(),
            None | Some(Value::Null) => None,
            Some(other) => {
                return Err(format!(
                    "template: can't evaluate field {key} in type {}",
                    type_name(&other)
                ))
            }
        };
    }
    Ok(v)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "int",
        Value::Bool(_) => "bool",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        Value::Null => "interface {}",
    }
}

fn eval_arg(a: &Arg, dot: &Value, scope: &mut Scope) -> Result<Val, String> {
    match a {
        Arg::Field(path) => walk(Some(dot.clone()), path),
        Arg::Var(name, path) => {
            let v = scope
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("template: undefined variable: {name}"))?;
            walk(Some(v), path)
        }
        Arg::Lit(v) => Ok(Some(v.clone())),
        Arg::Sub(p, path) => {
            let v = eval_pipe(p, dot, scope)?;
            walk(v, path)
        }
        Arg::Ident(f) => call(f, Vec::new()),
    }
}

fn eval_cmd(
    cmd: &[Arg],
    piped: Option<Val>,
    dot: &Value,
    scope: &mut Scope,
) -> Result<Val, String> {
    if let Some(Arg::Ident(f)) = cmd.first() {
        let mut args = Vec::new();
        for a in &cmd[1..] {
            args.push(eval_arg(a, dot, scope)?);
        }
        if let Some(p) = piped {
            args.push(p);
        }
        return call(f, args);
    }
    if cmd.len() > 1 {
        return Err("template: can't give argument to non-function".into());
    }
    if piped.is_some() {
        return Err("template: can't give argument to non-function".into());
    }
    eval_arg(&cmd[0], dot, scope)
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
    }
}

fn text(v: &Val) -> String {
    go_print(v.as_ref())
}

fn int(v: &Val) -> Result<i64, String> {
    match v {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| "template: not an integer".into()),
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| format!("template: {s:?} is not an integer")),
        _ => Err("template: not an integer".into()),
    }
}

fn compare(a: &Val, b: &Val) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .ok_or_else(|| "template: incomparable numbers".into()),
        (Some(Value::String(x)), Some(Value::String(y))) => Ok(x.cmp(y)),
        _ => Err("template: incompatible types for comparison".into()),
    }
}

fn need(args: &[Val], n: usize, f: &str) -> Result<(), String> {
    if args.len() < n {
        return Err(format!(
            "template: wrong number of args for {f}: want {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

fn call(f: &str, args: Vec<Val>) -> Result<Val, String> {
    let s = |v: &str| Some(Value::String(v.to_string()));
    match f {
        "json" => {
            need(&args, 1, f)?;
            Ok(s(&serde_json::to_string(
                args[0].as_ref().unwrap_or(&Value::Null),
            )
            .unwrap_or_default()))
        }
        "upper" => Ok(s(&text(args.first().unwrap_or(&None)).to_uppercase())),
        "lower" => Ok(s(&text(args.first().unwrap_or(&None)).to_lowercase())),
        "title" => {
            let t = text(args.first().unwrap_or(&None));
            let mut out = String::new();
            let mut start = true;
            for c in t.chars() {
                if start && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = !c.is_alphanumeric();
            }
            Ok(s(&out))
        }
        "split" => {
            need(&args, 2, f)?;
            let sep = text(&args[1]);
            Ok(Some(Value::Array(
                text(&args[0])
                    .split(sep.as_str())
                    .map(|p| Value::String(p.into()))
                    .collect(),
            )))
        }
        "join" => {
            need(&args, 2, f)?;
            let sep = text(&args[1]);
            Ok(match &args[0] {
                Some(Value::Array(a)) => s(&a
                    .iter()
                    .map(|x| go_print(Some(x)))
                    .collect::<Vec<_>>()
                    .join(&sep)),
                other => s(&text(other)),
            })
        }
        "pad" => {
            need(&args, 3, f)?;
            let (l, r) = (
                int(&args[1])?.max(0) as usize,
                int(&args[2])?.max(0) as usize,
            );
            Ok(s(&format!(
                "{}{}{}",
                " ".repeat(l),
                text(&args[0]),
                " ".repeat(r)
            )))
        }
        "truncate" => {
            need(&args, 2, f)?;
            let n = int(&args[1])?.max(0) as usize;
            Ok(s(&text(&args[0]).chars().take(n).collect::<String>()))
        }
        "len" => {
            need(&args, 1, f)?;
            let n = match &args[0] {
                Some(Value::Array(a)) => a.len(),
                Some(Value::Object(m)) => m.len(),
                Some(Value::String(x)) => x.len(),
                None | Some(Value::Null) => 0,
                Some(v) => return Err(format!("template: len of type {}", type_name(v))),
            };
            Ok(Some(Value::from(n as i64)))
        }
        "index" => {
            need(&args, 1, f)?;
            let mut v = args[0].clone();
            for k in &args[1..] {
                v = match (&v, k) {
                    (Some(Value::Object(m)), key) => m.get(&text(key)).cloned(),
                    (Some(Value::Array(a)), key) => {
                        let i = int(key)?;
                        Some(
                            a.get(usize::try_from(i).map_err(|_| "template: index out of range")?)
                                .cloned()
                                .ok_or_else(|| format!("template: index out of range: {i}"))?,
                        )
                    }
                    (None | Some(Value::Null), _) => None,
                    (Some(other), _) => {
                        return Err(format!(
                            "template: can't index item of type {}",
                            type_name(other)
                        ))
                    }
                };
            }
            Ok(v)
        }
        "slice" => {
            need(&args, 1, f)?;
            let from = args.get(1).map(int).transpose()?.unwrap_or(0).max(0) as usize;
            match &args[0] {
                Some(Value::String(x)) => {
                    let to = args
                        .get(2)
                        .map(int)
                        .transpose()?
                        .map_or(x.len(), |t| t as usize);
                    x.get(from..to)
                        .map(&s)
                        .ok_or_else(|| "template: slice index out of range".into())
                }
                Some(Value::Array(a)) => {
                    let to = args
                        .get(2)
                        .map(int)
                        .transpose()?
                        .map_or(a.len(), |t| t as usize);
                    a.get(from..to)
                        .map(|p| Some(Value::Array(p.to_vec())))
                        .ok_or_else(|| "template: slice index out of range".into())
                }
                _ => Err("template: can't slice this".into()),
            }
        }
        "not" => Ok(Some(Value::Bool(!truthy(
            args.first().and_then(|v| v.as_ref()),
        )))),
        "and" => Ok(args
            .iter()
            .find(|v| !truthy(v.as_ref()))
            .or(args.last())
            .cloned()
            .unwrap_or(None)),
        "or" => Ok(args
            .iter()
            .find(|v| truthy(v.as_ref()))
            .or(args.last())
            .cloned()
            .unwrap_or(None)),
        "eq" => {
            need(&args, 2, f)?;
            let a = &args[0];
            Ok(Some(Value::Bool(args[1..].iter().any(|b| match (a, b) {
                (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
                _ => a == b,
            }))))
        }
        "ne" => {
            need(&args, 2, f)?;
            Ok(Some(Value::Bool(args[0] != args[1])))
        }
        "lt" | "le" | "gt" | "ge" => {
            need(&args, 2, f)?;
            let o = compare(&args[0], &args[1])?;
            use std::cmp::Ordering::*;
            Ok(Some(Value::Bool(match f {
                "lt" => o == Less,
                "le" => o != Greater,
                "gt" => o == Greater,
                _ => o != Less,
            })))
        }
        "print" => Ok(s(&go_sprint(&args))),
        "println" => {
            let parts: Vec<String> = args.iter().map(text).collect();
            Ok(s(&format!("{}\n", parts.join(" "))))
        }
        "printf" => {
            need(&args, 1, f)?;
            Ok(s(&printf(&text(&args[0]), &args[1..])))
        }
        other => Err(format!("template: function {other:?} not defined")),
    }
}

/// Go's fmt.Sprint: a space between operands when neither is a string.
fn go_sprint(args: &[Val]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Some(Value::String(_)));
        let prev_str = i > 0 && matches!(args[i - 1], Some(Value::String(_)));
        if i > 0 && !is_str && !prev_str {
            out.push(' ');
        }
        out.push_str(&text(a));
    }
    out
}

/// Go's Sprintf for the verbs docker formats use: %s %v %d %q %t %x %%
/// with width and `-` (left) flags.
fn printf(fmt: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let mut next = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut left = false;
        let mut width = String::new();
        while let Some(&d) = it.peek() {
            if d == '-' {
                left = true;
                it.next();
            } else if d.is_ascii_digit() {
                width.push(d);
                it.next();
            } else {
                break;
            }
        }
        let Some(verb) = it.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args.get(next).cloned();
        next += 1;
        let Some(arg) = arg else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        let body = match verb {
            'q' => serde_json::to_string(&text(&arg)).unwrap_or_default(),
            'x' => match &arg {
                Some(Value::Number(n)) => format!("{:x}", n.as_i64().unwrap_or(0)),
                other => text(other).bytes().map(|b| format!("{b:02x}")).collect(),
            },
            _ => text(&arg),
        };
        let w: usize = width.parse().unwrap_or(0);
        let pad = w.saturating_sub(body.chars().count());
        if left {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    out
}

/// Prints a value the way Go's fmt prints the equivalent Go value.
fn go_print(v: Option<&Value>) -> String {
    match v {
        None => "<no value>".into(),
        Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(a)) => format!(
            "[{}]",
            a.iter()
                .map(|x| go_print(Some(x)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Some(Value::Object(m)) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", go_print(m.get(*k))))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_json_and_functions() {
        let d = json!({"Id": "sha256:x", "Config": {"Cmd": ["sh", "-c", "x"], "Env": null, "Labels": {"b": "2", "a": "1"}}, "State": {"Running": true, "Pid": 42}});
        assert_eq!(render("{{.Id}}", &d).unwrap(), "sha256:x");
        assert_eq!(
            render("{{ .State.Running }}/{{.State.Pid}}", &d).unwrap(),
            "true/42"
        );
        assert_eq!(
            render("{{json .Config.Cmd}}", &d).unwrap(),
            r#"["sh","-c","x"]"#
        );
        assert_eq!(render("{{.Config.Cmd}}", &d).unwrap(), "[sh -c x]");
        assert_eq!(render("{{.Config.Labels}}", &d).unwrap(), "map[a:1 b:2]");
        assert_eq!(render("{{index .Config.Labels \"b\"}}", &d).unwrap(), "2");
        assert_eq!(render("{{join .Config.Cmd \",\"}}", &d).unwrap(), "sh,-c,x");
        assert_eq!(render("{{.Config.Env}}", &d).unwrap(), "<nil>");
        assert_eq!(render("{{.Nope}}", &d).unwrap(), "<no value>");
        assert_eq!(render("a\\t{{.Id}}", &d).unwrap(), "a\\tsha256:x");
        assert!(render("{{.Id", &d).is_err());
        assert!(render("{{bogus .Id}}", &d).is_err());
    }

    #[test]
    fn control_structures_variables_and_pipes() {
        let d = json!({
            "Name": "web",
            "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "10.88.0.2"}, "app": {"IPAddress": "10.89.0.3"}}},
            "Mounts": [{"Source": "/a", "Destination": "/x"}, {"Source": "/b", "Destination": "/y"}],
            "State": {"Running": false, "ExitCode": 3},
            "Empty": [],
            "Tags": "a,b,c"
        });
        let r = |t: &str| render(t, &d).unwrap();
        assert_eq!(
            r("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"),
            "10.89.0.3 10.88.0.2 "
        );
        assert_eq!(
            r("{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}};{{end}}"),
            "app=10.89.0.3;bridge=10.88.0.2;"
        );
        assert_eq!(
            r("{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}}->{{.Destination}} {{end}}"),
            "0:/a->/x 1:/b->/y "
        );
        assert_eq!(r("{{range .Empty}}x{{else}}none{{end}}"), "none");
        assert_eq!(
            r("{{if .State.Running}}up{{else if eq .State.ExitCode 3}}three{{else}}down{{end}}"),
            "three"
        );
        assert_eq!(
            r("{{if and .Name (not .State.Running)}}stopped {{.Name}}{{end}}"),
            "stopped web"
        );
        assert_eq!(
            r("{{with .NetworkSettings.Networks.bridge}}{{.IPAddress}}{{end}}"),
            "10.88.0.2"
        );
        assert_eq!(r("{{with .Nope}}x{{else}}no{{end}}"), "no");
        assert_eq!(r("{{$n := .Name}}{{upper $n}}"), "WEB");
        assert_eq!(r("{{.Name | upper}}"), "WEB");
        assert_eq!(r("{{.Name | printf \"%-5s|\"}}"), "web  |");
        assert_eq!(
            r("{{printf \"%s has %d\" .Name .State.ExitCode}}"),
            "web has 3"
        );
        assert_eq!(
            r("{{len .Mounts}} {{slice .Name 1}} {{index .Mounts 1 \"Source\"}}"),
            "2 eb /b"
        );
        assert_eq!(
            r("{{split .Tags \",\"}} {{join (split .Tags \",\") \"+\"}}"),
            "[a b c] a+b+c"
        );
        assert_eq!(
            r("{{title \"hello world\"}} {{lower \"ABC\"}}"),
            "Hello World abc"
        );
        assert_eq!(r("[{{pad .Name 1 2}}] {{truncate .Name 2}}"), "[ web  ] we");
        assert_eq!(
            r("{{lt 1 2}} {{ge .State.ExitCode 4}} {{ne .Name \"x\"}} {{or .Nope \"dflt\"}}"),
            "true false true dflt"
        );
        assert_eq!(r("{{println .Name}}"), "web\n");
        assert_eq!(r("a  {{- .Name -}}  b"), "awebb");
        assert_eq!(r("{{/* a comment */}}x"), "x");
        assert_eq!(r("{{(index .Mounts 0).Source}}"), "/a");
        assert!(render("{{if .Name}}x", &d).is_err());
        assert!(render("{{end}}", &d).is_err());
        assert!(render("{{$nope}}", &d).is_err());
    }
}
