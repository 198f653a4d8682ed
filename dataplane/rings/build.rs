//! Declares the `rings_loom` cfg (set by `RUSTFLAGS="--cfg rings_loom"` to model-check the
//! wake-up protocol with loom) so builds with and without it are lint-clean. A crate-specific
//! name, not `loom`, so dependencies with their own `cfg(loom)` code (tokio, bytes) build as usual.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rings_loom)");
}
