//! Links libavcodec and libavutil through pkg-config and refuses any major version but
//! FFmpeg 5.1's (libavcodec 59, libavutil 57): `src/ffi.rs` was generated from those
//! headers, and FFmpeg changes `AVFrame` and `AVPacket` between major versions.

fn probe(name: &str, major: &str) {
    let lib = match pkg_config::Config::new().probe(name) {
        Ok(lib) => lib,
        Err(e) => panic!(
            "{name} not found through pkg-config ({e}); on Debian: apt-get install {name}-dev"
        ),
    };
    if lib.version.split('.').next() != Some(major) {
        panic!(
            "{name} {} is not major version {major}; src/ffi.rs is for FFmpeg 5.1 (regenerate it, see its doc)",
            lib.version
        );
    }
}

fn main() {
    probe("libavcodec", "59");
    probe("libavutil", "57");
}
