//! [`TopicRegistry`]: one shard's table of topic → local subscribers, and the publish loop.
//!
//! Each shard owns one registry (single-threaded, no locks). A publish reaching the shard —
//! from a local client, from another shard over the mesh, or from the control plane over
//! its ring — is turned into one frame by the caller and handed to [`TopicRegistry::publish`],
//! which queues a clone of that same [`Frame`] (a non-atomic reference-count increment, no
//! copy) into the
//! outbox of every local subscriber. Because a shard handles its inbox in order and a push
//! appends, frames from one publisher reach each subscriber in publish order.
//!
//! # Costs
//! - Publish to a topic with no local subscriber: one hash lookup.
//! - Publish to `n` subscribers: one pass over a contiguous `Vec` of (conn, outbox), `n`
//!   pushes, no allocation per subscriber. Subscribers whose outbox is closed (overflowed
//!   or gone) are collected in a scratch `Vec` kept across publishes and removed afterwards.
//! - Subscribe / unsubscribe: O(1) on the topic (a per-topic conn → slot index with
//!   `swap_remove`), O(topics of that connection) on the reverse index.
//! - [`TopicRegistry::unsubscribe_all`]: O(topics of that connection).
//!
//! Subscriber order within a topic is not kept (removal swaps the last slot in); only the
//! per-subscriber order of frames matters.

use std::collections::HashMap;
use std::rc::Rc;

use super::close::CloseReason;
use super::frame::Frame;
use super::outbox::{Offer, Outbox};

/// A connection's identity on its shard (unique per shard for the connection's lifetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Outcome of a successful [`TopicRegistry::subscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// The connection now receives the topic.
    Added,
    /// It already did; nothing changed (a connection receives each frame once).
    AlreadySubscribed,
}

/// Why a subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscribeError {
    /// The connection's outbox is already closed.
    #[error("cannot subscribe a closed outbox: {0}")]
    OutboxClosed(CloseReason),
}

/// What one publish did on this shard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Subscribers the frame was queued to.
    pub delivered: usize,
    /// Subscribers that dropped the frame under `OverflowPolicy::DropNewest` (kept).
    pub dropped: usize,
    /// Subscriptions removed because their outbox overflowed (this publish closed it) or was
    /// already closed. A connection on several topics is counted once per topic it is
    /// removed from; its task calls [`TopicRegistry::unsubscribe_all`] when it ends.
    pub disconnected: usize,
}

#[derive(Debug)]
struct Subscriber {
    conn: ConnId,
    outbox: Rc<Outbox>,
}

#[derive(Debug, Default)]
struct Topic {
    subscribers: Vec<Subscriber>,
    /// conn → its slot in `subscribers`.
    slots: HashMap<ConnId, usize>,
}

impl Topic {
    /// Removes `conn` by swapping the last subscriber into its slot. Returns whether it was there.
    fn remove(&mut self, conn: ConnId) -> bool {
        let Some(slot) = self.slots.remove(&conn) else {
            return false;
        };
        self.subscribers.swap_remove(slot);
        if let Some(moved) = self.subscribers.get(slot) {
            self.slots.insert(moved.conn, slot);
        }
        true
    }
}

/// One shard's topic → subscribers table. Not `Send`: it lives and dies on its shard.
#[derive(Debug, Default)]
pub struct TopicRegistry {
    topics: HashMap<Rc<str>, Topic>,
    /// Reverse index: the topics each connection is subscribed to.
    conns: HashMap<ConnId, Vec<Rc<str>>>,
    /// Slots of subscribers to remove after a publish; kept to avoid allocating per publish.
    scratch: Vec<usize>,
}

