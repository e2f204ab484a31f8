//! A subset of Go's text/template, enough for docker's `--format` and
//! `inspect -f`: `{{.A.B}}`, `{{json .A}}`, `{{index .A "k"}}`,
//! `{{join .A ","}}`, `{{upper .A}}`, `{{lower .A}}`, `{{len .A}}`, `{{.}}`,
//! with Go's way of printing values (`[a b]`, `map[k:v]`).

use serde_json::Value;

/// Renders `tmpl` against `data`.
pub fn render(tmpl: &str, data: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = tmpl;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("template: unclosed action in {tmpl:?}"))?;
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        out.push_str(&eval(action, data)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn words(action: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in action.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(std::mem::take(&mut cur));
            }
            (Some(_), c) => cur.push(c),
            (None, '"') | (None, '`') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn lookup<'a>(path: &str, data: &'a Value) -> Result<Option<&'a Value>, String> {
    if path == "." {
        return Ok(Some(data));
    }
    let Some(p) = path.strip_prefix('.') else {
        return Err(format!("template: unknown value {path:?}"));
    };
    let mut v = data;
    for key in p.split('.') {
        match v {
            Value::Object(m) => match m.get(key) {
                Some(x) => v = x,
                None => return Ok(None),
            },
            Value::Null => return Ok(None),
            _ => return Err(format!("template: can't evaluate field {key}")),
        }
    }
    Ok(Some(v))
}

fn arg<'a>(w: Option<&String>, data: &'a Value) -> Result<Option<&'a Value>, String> {
    match w {
        Some(w) => lookup(w, data),
        None => Err("template: missing argument".into()),
    }
}

fn eval(action: &str, data: &Value) -> Result<String, String> {
    let w = words(action);
    let Some(head) = w.first() else {
        return Ok(String::new());
    };
    match head.as_str() {
        "json" => Ok(
            serde_json::to_string(arg(w.get(1), data)?.unwrap_or(&Value::Null)).unwrap_or_default(),
        ),
        "upper" => Ok(go_print(arg(w.get(1), data)?).to_uppercase()),
        "lower" => Ok(go_print(arg(w.get(1), data)?).to_lowercase()),
        "len" => Ok(match arg(w.get(1), data)? {
            Some(Value::Array(a)) => a.len(),
            Some(Value::Object(m)) => m.len(),
            Some(Value::String(s)) => s.len(),
            _ => 0,
        }
        .to_string()),
        "index" => {
            let v = arg(w.get(1), data)?;
            let key = w.get(2).ok_or("template: index needs a key")?;
            Ok(go_print(match v {
                Some(Value::Object(m)) => m.get(key.as_str()),
                Some(Value::Array(a)) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            }))
        }
        "join" => {
            let sep = w.get(2).cloned().unwrap_or_default();
            match arg(w.get(1), data)? {
                Some(Value::Array(a)) => Ok(a
                    .iter()
                    .map(|x| go_print(Some(x)))
                    .collect::<Vec<_>>()
                    .join(&sep)),
                other => Ok(go_print(other)),
            }
        }
        p if p.starts_with('.') => Ok(go_print(lookup(p, data)?)),
        other => Err(format!("template: function {other:?} not defined")),
    }
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
}
