//! One shard: its listener, its connections, and the loop that owns its two rings.
//!
//! The shard loop is the executor's root future. It owns the inbox (control plane →
//! shard) and the uplink (shard → control plane) through a lock held for the shard's
//! whole life, so a panicking shard leaves both rings intact for its replacement. It waits
//! on three things at once: inbox records (drained in batches), records the shard's tasks
//! want sent up, and lifecycle orders from the supervisor.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codecs::ring::{FromShard, ShardId, ToShard};
use futures_channel::mpsc;
use futures_lite::{StreamExt, future};
use rings::{RingReceiver, RingSender};

use crate::config::DataPlaneConfig;
use crate::fanout::{Frame, OutboxLimits, TopicRegistry};
use crate::handoff::Handoff;
use crate::http::{self, Answer, ShardState};
use crate::mesh::{self, MeshLinks, MeshOut, MeshRecord};
use crate::runtime;
use crate::signal::LocalSignal;

/// Records moved per inbox wake-up at most (the rest wait for the next turn of the loop).
const INBOX_BATCH: usize = 256;

/// The data-plane ends of one shard's rings.
pub struct ShardLinks {
    /// Control plane → shard.
    pub inbox: RingReceiver<ToShard>,
    /// Shard → control plane.
    pub uplink: RingSender<FromShard>,
}

/// Orders from the supervisor to a shard.
#[derive(Debug)]
pub(crate) enum Lifecycle {
    /// Stop accepting, finish what is in flight (up to the grace period), return.
    Stop,
    /// Panic on purpose: proves the supervisor restarts a failed shard.
    Panic,
}

/// What a shard's supervisor and every incarnation of the shard share.
pub(crate) struct ShardShared {
    pub id: ShardId,
    pub config: DataPlaneConfig,
    pub links: Handoff<ShardLinks>,
    pub lifecycle: Handoff<RingReceiver<Lifecycle>>,
    /// Shuts the current incarnation's listener down if it panics (see `ListenerKill`).
    pub listener_kill: Handoff<Option<runtime::ListenerKill>>,
    /// This shard's ends of the shard-to-shard mesh.
    pub mesh: Handoff<MeshLinks>,
}

enum Step {
    Inbox(usize),
    Uplink(Option<FromShard>),
    MeshIn,
    MeshOut(Option<MeshRecord>),
    MeshSpace,
    Lifecycle(Option<Lifecycle>),
    Tick,
}

/// How soon the shard loop runs once woken, even while thousands of socket tasks have
/// writes queued: a ring record (a broadcast, a push's reply) otherwise waits for a whole
/// round of socket writes (tens of milliseconds with 10,000 subscribers) at every hop.
pub(crate) const CONTROL_LATENCY: Duration = Duration::from_millis(1);

/// Runs one incarnation of the shard on the current executor, listening on `bind`
/// (already resolved to a concrete port). `on_bound` learns the listening address.
///
/// The loop runs in a latency-bound task queue and the sockets in a throughput one (see
/// [`runtime::TaskQueue`]).
pub(crate) async fn run(
    shared: Arc<ShardShared>,
    bind: SocketAddr,
    on_bound: impl FnOnce(std::io::Result<SocketAddr>) + 'static,
) {
    let control = runtime::TaskQueue::latency_bound("shard-control", CONTROL_LATENCY);
    runtime::spawn_in(run_loop(shared, bind, on_bound, control), control).await
}