impl TopicRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribes `conn` (whose frames go to `outbox`) to `topic`. Idempotent.
    pub fn subscribe(
        &mut self,
        topic: &str,
        conn: ConnId,
        outbox: &Rc<Outbox>,
    ) -> Result<Subscribed, SubscribeError> {
        if let Some(reason) = outbox.close_reason() {
            return Err(SubscribeError::OutboxClosed(reason));
        }
        let key = match self.topics.get_key_value(topic) {
            Some((_, t)) if t.slots.contains_key(&conn) => {
                return Ok(Subscribed::AlreadySubscribed);
            }
            Some((key, _)) => key.clone(),
            None => Rc::from(topic),
        };
        let entry = self.topics.entry(key.clone()).or_default();
        entry.slots.insert(conn, entry.subscribers.len());
        entry.subscribers.push(Subscriber {
            conn,
            outbox: outbox.clone(),
        });
        self.conns.entry(conn).or_default().push(key);
        Ok(Subscribed::Added)
    }

    /// Unsubscribes `conn` from `topic`. Returns whether it was subscribed.
    pub fn unsubscribe(&mut self, topic: &str, conn: ConnId) -> bool {
        let Some(t) = self.topics.get_mut(topic) else {
            return false;
        };
        if !t.remove(conn) {
            return false;
        }
        if t.subscribers.is_empty() {
            self.topics.remove(topic);
        }
        forget_topic(&mut self.conns, conn, topic);
        true
    }

    /// Unsubscribes `conn` from every topic (connection teardown). Returns how many.
    pub fn unsubscribe_all(&mut self, conn: ConnId) -> usize {
        let Some(topics) = self.conns.remove(&conn) else {
            return 0;
        };
        for topic in &topics {
            if let Some(t) = self.topics.get_mut(topic) {
                t.remove(conn);
                if t.subscribers.is_empty() {
                    self.topics.remove(topic);
                }
            }
        }
        topics.len()
    }

    /// Local subscribers of `topic`.
    pub fn subscriber_count(&self, topic: &str) -> usize {
        self.topics.get(topic).map_or(0, |t| t.subscribers.len())
    }

    /// Topics with at least one local subscriber.
    pub fn topic_count(&self) -> usize {
        self.topics.len()
    }

    /// The topics `conn` is subscribed to, in no particular order.
    pub fn topics_of(&self, conn: ConnId) -> impl Iterator<Item = &str> {
        self.conns
            .get(&conn)
            .into_iter()
            .flat_map(|topics| topics.iter().map(|t| &**t))
    }

    /// Queues `frame` (the same buffer, refcounted) to every local subscriber of `topic`.
    pub fn publish(&mut self, topic: &str, frame: &Frame) -> Delivery {
        self.publish_except(topic, frame, &[])
    }

    /// Like [`TopicRegistry::publish`] but skips the connections in `except` (Phoenix
    /// `broadcast_from`: the sender does not get its own message back; a recovering join
    /// that already replayed the message). An empty `except` costs one length test per
    /// subscriber.
    pub fn publish_except(&mut self, topic: &str, frame: &Frame, except: &[ConnId]) -> Delivery {
        let mut delivery = Delivery::default();
        let Some(t) = self.topics.get_mut(topic) else {
            return delivery;
        };
        self.scratch.clear();
        let len = frame.len();
        for (slot, sub) in t.subscribers.iter().enumerate() {
            if !except.is_empty() && except.contains(&sub.conn) {
                continue;
            }
            match sub.outbox.offer(frame.clone(), len) {
                Offer::Queued => delivery.delivered += 1,
                Offer::Dropped(_) => delivery.dropped += 1,
                Offer::Overflowed | Offer::Closed => self.scratch.push(slot),
            }
        }
        if self.scratch.is_empty() {
            return delivery;
        }
        delivery.disconnected = self.scratch.len();
        // Highest slot first: a swap_remove only moves the last element, which is then never
        // a slot still to be removed.
        for &slot in self.scratch.iter().rev() {
            let conn = t.subscribers[slot].conn;
            t.remove(conn);
            forget_topic(&mut self.conns, conn, topic);
        }
        if t.subscribers.is_empty() {
            self.topics.remove(topic);
        }
        delivery
    }
}

/// Drops `topic` from `conn`'s reverse-index entry (and the entry when it empties).
fn forget_topic(conns: &mut HashMap<ConnId, Vec<Rc<str>>>, conn: ConnId, topic: &str) {
    if let Some(topics) = conns.get_mut(&conn) {
        if let Some(i) = topics.iter().position(|t| &**t == topic) {
            topics.swap_remove(i);
        }
        if topics.is_empty() {
            conns.remove(&conn);
        }
    }
}
