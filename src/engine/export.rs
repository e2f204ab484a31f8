//! `export`: a container's merged file system as a tar stream, from a
//! read-only overlay mounted in a private mount namespace.

use super::{Engine, Error, Result};
use crate::archive;
use std::io::Write;

impl Engine {
    /// Writes container `name`'s file system as a tar to `out`.
    pub fn export(&self, name: &str, out: &mut dyn Write) -> Result<()> {
        let id = self.containers.resolve(name)?;
        let _lock = self.containers.lock(&id)?;
        let rec = self.repair(&id)?;
        // A running container is frozen while its files are read, as for a
        // commit: the tar is one instant of it, and nothing in it moves.
        let st = self.containers.state_locked(&id)?;
        self.thaw_abandoned(&id);
        let _frozen = if st.is_running() && !st.paused {
            Some(self.freeze_for_copy(&id).map_err(|err| Error::Io {
                what: format!("cannot pause container {} for the export", &id[..12]),
                err,
            })?)
        } else {
            None
        };
        let dir = self.containers.dir(&id);
        let links_dir = self.images.links_dir();
        let mut lowers = vec![dir.join("upper").display().to_string()];
        lowers.push(self.containers.ensure_init_layer(&links_dir)?);
        for chain in rec.layers.iter().rev() {
            lowers.push(self.images.layer_link(chain)?);
        }
        // A mount point of its own: the container's rootfs/ may be in use.
        let target = dir.join("export");
        std::fs::create_dir_all(&target).map_err(|err| Error::Io {
            what: format!("mkdir {}", target.display()),
            err,
        })?;
        let result = crate::runtime::with_readonly_view(&links_dir, &lowers, &target, |root| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, &mut *out);
            let r = archive::pack(root, &mut w, archive::PackOptions::default())
                .map(|_| ())
                .and_then(|_| w.flush().map_err(archive::Error::from));
            match r {
                // The reader went away (`strata export c | head`): stop quietly.
                Err(archive::Error::Io { err, .. })
                    if err.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(())
                }
                other => other.map_err(|e| e.to_string()),
            }
        });
        let _ = std::fs::remove_dir(&target);
        result.map_err(Error::from)
    }
}
