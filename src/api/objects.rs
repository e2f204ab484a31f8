//! `/volumes/...` and `/networks/...`.

use super::http::{Conn, Request};
use super::{json_body, not_found, ApiError, Handled, Reply, Server};
use crate::engine::{NetworkRequest, PruneFilter};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn route(server: &Server, m: &str, parts: &[&str], req: &Request, conn: &mut Conn) -> Handled {
    match (m, parts) {
        ("GET", ["volumes"]) => volume_list(server, req),
        ("POST", ["volumes", "create"]) => volume_create(server, conn),
        ("POST", ["volumes", "prune"]) => {
            let filter = PruneFilter::parse(&req.filters().map_err(ApiError::bad)?)?;
            // Below API 1.42 prune takes every unused volume, named too.
            let (names, freed) = server.engine.volume_prune(true, &filter)?;
            Ok(Reply::Json(
                200,
                json!({"VolumesDeleted": names, "SpaceReclaimed": freed}),
            ))
        }
        ("GET", ["volumes", name]) => Ok(Reply::Json(200, server.engine.volume_inspect(name)?)),
        ("DELETE", ["volumes", name]) => {
            let r = server.engine.volume_rm(name);
            match r {
                Err(e)
                    if req.q_bool("force", false)
                        && e.kind() == crate::engine::ErrorKind::NotFound =>
                {
                    Ok(Reply::Empty(204))
                }
                Err(e) => Err(e.into()),
                Ok(()) => Ok(Reply::Empty(204)),
            }
        }
        ("GET", ["networks"]) => network_list(server, req),
        ("POST", ["networks", "create"]) => network_create(server, conn),
        ("POST", ["networks", "prune"]) => {
            let filter = PruneFilter::parse(&req.filters().map_err(ApiError::bad)?)?;
            let names = server.engine.network_prune(&filter)?;
            Ok(Reply::Json(200, json!({"NetworksDeleted": names})))
        }
        ("GET", ["networks", id]) => Ok(Reply::Json(200, server.engine.network_inspect(id)?)),
        ("DELETE", ["networks", id]) => {
            server.engine.network_rm(id)?;
            Ok(Reply::Empty(204))
        }
        ("POST", ["networks", id, "connect"]) => connect(server, id, conn, true),
        ("POST", ["networks", id, "disconnect"]) => connect(server, id, conn, false),
        _ => Err(not_found(m, &req.path)),
    }
}

fn filter_map(req: &Request) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in req.filters().map_err(ApiError::bad)? {
        if let Some((k, v)) = f.split_once('=') {
            m.entry(k.to_string()).or_default().push(v.to_string());
        }
    }
    Ok(m)
}

fn labels_match(labels: &Value, wanted: &[String]) -> bool {
    wanted.iter().all(|w| match w.split_once('=') {
        Some((k, v)) => labels[k].as_str() == Some(v),
        None => labels.get(w.as_str()).is_some(),
    })
}

fn volume_list(server: &Server, req: &Request) -> Handled {
    let f = filter_map(req)?;
    let mut out = Vec::new();
    for (rec, users) in server.engine.volume_list()? {
        let v = server.engine.volume_inspect(&rec.name)?;
        let v = if v.is_array() { v[0].clone() } else { v };
        let ok = f.iter().all(|(k, vals)| match k.as_str() {
            "name" => vals.iter().any(|n| rec.name.contains(n.as_str())),
            "driver" => vals.iter().any(|d| d == "local"),
            "dangling" => vals.iter().any(|d| (d == "true") == (users == 0)),
            "label" => labels_match(&v["Labels"], vals),
            _ => true,
        });
        if ok {
            out.push(v);
        }
    }
    Ok(Reply::Json(200, json!({"Volumes": out, "Warnings": []})))
}

