//! Fan-out core: time to queue one 100-byte message to 10,000 in-memory subscribers spread
//! over 2 shards (2 OS threads, 5,000 outboxes each), our path against a naive
//! per-subscriber encode-and-copy baseline, measured the same way in the same run; and the
//! allocations each path makes per publish.
//!
//! Paths:
//! - `ours_frame_per_shard`: each shard builds the frame once (`codecs::websocket`), wraps it
//!   in a `Frame` and `TopicRegistry::publish` pushes that same frame into each `Outbox`.
//! - `ours_frame_per_node`: the frame is built once for the node and its `Bytes` sent to both
//!   shards, each wrapping it in its own `Frame` (one atomic refcount touch per shard).
//! - `bytes_clone_per_subscriber`: the design `Frame` replaced, reduced to its core: the same
//!   shared `Bytes` cloned (an atomic refcount increment) into each subscriber's
//!   `VecDeque<Bytes>`; no limits, no registry, so a lower bound for that design.
//! - `naive_copy_per_subscriber`: per subscriber, a fresh `Vec` with the header encoded and
//!   the payload copied, pushed to that subscriber's `VecDeque<Vec<u8>>`.
//!
//! Timing (`iter_custom`): from the moment shard 0 (the bench thread) signals shard 1 until
//! both have queued to all their subscribers; the signal is a spinning doorbell (an atomic
//! sequence number), as a shard mesh ring would be. Draining the queues happens between
//! iterations, outside the timed part.
//!
//! Allocations per publish are counted when built with `--features count-allocations`: the
//! `allocation-counter` global allocator keeps per-thread counts (no cross-core traffic) and
//! each shard counts its own publish. It is off by default because counting taxes every
//! allocation, i.e. the baseline's 10,000 per publish (~25% slower measured), so timings are
//! taken without it. (The bench cannot carry its own `GlobalAlloc`: `unsafe` is forbidden.)
//! `dataplane`'s tests assert the same property for `TopicRegistry::publish` on every run.
//!
//! Run: `cargo bench -p bench --bench fanout` (timings), then
//! `cargo bench -p bench --bench fanout --features count-allocations -- allocations`
//! (allocation counts and their assertion; the filter skips the taxed timings).

use std::collections::VecDeque;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use bytes::Bytes;
use codecs::websocket::{Opcode, encode_frame, frame_len, text_frame};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataplane::fanout::{ConnId, Frame, Outbox, OutboxLimits, OverflowPolicy, TopicRegistry};

const SUBSCRIBERS: usize = 10_000;
const SHARDS: usize = 2;
const PER_SHARD: usize = SUBSCRIBERS / SHARDS;
const TOPIC: &str = "room:bench";
const PAYLOAD: &[u8] = concat!(
    r#"[null,null,"room:bench","new_message","#,
    r#"{"body":"01234567890123456789012345678901234567890123456789"}]"#
)
.as_bytes();
const _: () = assert!(PAYLOAD.len() == 100, "the issue's message size");

/// What a shard is asked to do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    OursFramePerShard,
    OursFramePerNode,
    BytesPerSubscriber,
    Naive,
}

/// One shard's subscribers, both ways. Lives on its own thread (`Rc` inside).
struct Shard {
    registry: TopicRegistry,
    outboxes: Vec<Rc<Outbox>>,
    shared_bytes: Vec<VecDeque<Bytes>>,
    naive: Vec<VecDeque<Vec<u8>>>,
    scratch: Vec<Frame>,
}

impl Shard {
    fn new() -> Self {
        let mut registry = TopicRegistry::new();
        let outboxes: Vec<_> = (0..PER_SHARD)
            .map(|i| {
                let outbox = Rc::new(Outbox::new(
                    OutboxLimits::default(),
                    OverflowPolicy::Disconnect,
                ));
                registry
                    .subscribe(TOPIC, ConnId(i as u64), &outbox)
                    .expect("fresh outbox is open");
                outbox
            })
            .collect();
        let shared_bytes = (0..PER_SHARD)
            .map(|_| VecDeque::with_capacity(16))
            .collect();
        let naive = (0..PER_SHARD)
            .map(|_| VecDeque::with_capacity(16))
            .collect();
        Shard {
            registry,
            outboxes,
            shared_bytes,
            naive,
            scratch: Vec::with_capacity(16),
        }
    }

    /// Queues one message to every local subscriber; returns how many got it.
    fn publish(&mut self, path: Path, node_frame: &Bytes) -> usize {
        match path {
            Path::OursFramePerShard => {
                let frame = Frame::new(text_frame(black_box(PAYLOAD)));
                self.registry.publish(TOPIC, &frame).delivered
            }
            Path::OursFramePerNode => {
                let frame = Frame::new(node_frame.clone());
                self.registry.publish(TOPIC, &frame).delivered
            }
            Path::BytesPerSubscriber => {
                let frame = text_frame(black_box(PAYLOAD));
                for queue in &mut self.shared_bytes {
                    queue.push_back(frame.clone());
                }
                self.shared_bytes.len()
            }
            Path::Naive => {
                let payload = black_box(PAYLOAD);
                for queue in &mut self.naive {
                    let mut frame = Vec::with_capacity(frame_len(payload.len()));
                    // Text frames cannot fail to encode (only oversized control frames do).
                    let _ = encode_frame(Opcode::Text, payload, &mut frame);
                    queue.push_back(frame);
                }
                self.naive.len()
            }
        }
    }

