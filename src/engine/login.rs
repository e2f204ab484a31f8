//! `login` / `logout`: credentials checked against the registry (`GET
//! /v2/` through its auth challenge), then kept in docker's config file.

use super::{Engine, Error, Result};
use crate::registry::{self, auth, Client, Credentials};

/// The registry host a `login` argument names: `docker.io` when none (or
/// Docker Hub's index URL); a scheme and path are dropped.
pub fn registry_host(server: Option<&str>) -> String {
    let Some(s) = server.filter(|s| !s.is_empty()) else {
        return "docker.io".into();
    };
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next().unwrap_or(s);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".into(),
        h => h.to_string(),
    }
}

impl Engine {
    /// Checks `creds` with the registry and stores them.
    pub fn login(&self, server: Option<&str>, creds: Credentials, tls_verify: bool) -> Result<()> {
        let host = registry_host(server);
        let plain = !tls_verify
            || registry::client::plain_http(
                &host,
                &super::pull::insecure_registries(&self.settings),
            );
        let client = Client::new(&host, Some(creds.clone()), plain);
        client.ping().map_err(|e| match e {
            registry::Error::Unauthorized { url, .. } => Error::Invalid(format!(
                "Get {url:?}: unauthorized: incorrect username or password"
            )),
            e => e.into(),
        })?;
        auth::store(&self.settings.docker_config, &host, Some(&creds))?;
        Ok(())
    }

    /// Removes the stored login; false when there was none.
    pub fn logout(&self, server: Option<&str>) -> Result<bool> {
        let host = registry_host(server);
        Ok(auth::store(&self.settings.docker_config, &host, None)?)
    }
}
