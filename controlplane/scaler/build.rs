//! Links libswscale through pkg-config and refuses any major version but FFmpeg 5.1's
//! (libswscale 6): `src/ffi.rs` was generated from its header.

fn main() {
    let lib = match pkg_config::Config::new().probe("libswscale") {
        Ok(lib) => lib,
        Err(e) => panic!(
            "libswscale not found through pkg-config ({e}); on Debian: apt-get install libswscale-dev"
        ),
    };
    if lib.version.split('.').next() != Some("6") {
        panic!(
            "libswscale {} is not major version 6; src/ffi.rs is for FFmpeg 5.1 (regenerate it, see its doc)",
            lib.version
        );
    }
}
