//! `import`: a rootfs tarball becomes a one-layer image.

use super::{Engine, Error, Result};
use crate::image::{History, ImageConfig, Reference, RootFs};
use crate::util::time;
use std::io::Read;

impl Engine {
    /// Imports `input` as a new image, tagged `reference` when given.
    /// Returns the image id. The reference is checked before any byte is
    /// read, and the tag is set only once the image is complete.
    pub fn import(
        &self,
        input: impl Read,
        reference: Option<&str>,
        message: Option<&str>,
        changes: &[String],
    ) -> Result<String> {
        let reference = match reference {
            Some(r) => Some(Reference::parse_tagged(r).map_err(|e| Error::Invalid(e.0))?),
            None => None,
        };
        // `-c`: docker's Dockerfile instructions for the config, checked
        // before anything is stored.
        let changes = crate::dockerfile::parse_changes(changes).map_err(|e| Error::Invalid(e.0))?;
        let mut state = crate::build::ConfigState::new(Default::default());
        for c in &changes {
            crate::build::apply_config(&mut state, c).map_err(|e| Error::Invalid(e.0))?;
        }
        let _lease = self.images.lease()?;
        self.sweep();
        let layer = self.images.add_layer(input, None)?;
        let now = time::rfc3339(time::now_nanos());
        let config = ImageConfig {
            config: state.config,
            created: Some(now.clone()),
            architecture: arch().to_string(),
            os: "linux".into(),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![layer.diff_id],
            },
            history: vec![History {
                created: Some(now),
                created_by: None,
                comment: Some(
                    message
                        .map(str::to_string)
                        .unwrap_or_else(|| "Imported from -".into()),
                ),
                ..Default::default()
            }],
            ..Default::default()
        };
        let id = self.images.put_config(&config.to_bytes())?;
        if let Some(r) = reference {
            let _guard = self.images.lock()?;
            self.images.set_tag(&r, &id)?;
        }
        self.event("image", "import", &id, &[]);
        Ok(id)
    }
}

/// The OCI architecture name of this machine.
pub fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}
