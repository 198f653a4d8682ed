//! Links libx264 through pkg-config and refuses any x264 build but 164: `src/ffi.rs` was
//! generated from build 164's header, and x264 changes its structures between builds.

fn main() {
    let lib = match pkg_config::Config::new().probe("x264") {
        Ok(lib) => lib,
        Err(e) => panic!(
            "libx264 not found through pkg-config ({e}); on Debian: apt-get install libx264-dev"
        ),
    };
    // pkg-config reports "0.164.3095": the middle number is X264_BUILD.
    let build = lib.version.split('.').nth(1).unwrap_or_default();
    if build != "164" {
        panic!(
            "libx264 {} is build {build}; src/ffi.rs is for build 164 (regenerate it, see its doc)",
            lib.version
        );
    }
}