fn volume_create(server: &Server, conn: &mut Conn) -> Handled {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        name: String,
        driver: String,
        driver_opts: Option<BTreeMap<String, String>>,
        labels: Option<BTreeMap<String, String>>,
    }
    let b: Body = json_body(conn)?;
    if !b.driver.is_empty() && b.driver != "local" {
        return Err(ApiError::new(
            404,
            format!(
                "error looking up volume plugin {}: plugin \"{}\" not found",
                b.driver, b.driver
            ),
        ));
    }
    let name = server.engine.volume_create(
        Some(b.name.as_str()).filter(|n| !n.is_empty()),
        b.labels.unwrap_or_default(),
        b.driver_opts.unwrap_or_default(),
    )?;
    let v = server.engine.volume_inspect(&name)?;
    let v = if v.is_array() { v[0].clone() } else { v };
    Ok(Reply::Json(201, v))
}

fn network_list(server: &Server, req: &Request) -> Handled {
    let f = filter_map(req)?;
    let mut out = Vec::new();
    for n in server.engine.network_list() {
        let name = n["Name"].as_str().unwrap_or_default().to_string();
        let Ok(full) = server.engine.network_inspect(&name) else {
            continue;
        };
        let full = if full.is_array() {
            full[0].clone()
        } else {
            full
        };
        let id = full["Id"].as_str().unwrap_or_default();
        let ok = f.iter().all(|(k, vals)| match k.as_str() {
            // docker's name filter matches substrings.
            "name" => vals.iter().any(|v| name.contains(v.as_str())),
            "id" => vals.iter().any(|v| id.starts_with(v.as_str())),
            "driver" => vals.iter().any(|v| full["Driver"].as_str() == Some(v)),
            "label" => labels_match(&full["Labels"], vals),
            "type" => vals.iter().any(|v| {
                let builtin = crate::engine::PREDEFINED_NETWORKS.contains(&name.as_str());
                (v == "builtin") == builtin
            }),
            _ => true,
        });
        if ok {
            out.push(full);
        }
    }
    Ok(Reply::Json(200, json!(out)))
}

fn network_create(server: &Server, conn: &mut Conn) -> Handled {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Pool {
        subnet: String,
        gateway: String,
        #[serde(rename = "IPRange")]
        ip_range: String,
    }
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Ipam {
        config: Option<Vec<Pool>>,
    }
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        name: String,
        driver: String,
        internal: bool,
        labels: Option<BTreeMap<String, String>>,
        options: Option<BTreeMap<String, String>>,
        #[serde(rename = "IPAM")]
        ipam: Option<Ipam>,
    }
    let b: Body = json_body(conn)?;
    let pool = b
        .ipam
        .and_then(|i| i.config)
        .and_then(|c| c.into_iter().next())
        .unwrap_or_default();
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    let id = server.engine.network_create(&NetworkRequest {
        name: b.name,
        driver: if b.driver.is_empty() {
            "bridge".into()
        } else {
            b.driver
        },
        subnet: some(pool.subnet),
        gateway: some(pool.gateway),
        ip_range: some(pool.ip_range),
        internal: b.internal,
        labels: b.labels.unwrap_or_default(),
        options: b.options.unwrap_or_default(),
    })?;
    Ok(Reply::Json(201, json!({"Id": id, "Warning": ""})))
}

fn connect(server: &Server, net: &str, conn: &mut Conn, join: bool) -> Handled {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase", default)]
    struct Body {
        container: String,
        endpoint_config: Option<super::create::EndpointConfig>,
    }
    let b: Body = json_body(conn)?;
    if join {
        let (aliases, ip) = match b.endpoint_config {
            Some(e) => (
                e.aliases.unwrap_or_default(),
                e.ipam_config
                    .map(|c| c.ipv4_address)
                    .filter(|a| !a.is_empty()),
            ),
            None => (Vec::new(), None),
        };
        server
            .engine
            .network_connect(net, &b.container, &aliases, ip.as_deref())?;
    } else {
        server.engine.network_disconnect(net, &b.container)?;
    }
    Ok(Reply::Empty(200))
}