    /// Empties every queue as the writers would: one `next_batch` per connection (which also
    /// acknowledges the batch taken the round before), then the written frames are dropped.
    fn drain(&mut self, path: Path) {
        match path {
            Path::OursFramePerShard | Path::OursFramePerNode => {
                for outbox in &self.outboxes {
                    outbox.try_next_batch(&mut self.scratch);
                    self.scratch.clear();
                }
            }
            Path::BytesPerSubscriber => self.shared_bytes.iter_mut().for_each(VecDeque::clear),
            Path::Naive => self.naive.iter_mut().for_each(VecDeque::clear),
        }
    }
}

/// Commands from the bench thread (shard 0) to shard 1.
#[derive(Clone)]
enum Command {
    Publish(Path, Bytes),
    Count(Path, Bytes),
    Drain(Path),
    Stop,
}

/// The doorbell between shard 0 and shard 1: a command slot, the sequence number of the last
/// command posted and of the last one done. Each side spins briefly, then parks (2 shared
/// cores: spinning for long would steal the other side's core).
struct Mesh {
    command: Mutex<Command>,
    posted: AtomicU64,
    done: AtomicU64,
    /// (delivered, allocations) of the last `Publish` / `Count`.
    report: Mutex<(usize, Option<u64>)>,
    /// The bench thread, unparked when shard 1 finishes a command.
    main: Thread,
}

/// How long a waiting side spins before it parks.
const SPIN: Duration = Duration::from_micros(200);

/// Waits until `seq` reaches `target`: spins for [`SPIN`], then parks until unparked.
fn wait_for(seq: &AtomicU64, target: u64) {
    let start = Instant::now();
    let mut spins = 0u32;
    while seq.load(Ordering::Acquire) < target {
        spins = spins.wrapping_add(1);
        if spins & 63 != 0 || start.elapsed() < SPIN {
            std::hint::spin_loop();
        } else {
            thread::park_timeout(Duration::from_millis(1));
        }
    }
}

/// Shard 1's thread and the doorbell to it.
struct Remote {
    mesh: Arc<Mesh>,
    thread: Option<thread::JoinHandle<()>>,
    seq: u64,
}

impl Remote {
    fn spawn() -> Self {
        let mesh = Arc::new(Mesh {
            command: Mutex::new(Command::Stop),
            posted: AtomicU64::new(0),
            done: AtomicU64::new(0),
            report: Mutex::new((0, None)),
            main: thread::current(),
        });
        let thread = {
            let mesh = mesh.clone();
            thread::Builder::new()
                .name("shard-1".into())
                .spawn(move || shard_loop(&mesh))
                .expect("spawn shard 1")
        };
        Remote {
            mesh,
            thread: Some(thread),
            seq: 0,
        }
    }

    fn post(&mut self, command: Command) {
        *self.mesh.command.lock().expect("mesh lock") = command;
        self.seq += 1;
        self.mesh.posted.store(self.seq, Ordering::Release);
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }

