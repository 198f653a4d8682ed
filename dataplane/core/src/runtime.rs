//! Everything that knows the io_uring runtime (glommio) lives here, so another runtime
//! (compio) could replace it without touching the shards, the HTTP serving or fan-out.
//!
//! # io memory
//! glommio registers `io_memory` bytes of locked memory per io_uring ring, three rings per
//! executor. Its default (10 MiB) cannot fit this machine's 8 MiB `RLIMIT_MEMLOCK`. That
//! memory backs glommio's DMA file buffers, which the data plane does not use (sockets do
//! not need registered buffers), so [`DEFAULT_IO_MEMORY`] is 128 KiB: 3 × 128 KiB × 2
//! shards = 768 KiB locked, and even 16 shards (or several nodes in one test process) stay
//! within 8 MiB.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::time::Duration;

use glommio::{LocalExecutorBuilder, Placement};

pub use glommio::net::{TcpListener, TcpStream};

/// Locked memory registered per io_uring ring (see the module doc).
pub const DEFAULT_IO_MEMORY: usize = 128 << 10;

/// Why an executor thread ended without returning.
pub type PanicPayload = Box<dyn std::any::Any + Send + 'static>;

/// A running executor thread.
pub struct ExecutorHandle<T: Send + 'static>(glommio::ExecutorJoinHandle<T>);

impl<T: Send + 'static> ExecutorHandle<T> {
    /// Waits for the executor; `Err` carries the panic message when it panicked or could
    /// not start.
    pub fn join(self) -> Result<T, String> {
        self.0.join().map_err(|e| match e {
            glommio::GlommioError::BuilderError(glommio::BuilderErrorKind::ThreadPanic(p)) => {
                panic_message(&p)
            }
            other => other.to_string(),
        })
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &PanicPayload) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".to_string())
}

/// Starts an executor thread named `name`, pinned to `cpu` when given, running the future
/// `root` builds. The future need not be `Send`: it is built on the executor's thread.
pub fn spawn_executor<G, F, T>(
    name: &str,
    cpu: Option<usize>,
    io_memory: usize,
    root: G,
) -> io::Result<ExecutorHandle<T>>
where
    G: FnOnce() -> F + Send + 'static,
    F: Future<Output = T> + 'static,
    T: Send + 'static,
{
    let placement = match cpu {
        Some(cpu) => Placement::Fixed(cpu),
        None => Placement::Unbound,
    };
    LocalExecutorBuilder::new(placement)
        .name(name)
        .io_memory(io_memory)
        .spawn(root)
        .map(ExecutorHandle)
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Runs `future` as a task of the current executor, detached, in the task queue of the
/// task that spawns it.
pub fn spawn_local<F: Future<Output = ()> + 'static>(future: F) -> TaskHandle {
    TaskHandle(glommio::spawn_local(future).detach())
}

/// A task queue of the current executor. The executor runs one queue at a time, picks the
/// next by the CPU time each has had, and cuts a queue's turn short when a queue with a
/// latency bound has work waiting: that is how the shard keeps its loop (rings, replies)
/// from waiting behind thousands of socket writes.
#[derive(Debug, Clone, Copy)]
pub struct TaskQueue(glommio::TaskQueueHandle);

impl TaskQueue {
    /// A queue whose woken tasks run within about `bound`, even while another queue is busy.
    pub fn latency_bound(name: &str, bound: Duration) -> TaskQueue {
        TaskQueue(glommio::executor().create_task_queue(
            glommio::Shares::default(),
            glommio::Latency::Matters(bound),
            name,
        ))
    }

    /// A queue for throughput: its turn lasts until it is empty or another queue's bound
    /// is due.
    pub fn throughput(name: &str) -> TaskQueue {
        TaskQueue(glommio::executor().create_task_queue(
            glommio::Shares::default(),
            glommio::Latency::NotImportant,
            name,
        ))
    }
}

/// Runs `future` as a task in `queue` (of the current executor), detached.
pub fn spawn_into<F: Future<Output = ()> + 'static>(future: F, queue: TaskQueue) -> TaskHandle {
    TaskHandle(spawn_in(future, queue).detach())
}

