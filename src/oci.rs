//! The OCI image configuration types (docker's field names): plain data that
//! every part may use. The image store keeps a config as the exact bytes
//! that were hashed; these types read and write it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The run-time defaults an image carries (`config` in the OCI config).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_build: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<serde_json::Value>,
}

/// `rootfs` of the OCI config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One `history` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// The OCI image configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub config: RunConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
}

impl ImageConfig {
    /// The canonical bytes strata writes (and hashes) for a config it makes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A published port: `host_ip:host_port` on the host to `container_port`
/// in the container. Requested with `-p` (host port 0: any free one), and
/// as it is while the container runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub proto: String,
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
}

/// Media types of the distribution and image specs.
pub mod media {
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    pub const DOCKER_LAYER_FOREIGN: &str =
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    pub const DOCKER_SCHEMA1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// Whether a manifest media type is an index (a list of manifests).
    pub fn is_index(m: &str) -> bool {
        m == DOCKER_LIST || m == OCI_INDEX
    }

    /// Whether a manifest media type is an image manifest strata reads.
    pub fn is_manifest(m: &str) -> bool {
        m == DOCKER_MANIFEST || m == OCI_MANIFEST
    }
}

// Manifests, indexes, descriptors and platforms are the `oci-spec` crate's
// (its digests are parsed, so a malformed one is refused on reading). The
// image configuration above stays strata's own: `oci_spec::image::Config`
// writes `Labels`, `ExposedPorts` and `Volumes` through a `HashMap`, in a
// different order on each run, and a config's bytes are its image ID: a
// rebuild would get a new ID, and the build cache would miss.
pub use oci_spec::image::{
    Descriptor, Digest, ImageIndex as Index, ImageManifest as Manifest, MediaType,
};

/// A descriptor of `size` bytes with `digest`, of media type `media`.
pub fn descriptor(media: &str, digest: &str, size: u64) -> Result<Descriptor, String> {
    let d: Digest = digest
        .parse()
        .map_err(|e| format!("invalid digest {digest:?}: {e}"))?;
    Ok(Descriptor::new(MediaType::from(media), size, d))
}

/// An image manifest (`schemaVersion` 2) of `media` type.
pub fn manifest(media: &str, config: Descriptor, layers: Vec<Descriptor>) -> Manifest {
    oci_spec::image::ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::from(media))
        .config(config)
        .layers(layers)
        .build()
        .expect("every field of a manifest is set")
}

/// An OCI index of `manifests`.
pub fn index(manifests: Vec<Descriptor>) -> Index {
    oci_spec::image::ImageIndexBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageIndex)
        .manifests(manifests)
        .build()
        .expect("every field of an index is set")
}

/// A descriptor's media type, as its text.
pub fn media_of(d: &Descriptor) -> String {
    d.media_type().to_string()
}

/// A descriptor's digest, as its text (`sha256:...`).
pub fn digest_of(d: &Descriptor) -> String {
    d.digest().to_string()
}

/// JSON with every object's keys in order (`oci-spec` keeps annotations in
/// a `HashMap`): the same document gives the same bytes.
pub fn canonical_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_value(v)
        .and_then(|v| serde_json::to_vec(&v))
        .unwrap_or_default()
}

