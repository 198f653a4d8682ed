//! Helpers shared by the integration tests: running a future on a glommio executor sized
//! for this machine's 8 MiB locked-memory cap.

#![allow(dead_code)]

use std::future::Future;

/// io_uring buffer memory per test executor: glommio's 10 MiB default exceeds the cap.
pub const GLOMMIO_IO_MEMORY: usize = 512 << 10;

/// Runs the future built by `make` on a fresh glommio executor thread and returns its
/// output. Panics (failing the test) if the executor cannot start or the future panics.
pub fn on_glommio<G, F, T>(name: &str, make: G) -> T
where
    G: FnOnce() -> F + Send + 'static,
    F: Future<Output = T> + 'static,
    T: Send + 'static,
{
    glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .name(name)
        .io_memory(GLOMMIO_IO_MEMORY)
        .spawn(make)
        .expect("glommio executor starts")
        .join()
        .expect("glommio executor finishes")
}

/// Starts the glommio executor without waiting for it.
pub fn spawn_glommio<G, F, T>(name: &str, make: G) -> glommio::ExecutorJoinHandle<T>
where
    G: FnOnce() -> F + Send + 'static,
    F: Future<Output = T> + 'static,
    T: Send + 'static,
{
    glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .name(name)
        .io_memory(GLOMMIO_IO_MEMORY)
        .spawn(make)
        .expect("glommio executor starts")
}
