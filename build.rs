//! Builds strata's `--init` (src/runtime/init/main.rs) as a static binary
//! of its own, which strata embeds and bind-mounts at /dev/init.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = "src/runtime/init/main.rs";
    println!("cargo:rerun-if-changed={src}");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("strata-init");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let status = Command::new(rustc)
        .args([
            "--edition=2021",
            "-C",
            "opt-level=s",
            "-C",
            "panic=abort",
            "-C",
            "target-feature=+crt-static",
            "-C",
            "strip=symbols",
            "-o",
        ])
        .arg(&out)
        .arg(src)
        .status()
        .expect("run rustc for strata-init");
    assert!(status.success(), "building strata-init failed");
}
