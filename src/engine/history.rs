//! `history`: an image's history entries, newest first, each with the id
//! of the local image it made (docker's `<missing>` where there is none).

use super::{Engine, Result};
use crate::image::ImageStore;
use crate::util::time;

/// One row of `history`.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: Option<String>,
    pub created: Option<i128>,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
}

impl Engine {
    pub fn history(&self, name: &str) -> Result<Vec<HistoryRow>> {
        let id = self.images.resolve(name)?;
        let config = self.images.config(&id)?;
        // Which local image each history length belongs to: the image and
        // the ancestors it was committed on.
        let mut owners: Vec<(usize, String)> = Vec::new();
        let mut cur = Some(id.clone());
        while let Some(c) = cur {
            if let Ok(cfg) = self.images.config(&c) {
                owners.push((cfg.history.len(), c.clone()));
            }
            cur = self.images.parent(&c);
            if owners.len() > 10_000 {
                break;
            }
        }
        let chain = ImageStore::chain_ids(&config);
        let mut layer_sizes = chain
            .iter()
            .map(|c| self.images.layer(c).map(|l| l.size).unwrap_or(0));
        let mut rows = Vec::new();
        for (i, h) in config.history.iter().enumerate() {
            let size = if h.empty_layer {
                0
            } else {
                layer_sizes.next().unwrap_or(0)
            };
            let owner = owners
                .iter()
                .find(|(len, _)| *len == i + 1)
                .map(|(_, id)| id.clone());
            rows.push(HistoryRow {
                id: owner,
                created: h.created.as_deref().and_then(time::parse_rfc3339),
                created_by: h.created_by.clone().unwrap_or_default(),
                size,
                comment: h.comment.clone().unwrap_or_default(),
            });
        }
        rows.reverse();
        Ok(rows)
    }
}