/// Starts `future` as a task in `queue`; the returned task yields its output, and dropping
/// it cancels the task.
pub fn spawn_in<T: 'static>(
    future: impl Future<Output = T> + 'static,
    queue: TaskQueue,
) -> Task<T> {
    match glommio::spawn_local_into(future, queue.0) {
        Ok(task) => task,
        // Only a queue of another executor is unknown here; a `TaskQueue` is created on the
        // executor that uses it (`ShardState` never leaves its shard).
        Err(e) => unreachable!("task queue of another executor: {e}"),
    }
}

/// A task started by [`spawn_in`]: a future of its output; dropped, it cancels the task.
pub type Task<T> = glommio::Task<T>;

/// A detached task that can still be cancelled.
pub struct TaskHandle(glommio::task::JoinHandle<()>);

impl TaskHandle {
    /// Cancels the task; it is dropped at its next suspension point.
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// Binds a listener with `SO_REUSEPORT`, so every shard can bind the same port and the
/// kernel spreads connections between them. Also returns a [`ListenerKill`] for it.
pub fn bind(addr: SocketAddr) -> io::Result<(TcpListener, ListenerKill)> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_reuse_port(true)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    let kill = ListenerKill(socket.try_clone()?);
    let fd = socket.into_raw_fd();
    // SAFETY: `fd` is a bound, listening TCP socket that we own: `into_raw_fd` released it
    // from `socket`, and nothing else refers to it. glommio takes ownership and closes it.
    #[allow(unsafe_code)]
    let listener = unsafe { TcpListener::from_raw_fd(fd) };
    Ok((listener, kill))
}

/// Accepts one connection.
pub async fn accept(listener: &TcpListener) -> io::Result<TcpStream> {
    listener
        .accept()
        .await
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Sleeps on the executor's timer.
pub async fn sleep(duration: Duration) {
    glommio::timer::sleep(duration).await
}

/// Runs `future` for at most `duration`; `None` when time ran out.
pub async fn timeout<T>(duration: Duration, future: impl Future<Output = T>) -> Option<T> {
    glommio::timer::timeout(duration, async { Ok(future.await) })
        .await
        .ok()
}

/// A duplicate of a listener's descriptor that can shut the listening socket down from any
/// thread. A shard that panics may not drop its listener (its executor's tasks are not
/// guaranteed to be dropped during unwinding); a listener left open would keep receiving
/// connections that nobody accepts. The supervisor shuts it down through this duplicate:
/// shutdown acts on the socket, not on a descriptor number, so it is safe whatever the
/// original descriptor became.
pub struct ListenerKill(socket2::Socket);

impl ListenerKill {
    /// Stops the socket from accepting (queued connections are reset); closes the duplicate.
    pub fn shutdown(self) {
        let _ = self.0.shutdown(std::net::Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use glommio::{LocalExecutorBuilder, Placement};

    use super::DEFAULT_IO_MEMORY;

    /// The executor must not park while a task queue has runnable tasks, even when its
    /// preempt timer fires before it gets to the queues. glommio 0.9.0 parked then, and the
    /// woken tasks waited for an unrelated event: a shard sat on a socket's data for 60 s
    /// (Autobahn case 9.5.x). With a 1 ns preempt timer every turn is such a race; the
    /// executor either finishes the runs or hangs (see dataplane/vendor/glommio/PATCHES.md).
    #[test]
    fn woken_tasks_run_when_the_preempt_timer_fires_before_the_queues() {
        let (done, finished) = mpsc::channel();
        let runner = std::thread::Builder::new().name("preempt-race".into());
        // Not joined: a hung executor would hang the join too; the timeout below fails instead.
        let _hung_or_done = runner
            .spawn(move || {
                let executor = LocalExecutorBuilder::new(Placement::Unbound)
                    .io_memory(DEFAULT_IO_MEMORY)
                    .preempt_timer(Duration::from_nanos(1))
                    .make()
                    .expect("an executor starts");
                for round in 0..200u32 {
                    let echoed = executor.run(async move {
                        let task = glommio::spawn_local(async move { round });
                        task.await
                    });
                    assert_eq!(echoed, round);
                }
                let _ = done.send(());
            })
            .expect("the executor's thread starts");
        finished
            .recv_timeout(Duration::from_secs(30))
            .expect("200 runs finish within 30 s (a hang means the executor parked with work)");
    }
}