#[allow(clippy::await_holding_lock)] // hand-offs are held for the shard's life; see `handoff`
async fn run_loop(
    shared: Arc<ShardShared>,
    bind: SocketAddr,
    on_bound: impl FnOnce(std::io::Result<SocketAddr>),
    control: runtime::TaskQueue,
) {
    let mut links = shared.links.take();
    let mut lifecycle = shared.lifecycle.take();
    let ShardLinks { inbox, uplink } = &mut *links;
    let mut mesh_links = shared.mesh.take();
    let MeshLinks {
        out: mesh_peers,
        inbound: mesh_inbound,
    } = &mut *mesh_links;
    let mut mesh_out = MeshOut::new(mesh_peers);
    let mut from_peers = Vec::with_capacity(INBOX_BATCH);
    let (mesh_tx, mut mesh_rx) = mpsc::unbounded();
    let listener = match runtime::bind(bind) {
        Ok((listener, kill)) => {
            *shared.listener_kill.take() = Some(kill);
            listener
        }
        Err(e) => {
            on_bound(Err(e));
            return;
        }
    };
    on_bound(
        listener
            .local_addr()
            .map_err(|e| std::io::Error::other(e.to_string())),
    );
    let (uplink_tx, mut uplink_rx) = mpsc::unbounded();
    let state = Rc::new(ShardState {
        id: shared.id,
        limits: shared.config.http,
        uplink: uplink_tx,
        pending: RefCell::new(HashMap::new()),
        joins: RefCell::new(HashMap::new()),
        next_request: Cell::new(0),
        registries: RefCell::new([TopicRegistry::new(), TopicRegistry::new()]),
        next_conn: Cell::new(0),
        outbox_limits: OutboxLimits::default(),
        mesh: mesh_tx,
        typing: RefCell::new(HashMap::new()),
        connections: Cell::new(0),
        stopping: LocalSignal::default(),
        streams: Default::default(),
        sockets: runtime::TaskQueue::throughput("sockets"),
        control,
    });
    let acceptor = runtime::spawn_local(http::accept_loop(listener, state.clone()));
    // Whatever the control plane tracked of a previous incarnation's sockets is stale.
    let mut started = vec![FromShard::Started(shared.id)];
    let _ = uplink.send_batch(&mut started).await;
    let mut batch = Vec::with_capacity(INBOX_BATCH);
    let mut outgoing = Vec::with_capacity(INBOX_BATCH);
    let mut deadline: Option<Instant> = None;
    let mut inbox_open = true;
    loop {
        if let Some(deadline) = deadline {
            let idle = state.connections.get() == 0 && state.pending.borrow().is_empty();
            if idle || Instant::now() >= deadline {
                break;
            }
        }
        let tick = async {
            match deadline {
                Some(_) => runtime::sleep(Duration::from_millis(20)).await,
                None => future::pending::<()>().await,
            }
            Step::Tick
        };
        let from_inbox = async {
            if inbox_open {
                Step::Inbox(inbox.recv_batch(&mut batch, INBOX_BATCH).await)
            } else {
                future::pending().await
            }
        };
        let from_supervisor = async {
            if deadline.is_none() {
                Step::Lifecycle(lifecycle.recv().await)
            } else {
                future::pending().await
            }
        };
        let has_backlog = mesh_out.has_backlog();
        let mesh_space = async {
            if has_backlog {
                mesh_out.flush().await;
                Step::MeshSpace
            } else {
                future::pending().await
            }
        };
        let step = future::or(
            future::or(
                future::or(from_inbox, async { Step::Uplink(uplink_rx.next().await) }),
                future::or(from_supervisor, tick),
            ),
            future::or(
                future::or(
                    async {
                        mesh::recv_any(mesh_inbound, &mut from_peers, INBOX_BATCH).await;
                        Step::MeshIn
                    },
                    async { Step::MeshOut(mesh_rx.next().await) },
                ),
                mesh_space,
            ),
        )
        .await;
        match step {
            Step::Inbox(0) => {
                // The control plane dropped its end: nothing can be answered any more.
                inbox_open = false;
                if deadline.is_none() {
                    tracing::warn!(shard = shared.id, "control plane gone; shard stopping");
                    deadline = Some(Instant::now() + shared.config.shutdown_grace);
                    acceptor.cancel();
                    state.stopping.fire();
                }
            }
            Step::Inbox(_) => {
                for record in batch.drain(..) {
                    match record {
                        ToShard::HttpResponse(response) => {
                            state.complete(response.request_id, Answer::Http(response))
                        }
                        ToShard::AuthVerdict(verdict) => {
                            state.complete(verdict.request_id, Answer::Auth(verdict))
                        }
                        ToShard::JoinVerdict(verdict) => crate::ws::finish_join(&state, *verdict),
                        ToShard::PushReply(reply) => {
                            state.complete(reply.request_id, Answer::Push(reply))
                        }
                        ToShard::Broadcast(broadcast) => {
                            let except: Vec<_> = broadcast
                                .except
                                .iter()
                                .filter(|s| s.shard == state.id)
                                .map(|s| crate::fanout::ConnId(s.socket))
                                .collect();
                            deliver(&state, &broadcast, &except)
                        }
                        record @ (ToShard::HttpResponseHead(_)
                        | ToShard::ResponseBody(_)
                        | ToShard::RequestCredit(_)) => http::stream::on_record(&state, record),
                    }
                }
            }
            Step::Uplink(Some(record)) => {
                // Move everything queued in one batch: one wake-up of the control plane.
                outgoing.push(record);
                while let Ok(more) = uplink_rx.try_recv() {
                    outgoing.push(more);
                }
                if uplink.send_batch(&mut outgoing).await.is_err() {
                    tracing::warn!(shard = shared.id, "uplink closed; dropping records");
                    outgoing.clear();
                }
            }
            Step::MeshIn => {
                for record in from_peers.drain(..) {
                    deliver(&state, &record, &[]);
                }
            }
            Step::MeshOut(Some(record)) => {
                mesh_out.publish(&record);
                while let Ok(more) = mesh_rx.try_recv() {
                    mesh_out.publish(&more);
                }
            }
            Step::Uplink(None) | Step::MeshOut(None) | Step::Tick | Step::MeshSpace => {}
            Step::Lifecycle(Some(Lifecycle::Panic)) => {
                panic!("panic injected into shard {}", shared.id)
            }
            Step::Lifecycle(Some(Lifecycle::Stop) | None) => {
                if deadline.is_none() {
                    deadline = Some(Instant::now() + shared.config.shutdown_grace);
                    acceptor.cancel();
                    state.stopping.fire();
                }
            }
        }
    }
    shared.listener_kill.take().take();
    if state.connections.get() > 0 {
        tracing::warn!(
            shard = shared.id,
            open = state.connections.get(),
            "grace period over; closing remaining connections"
        );
    }
}

/// Encodes a broadcast once per serializer that has subscribers, and queues the same frame
/// to every local subscriber.
pub(crate) fn deliver(
    state: &ShardState,
    broadcast: &codecs::ring::BroadcastRecord,
    except: &[crate::fanout::ConnId],
) {
    use codecs::phoenix::{self, Vsn};
    let mut registries = state.registries.borrow_mut();
    for (registry, vsn) in registries.iter_mut().zip([Vsn::V1, Vsn::V2]) {
        if registry.subscriber_count(&broadcast.topic) == 0 {
            continue;
        }
        let mut text = bytes::BytesMut::with_capacity(broadcast.payload.len() + 64);
        phoenix::encode_text(
            vsn,
            None,
            None,
            &broadcast.topic,
            &broadcast.event,
            &broadcast.payload,
            &mut text,
        );
        let frame = Frame::new(codecs::websocket::text_frame(&text));
        registry.publish_except(&broadcast.topic, &frame, except);
    }
}
