//! User-defined networks: `network create|ls|inspect|rm|prune`, and name
//! resolution on them. Each network is a bridge of its own; containers on
//! one find each other by name, alias and short id through their
//! `/etc/hosts`, which strata rewrites (in place: it is bind-mounted) in
//! every running member whenever one starts or stops. A container is
//! written its peers before its command runs, so one started later is
//! resolvable at once, and one that stopped is gone from the others.
//! The default bridge has no name resolution, as docker's.

use super::{Engine, Error, Result};
use crate::container::Record;
use crate::network::{self, NetworkRecord};
use crate::util::{fsx, hash, ids, time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What `network create` is asked.
#[derive(Debug, Clone, Default)]
pub struct NetworkRequest {
    pub name: String,
    pub driver: String,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
}

/// A stable id for docker's predefined networks.
fn predefined_id(name: &str) -> String {
    hash::hex_part(&hash::sha256_digest(
        format!("strata network {name}").as_bytes(),
    ))
    .to_string()
}

impl Engine {
    /// `network create`: its id.
    pub fn network_create(&self, req: &NetworkRequest) -> Result<String> {
        if !network::user::valid_name(&req.name) {
            return Err(Error::Invalid(format!(
                "invalid network name {:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                req.name
            )));
        }
        if network::user::PREDEFINED.contains(&req.name.as_str()) {
            return Err(Error::Conflict(format!(
                "network with name {} already exists",
                req.name
            )));
        }
        if !req.driver.is_empty() && req.driver != "bridge" {
            return Err(Error::Invalid(format!(
                "plugin \"{}\" not found: only the bridge driver is built in",
                req.driver
            )));
        }
        let _lock = self.networks.lock()?;
        // Machine-wide: two stores must never choose the same free subnet.
        let _choosing = {
            let dir = std::path::Path::new("/run/strata-net");
            let _ = std::fs::create_dir_all(dir);
            crate::util::lock::exclusive(&dir.join("networks.lock")).map_err(|err| Error::Io {
                what: "lock /run/strata-net/networks.lock".into(),
                err,
            })?
        };
        if self
            .networks
            .get(&req.name)
            .is_ok_and(|r| r.name == req.name)
        {
            return Err(Error::Conflict(format!(
                "network with name {} already exists",
                req.name
            )));
        }
        let id = ids::random_hex(32);
        let bridge = req
            .options
            .get("com.docker.network.bridge.name")
            .cloned()
            .unwrap_or_else(|| format!("br-{}", &id[..12]));
        if bridge.len() > 15 || bridge.contains('/') || bridge.is_empty() {
            return Err(Error::Invalid(format!("invalid bridge name {bridge:?}")));
        }
        let taken: Vec<network::Subnet> = self
            .networks
            .list()
            .iter()
            .filter_map(|r| network::Subnet::parse(&r.subnet).ok())
            .collect();
        let subnet = network::user::choose_subnet(req.subnet.as_deref(), &taken, &bridge)?;
        let gateway = match &req.gateway {
            Some(g) => {
                let ip: std::net::Ipv4Addr = g
                    .parse()
                    .map_err(|_| Error::Invalid(format!("invalid gateway address {g}")))?;
                if !subnet.overlaps(&network::Subnet {
                    addr: ip,
                    prefix: 32,
                }) {
                    return Err(Error::Invalid(format!(
                        "Invalid gateway address {g}: it is not in the subnet {subnet}"
                    )));
                }
                ip
            }
            None => subnet.gateway(),
        };
        if req.gateway.is_some() && req.subnet.is_none() {
            return Err(Error::Invalid("gateway needs a subnet (--subnet)".into()));
        }
        if let Some(r) = &req.ip_range {
            let range = network::Subnet::parse(r).map_err(Error::Invalid)?;
            if !subnet.overlaps(&range) || range.prefix < subnet.prefix {
                return Err(Error::Invalid(format!(
                    "Invalid range {r}: it is not in the subnet {subnet}"
                )));
            }
        }
        let rec = NetworkRecord {
            id: id.clone(),
            name: req.name.clone(),
            created: time::rfc3339(time::now_nanos()),
            driver: "bridge".into(),
            subnet: subnet.to_string(),
            gateway: gateway.to_string(),
            ip_range: req.ip_range.clone(),
            internal: req.internal,
            labels: req.labels.clone(),
            options: req.options.clone(),
            bridge,
        };
        self.networks.create(&rec)?;
        self.event(
            "network",
            "create",
            &id,
            &[("name", &rec.name), ("type", "bridge")],
        );
        Ok(id)
    }

    /// The running containers on user network `name`: each record, its
    /// state, and its address there.
    fn members(&self, name: &str) -> Vec<(Record, crate::container::State, String)> {
        let mut out = Vec::new();
        for id in self.containers.ids().unwrap_or_default() {
            let Ok(rec) = self.containers.record(&id) else {
                continue;
            };
            let first = rec.network == name;
            if !first && !rec.extra_networks.iter().any(|e| e.network == name) {
                continue;
            }
            let Ok(st) = self.containers.state(&id) else {
                continue;
            };
            if !st.is_running() {
                continue;
            }
            let ip = if first {
                st.ip_address.clone()
            } else {
                st.endpoints
                    .get(name)
                    .map(|j| j.ip.clone())
                    .unwrap_or_default()
            };
            if !ip.is_empty() {
                out.push((rec, st, ip));
            }
        }
        out
    }

    /// Every container on user network `name` (running or not).
    fn attached(&self, name: &str) -> Vec<String> {
        self.containers
            .ids()
            .unwrap_or_default()
            .into_iter()
            .filter(|id| {
                self.containers.record(id).is_ok_and(|r| {
                    r.network == name || r.extra_networks.iter().any(|e| e.network == name)
                })
            })
            .collect()
    }

    /// The `/etc/hosts` lines of a network's members: address, name,
    /// aliases, short id.
    fn peer_lines(network: &str, members: &[(Record, crate::container::State, String)]) -> String {
        let mut s = String::new();
        for (r, _, ip) in members {
            let mut names = vec![r.name.clone()];
            if r.network == network {
                names.extend(r.network_aliases.iter().cloned());
            }
            for e in r.extra_networks.iter().filter(|e| e.network == network) {
                names.extend(e.aliases.iter().cloned());
            }
            names.push(r.id[..12].to_string());
            s.push_str(&format!("{ip}\t{}\n", names.join(" ")));
        }
        s
    }

    /// A container's hosts file on a user network: its own lines, then
    /// its peers'.
    pub(super) fn network_hosts(&self, rec: &Record, ip: std::net::Ipv4Addr) -> String {
        let mut hosts = network::hosts(&rec.hostname, Some(ip), &rec.extra_hosts);
        if rec.network != "bridge" {
            let mut me = vec![rec.name.clone()];
            me.extend(rec.network_aliases.iter().cloned());
            hosts.push_str(&format!("{ip}\t{}\n", me.join(" ")));
            let nets = std::iter::once(rec.network.clone())
                .chain(rec.extra_networks.iter().map(|e| e.network.clone()));
            for n in nets {
                let peers: Vec<_> = self
                    .members(&n)
                    .into_iter()
                    .filter(|(r, _, _)| r.id != rec.id)
                    .collect();
                hosts.push_str(&Self::peer_lines(&n, &peers));
            }
        }
        hosts
    }

    /// Rewrites the hosts file of every running member of user network
    /// `name` (in place: each is bind-mounted into its container).
    pub(super) fn refresh_hosts(&self, name: &str) {
        if network::user::PREDEFINED.contains(&name) {
            return;
        }
        for (rec, st, _) in self.members(name) {
            let Ok(ip) = st.ip_address.parse() else {
                continue;
            };
            let text = self.network_hosts(&rec, ip);
            let _ =
                fsx::rewrite_in_place(&self.containers.dir(&rec.id).join("hosts"), text.as_bytes());
        }
    }

    /// docker's `connect`/`disconnect` event of `container` on network
    /// `name` (a predefined one is not looked up in the store).
    pub(super) fn network_event(&self, action: &str, name: &str, container: &str) {
        let id = if network::user::PREDEFINED.contains(&name) {
            predefined_id(name)
        } else {
            match self.networks.get(name) {
                Ok(n) => n.id,
                Err(_) => name.to_string(),
            }
        };
        let attrs = [("container", container), ("name", name), ("type", "bridge")];
        self.event("network", action, &id, &attrs);
    }

    /// The bridge a container's network runs on.
    pub(super) fn bridge_of(&self, rec: &Record) -> Result<network::Bridge> {
        if network::user::PREDEFINED.contains(&rec.network.as_str()) {
            return Ok(self.settings.bridge());
        }
        Ok(self.networks.get(&rec.network)?.bridge())
    }

    /// A user network's record (for `run --network NAME`).
    pub(super) fn user_network(&self, name: &str) -> Result<NetworkRecord> {
        Ok(self.networks.get(name)?)
    }

    /// `network ls`: the predefined ones, then the user networks.
    pub fn network_list(&self) -> Vec<Value> {
        let mut out: Vec<Value> = network::user::PREDEFINED
            .iter()
            .map(|n| {
                json!({
                    "ID": predefined_id(n)[..12], "Name": n,
                    "Driver": if *n == "none" { "null" } else { n }, "Scope": "local",
                    "Internal": false, "Labels": "", "CreatedAt": "",
                })
            })
            .collect();
        for r in self.networks.list() {
            out.push(json!({
                "ID": r.id[..12], "Name": r.name, "Driver": r.driver, "Scope": "local",
                "Internal": r.internal,
                "Labels": r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
                "CreatedAt": r.created,
            }));
        }
        out
    }

    /// `network inspect`: docker's JSON.
    pub fn network_inspect(&self, name: &str) -> Result<Value> {
        if network::user::PREDEFINED.contains(&name) {
            return Ok(json!({
                "Name": name, "Id": predefined_id(name), "Scope": "local",
                "Driver": if name == "none" { "null" } else { name },
                "EnableIPv6": false, "Internal": false, "Attachable": false, "Ingress": false,
                "IPAM": {"Driver": "default", "Options": null, "Config": []},
                "Containers": {}, "Options": {}, "Labels": {},
            }));
        }
        let r = self.networks.get(name)?;
        let mut containers = serde_json::Map::new();
        for (rec, _, ip) in self.members(&r.name) {
            containers.insert(
                rec.id.clone(),
                json!({
                    "Name": rec.name, "EndpointID": "", "MacAddress": "",
                    "IPv4Address": format!("{ip}/{}", r.subnet.split('/').nth(1).unwrap_or("24")),
                    "IPv6Address": "",
                }),
            );
        }
        let mut config = json!({"Subnet": r.subnet, "Gateway": r.gateway});
        if let Some(range) = &r.ip_range {
            config["IPRange"] = json!(range);
        }
        Ok(json!({
            "Name": r.name, "Id": r.id, "Created": r.created, "Scope": "local",
            "Driver": r.driver, "EnableIPv6": false,
            "IPAM": {"Driver": "default", "Options": {}, "Config": [config]},
            "Internal": r.internal, "Attachable": false, "Ingress": false,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": false,
            "Containers": containers, "Options": r.options, "Labels": r.labels,
        }))
    }

    /// `network connect [--alias] [--ip] NETWORK CONTAINER`: the network
    /// is the container's from now on (joined at each start); a running
    /// one gets a link on it at once (`eth1`, ...), owned by its
    /// supervisor, and its peers learn its name.
    pub fn network_connect(
        &self,
        name: &str,
        container: &str,
        aliases: &[String],
        ip: Option<&str>,
    ) -> Result<()> {
        let net = self.networks.get(name)?;
        let id = self.containers.resolve(container)?;
        let _guard = self.containers.lock(&id)?;
        let mut rec = self.containers.record(&id)?;
        if rec.network == "host" || rec.network == "none" {
            return Err(Error::Conflict(format!(
                "container cannot be connected to network {} with --network {}",
                net.name, rec.network
            )));
        }
        if rec.network == net.name || rec.extra_networks.iter().any(|e| e.network == net.name) {
            return Err(Error::Conflict(format!(
                "endpoint with name {} already exists in network {}",
                rec.name, net.name
            )));
        }
        let asked: Option<std::net::Ipv4Addr> = match ip {
            Some(i) => Some(
                i.parse()
                    .map_err(|_| Error::Invalid(format!("invalid IPv4 address: {i}")))?,
            ),
            None => None,
        };
        rec.extra_networks.push(crate::container::Endpoint {
            network: net.name.clone(),
            aliases: aliases.to_vec(),
            ip: ip.map(str::to_string),
        });
        let mut st = self.containers.state_locked(&id)?;
        let running = st.is_running()
            && crate::container::state::is_alive(st.pid, st.pid_start)
            && !st.ip_address.is_empty();
        if running {
            let ifname = (1..)
                .map(|i| format!("eth{i}"))
                .find(|n| !st.endpoints.values().any(|j| j.ifname == *n))
                .unwrap_or_default();
            let bridge = net.bridge();
            let a = bridge.lease_owned(&id, &[], asked, (st.supervisor, st.supervisor_start))?;
            if let Err(e) = a.connect_as(st.pid, &ifname, false) {
                bridge.release(&id);
                return Err(e.into());
            }
            st.endpoints.insert(
                net.name.clone(),
                crate::container::state::Joined {
                    ip: a.ip.to_string(),
                    ifname,
                },
            );
            self.containers.set_state(&id, &st)?;
        }
        self.containers.set_record(&rec)?;
        if running {
            self.refresh_hosts(&net.name);
            self.refresh_hosts(&rec.network);
        }
        self.network_event("connect", &net.name, &id);
        Ok(())
    }

    /// `network disconnect NETWORK CONTAINER` (of a network it was
    /// connected to; its first network stays).
    pub fn network_disconnect(&self, name: &str, container: &str) -> Result<()> {
        let net = self.networks.get(name)?;
        let id = self.containers.resolve(container)?;
        let _guard = self.containers.lock(&id)?;
        let mut rec = self.containers.record(&id)?;
        if rec.network == net.name {
            return Err(Error::Conflict(format!(
                "container {} is on {} since it was created: only networks connected later can be disconnected here",
                rec.name, net.name
            )));
        }
        let Some(at) = rec
            .extra_networks
            .iter()
            .position(|e| e.network == net.name)
        else {
            return Err(Error::Conflict(format!(
                "container {} is not connected to network {}",
                rec.name, net.name
            )));
        };
        rec.extra_networks.remove(at);
        let mut st = self.containers.state_locked(&id)?;
        if let Some(j) = st.endpoints.remove(&net.name) {
            if st.is_running() {
                let _ = network::unplug(st.pid, &j.ifname);
            }
            net.bridge().release(&id);
            self.containers.set_state(&id, &st)?;
        }
        self.containers.set_record(&rec)?;
        self.refresh_hosts(&net.name);
        self.refresh_hosts(&rec.network);
        self.network_event("disconnect", &net.name, &id);
        Ok(())
    }

    /// `network rm`: refused while a container is attached.
    pub fn network_rm(&self, name: &str) -> Result<String> {
        if network::user::PREDEFINED.contains(&name) {
            return Err(Error::Conflict(format!(
                "{name} is a pre-defined network and cannot be removed"
            )));
        }
        let _lock = self.networks.lock()?;
        let r = self.networks.get(name)?;
        let running = self.members(&r.name);
        if !running.is_empty() {
            return Err(Error::Conflict(format!(
                "error while removing network: network {} id {} has active endpoints",
                r.name, r.id
            )));
        }
        self.networks.remove(&r)?;
        self.event(
            "network",
            "destroy",
            &r.id,
            &[("name", &r.name), ("type", "bridge")],
        );
        Ok(r.name)
    }

    /// `network prune`: user networks no container uses.
    pub fn network_prune(&self, filter: &super::PruneFilter) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for r in self.networks.list() {
            if !self.attached(&r.name).is_empty() {
                continue;
            }
            if !filter.matches(time::parse_rfc3339(&r.created), &r.labels) {
                continue;
            }
            if self.network_rm(&r.name).is_ok() {
                out.push(r.name);
            }
        }
        Ok(out)
    }
}