    fn wait(&self) -> (usize, Option<u64>) {
        wait_for(&self.mesh.done, self.seq);
        *self.mesh.report.lock().expect("mesh lock")
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.post(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn shard_loop(mesh: &Mesh) {
    let mut shard = Shard::new();
    let mut seen = 0u64;
    loop {
        wait_for(&mesh.posted, seen + 1);
        seen = mesh.posted.load(Ordering::Acquire);
        let command = mesh.command.lock().expect("mesh lock").clone();
        let report = match command {
            Command::Publish(path, frame) => Some((shard.publish(path, &frame), None)),
            Command::Count(path, frame) => {
                let mut delivered = 0;
                let allocs = allocations(|| delivered = shard.publish(path, &frame));
                Some((delivered, allocs))
            }
            Command::Drain(path) => {
                shard.drain(path);
                None
            }
            Command::Stop => return,
        };
        if let Some(report) = report {
            *mesh.report.lock().expect("mesh lock") = report;
        }
        mesh.done.store(seen, Ordering::Release);
        mesh.main.unpark();
    }
}

/// Allocations `f` makes on this thread, when built with `--features count-allocations`.
#[cfg(feature = "count-allocations")]
fn allocations(f: impl FnOnce()) -> Option<u64> {
    Some(allocation_counter::measure(f).count_total)
}

/// Without the counting allocator (the default, so timings are not taxed): runs `f`.
#[cfg(not(feature = "count-allocations"))]
fn allocations(f: impl FnOnce()) -> Option<u64> {
    f();
    None
}

/// One publish across both shards; returns subscribers reached.
fn publish_both(local: &mut Shard, remote: &mut Remote, path: Path) -> usize {
    let node_frame = match path {
        Path::OursFramePerNode => text_frame(black_box(PAYLOAD)),
        _ => Bytes::new(),
    };
    remote.post(Command::Publish(path, node_frame.clone()));
    let here = local.publish(path, &node_frame);
    here + remote.wait().0
}

fn drain_both(local: &mut Shard, remote: &mut Remote, path: Path) {
    remote.post(Command::Drain(path));
    local.drain(path);
    remote.wait();
}

/// Allocations made by one publish across both shards (each shard counts its own thread),
/// or `None` without the counting allocator.
fn count_allocations(local: &mut Shard, remote: &mut Remote, path: Path) -> Option<u64> {
    let mut delivered = 0;
    let mut node_frame = Bytes::new();
    let here = allocations(|| {
        if path == Path::OursFramePerNode {
            node_frame = text_frame(PAYLOAD);
            // Promote the frame to a shared one before it is sent, as a real send would.
            drop(node_frame.clone());
        }
        delivered = local.publish(path, &node_frame);
    });
    remote.post(Command::Count(path, node_frame));
    let (there_delivered, there) = remote.wait();
    drain_both(local, remote, path);
    assert_eq!(delivered + there_delivered, SUBSCRIBERS);
    Some(here? + there?)
}

fn fanout(c: &mut Criterion) {
    let mut local = Shard::new();
    let mut remote = Remote::spawn();
    let paths = [
        ("ours_frame_per_shard", Path::OursFramePerShard),
        ("ours_frame_per_node", Path::OursFramePerNode),
        ("bytes_clone_per_subscriber", Path::BytesPerSubscriber),
        ("naive_copy_per_subscriber", Path::Naive),
    ];

    // Warm every queue once so steady state is measured, then count.
    for &(_, path) in &paths {
        assert_eq!(publish_both(&mut local, &mut remote, path), SUBSCRIBERS);
        drain_both(&mut local, &mut remote, path);
    }
    println!("fanout allocations per publish ({SUBSCRIBERS} subscribers, {SHARDS} shards):");
    for &(name, path) in &paths {
        let Some(allocs) = count_allocations(&mut local, &mut remote, path) else {
            println!("  not counted: rerun with `--features count-allocations`");
            break;
        };
        println!(
            "  {name:<28} {allocs:>6} allocations = {:.4} per subscriber",
            allocs as f64 / SUBSCRIBERS as f64
        );
        if path != Path::Naive {
            // The frame buffer and its `Rc` (or `Bytes` shared refcount) once per shard, plus
            // the promotion of a node-wide `Bytes` once: nothing per subscriber.
            assert!(
                allocs <= 2 * SHARDS as u64 + 2,
                "{name} allocated {allocs} times for {SUBSCRIBERS} subscribers"
            );
        }
    }
    #[cfg(feature = "count-allocations")]
    println!("  (timings below are taxed by the counting allocator; measure without the feature)");

    let mut group = c.benchmark_group("fanout/10k_subs_2_shards");
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));
    for &(name, path) in &paths {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let n = publish_both(&mut local, &mut remote, path);
                    total += start.elapsed();
                    debug_assert_eq!(n, SUBSCRIBERS);
                    drain_both(&mut local, &mut remote, path);
                }
                total
            })
        });
    }
    group.finish();

    // The same work on one shard alone: per-subscriber cost without any cross-thread signal.
    let mut group = c.benchmark_group("fanout/5k_subs_1_shard");
    group.throughput(Throughput::Elements(PER_SHARD as u64));
    for &(name, path) in &paths[..] {
        if path == Path::OursFramePerNode {
            continue; // the same work as per shard once on one shard
        }
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    black_box(local.publish(path, &Bytes::new()));
                    total += start.elapsed();
                    local.drain(path);
                }
                total
            })
        });
    }
    group.finish();

    // One shard, timing the writers' side too (draining every queue, i.e. dropping each
    // frame handle or freeing each copy): the whole per-message cost of each design.
    let mut group = c.benchmark_group("fanout/5k_subs_1_shard_publish_and_drain");
    group.throughput(Throughput::Elements(PER_SHARD as u64));
    for &(name, path) in &paths[..] {
        if path == Path::OursFramePerNode {
            continue;
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(local.publish(path, &Bytes::new()));
                local.drain(path);
            })
        });
    }
    group.finish();

    let frame = Frame::new(text_frame(PAYLOAD));
    c.bench_function("fanout/publish_to_topic_without_subscribers", |b| {
        b.iter(|| local.registry.publish(black_box("room:nobody"), &frame))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(5));
    targets = fanout
}
criterion_main!(benches);