/// One entry of a docker-archive's `manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveEntry {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    pub layers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_digest(b: &[u8]) -> String {
        use sha2::Digest as _;
        let d = sha2::Sha256::digest(b);
        format!(
            "sha256:{}",
            d.iter().map(|x| format!("{x:02x}")).collect::<String>()
        )
    }

    /// An image config strata writes: the same bytes, so the same ID, as
    /// every earlier strata (stores keep their IDs; a rebuild hits the
    /// cache), and read back to the same bytes.
    #[test]
    fn image_ids_are_pinned() {
        let mut labels = BTreeMap::new();
        for (k, v) in [("z", "1"), ("a", "2"), ("m", "3")] {
            labels.insert(k.to_string(), v.to_string());
        }
        let mut ports = BTreeMap::new();
        for p in ["8080/tcp", "53/udp", "443/tcp"] {
            ports.insert(p.to_string(), serde_json::json!({}));
        }
        let c = ImageConfig {
            created: Some("2026-01-02T03:04:05.000000006Z".into()),
            author: None,
            architecture: "amd64".into(),
            os: "linux".into(),
            config: RunConfig {
                env: Some(vec!["PATH=/bin".into()]),
                cmd: Some(vec!["redis-server".into()]),
                labels: Some(labels),
                exposed_ports: Some(ports),
                working_dir: Some("/data".into()),
                shell: Some(vec!["/bin/sh".into(), "-c".into()]),
                on_build: Some(vec!["RUN true".into()]),
                healthcheck: Some(serde_json::json!({"Test": ["CMD", "true"]})),
                ..Default::default()
            },
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![format!("sha256:{}", "ab".repeat(32))],
            },
            history: vec![History {
                created: Some("2026-01-02T03:04:05Z".into()),
                created_by: Some("/bin/sh -c #(nop) CMD [\"redis-server\"]".into()),
                empty_layer: true,
                ..Default::default()
            }],
        };
        let bytes = c.to_bytes();
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            r#"{"created":"2026-01-02T03:04:05.000000006Z","architecture":"amd64","os":"linux","config":{"ExposedPorts":{"443/tcp":{},"53/udp":{},"8080/tcp":{}},"Env":["PATH=/bin"],"Cmd":["redis-server"],"WorkingDir":"/data","Labels":{"a":"2","m":"3","z":"1"},"OnBuild":["RUN true"],"Shell":["/bin/sh","-c"],"Healthcheck":{"Test":["CMD","true"]}},"rootfs":{"type":"layers","diff_ids":["sha256:abababababababababababababababababababababababababababababababab"]},"history":[{"created":"2026-01-02T03:04:05Z","created_by":"/bin/sh -c #(nop) CMD [\"redis-server\"]","empty_layer":true}]}"#
        );
        assert_eq!(
            sha256_digest(&bytes),
            "sha256:f7406da520293b62da0cf71409fcaeac7b588d5d90d2ff9f579681c0f866d759"
        );
        let back: ImageConfig = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
    }

    /// Manifests from `oci-spec` keep the field order registries have
    /// always been sent; a malformed digest is refused on reading.
    #[test]
    fn manifests_and_indexes_are_oci_spec_s() {
        let d = |n: u8| format!("sha256:{}", format!("{n:02x}").repeat(32));
        let m = manifest(
            media::DOCKER_MANIFEST,
            descriptor(media::DOCKER_CONFIG, &d(1), 10).unwrap(),
            vec![descriptor(media::DOCKER_LAYER_GZIP, &d(2), 20).unwrap()],
        );
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&m).unwrap()).unwrap(),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{}","size":10}},"layers":[{{"mediaType":"{}","digest":"{}","size":20}}]}}"#,
                media::DOCKER_MANIFEST,
                media::DOCKER_CONFIG,
                d(1),
                media::DOCKER_LAYER_GZIP,
                d(2)
            )
        );
        let back: Manifest = serde_json::from_slice(&serde_json::to_vec(&m).unwrap()).unwrap();
        assert_eq!(digest_of(back.config()), d(1));
        assert_eq!(media_of(&back.layers()[0]), media::DOCKER_LAYER_GZIP);
        assert!(descriptor(media::OCI_LAYER, "sha256:xyz", 1).is_err());
        let bad =
            r#"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"nocolon","size":1}]}"#;
        assert!(serde_json::from_str::<Index>(bad).is_err());
        // An index's annotations in one order, whatever the HashMap's.
        let mut a = std::collections::HashMap::new();
        for k in ["z", "a", "q", "b"] {
            a.insert(k.to_string(), k.to_string());
        }
        let mut e = descriptor(media::OCI_MANIFEST, &d(3), 5).unwrap();
        e.set_annotations(Some(a));
        let text = String::from_utf8(canonical_json(&index(vec![e]))).unwrap();
        assert!(
            text.contains(r#""annotations":{"a":"a","b":"b","q":"q","z":"z"}"#),
            "{text}"
        );
    }
}
