//! The in-process bus's state machine: retained logs, de-duplication, durables with
//! cursors and in-flight tracking, dead letters. Synchronous and clock-injected (every
//! operation takes `now`), so it is tested without a runtime; [`super`] wraps it in a
//! mutex and wakes waiters.
//!
//! Limits, each enforced at append:
//! - a log keeps at most `capacity` messages and drops the oldest beyond (drop-oldest), and
//!   drops messages older than `max_age`;
//! - the de-duplication memory keeps ids for `duplicate_window`, expiring the oldest first.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::api::{DeliveryParts, Settle, reason_ack_wait_exhausted};
use crate::{BusError, DeadLetterInfo, PublishAck, subject};

/// One stored message; shared by the log, in-flight entries and subscribers.
#[derive(Debug)]
pub(super) struct Stored {
    pub seq: u64,
    pub subject: String,
    pub payload: Bytes,
    pub msg_id: Option<String>,
    pub dead: Option<DeadLetterInfo>,
    pub at: Instant,
}

/// Limits of one log.
#[derive(Debug, Clone, Copy)]
pub(super) struct LogLimits {
    pub capacity: usize,
    pub max_age: Duration,
    pub duplicate_window: Duration,
}

/// A retained, sequenced, de-duplicated log (one per stream).
#[derive(Debug)]
pub(super) struct Log {
    pub limits: LogLimits,
    entries: VecDeque<Arc<Stored>>,
    next_seq: u64,
    dedupe: HashMap<String, (u64, Instant)>,
    dedupe_order: VecDeque<(Instant, String)>,
    /// Messages dropped by the capacity limit so far (reported by `health`).
    pub evicted: u64,
}

impl Log {
    pub fn new(limits: LogLimits) -> Self {
        Log {
            limits,
            entries: VecDeque::new(),
            next_seq: 1,
            dedupe: HashMap::new(),
            dedupe_order: VecDeque::new(),
            evicted: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Appends unless `dedupe_key` was seen inside the window; returns the ack and the new
    /// entry (None for a duplicate).
    pub fn append(
        &mut self,
        subject: String,
        payload: Bytes,
        msg_id: Option<String>,
        dedupe_key: Option<String>,
        dead: Option<DeadLetterInfo>,
        now: Instant,
    ) -> (PublishAck, Option<Arc<Stored>>) {
        self.expire(now);
        if let Some((seq, _)) = dedupe_key.as_ref().and_then(|k| self.dedupe.get(k)) {
            let ack = PublishAck {
                sequence: *seq,
                duplicate: true,
            };
            return (ack, None);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let stored = Arc::new(Stored {
            seq,
            subject,
            payload,
            msg_id,
            dead,
            at: now,
        });
        self.entries.push_back(stored.clone());
        while self.entries.len() > self.limits.capacity {
            self.entries.pop_front();
            self.evicted += 1;
        }
        if let Some(key) = dedupe_key {
            self.dedupe.insert(key.clone(), (seq, now));
            self.dedupe_order.push_back((now, key));
        }
        let ack = PublishAck {
            sequence: seq,
            duplicate: false,
        };
        (ack, Some(stored))
    }

    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.dedupe_order.front() {
            if now.duration_since(*at) < self.limits.duplicate_window {
                break;
            }
            if let Some((at, key)) = self.dedupe_order.pop_front() {
                // Only forget the id if this entry is the one remembered.
                if self.dedupe.get(&key).is_some_and(|(_, t)| *t == at) {
                    self.dedupe.remove(&key);
                }
            }
        }
        while let Some(first) = self.entries.front() {
            if now.duration_since(first.at) < self.limits.max_age {
                break;
            }
            self.entries.pop_front();
        }
    }

    /// The first entry with `seq >= from` accepted by `keep`, and the cursor after it (or
    /// after the last entry looked at).
    fn find_from(&self, from: u64, keep: impl Fn(&Stored) -> bool) -> (Option<Arc<Stored>>, u64) {
        let first = self.entries.front().map_or(self.next_seq, |e| e.seq);
        let start = from.max(first);
        let offset = (start - first) as usize;
        for entry in self.entries.iter().skip(offset) {
            if keep(entry) {
                return (Some(entry.clone()), entry.seq + 1);
            }
        }
        (None, self.next_seq)
    }
}

/// Which log a durable reads, and its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum DurableKey {
    /// A work-queue durable on the events log.
    Work(String),
    /// A reader of the dead letters of the named durable.
    DeadLetters(String),
}

/// What a durable was created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DurableParams {
    pub filters: Vec<String>,
    pub max_deliver: Option<u32>,
    pub ack_wait: Duration,
    pub max_ack_pending: usize,
}

#[derive(Debug)]
struct InFlight {
    msg: Arc<Stored>,
    deliveries: u32,
    /// When it may be delivered again: the ack deadline while a worker holds it, the end
    /// of the nak delay after a nak.
    due: Instant,
}

#[derive(Debug)]
struct Durable {
    params: DurableParams,
    cursor: u64,
    pending: BTreeMap<u64, InFlight>,
}

/// Everything under one subject prefix: what one NATS prefix's streams and consumers hold.
#[derive(Debug)]
pub(super) struct Space {
    pub prefix: String,
    pub events: Log,
    pub dead: Log,
    durables: HashMap<DurableKey, Durable>,
}

/// What [`Space::take_next`] found.
#[derive(Debug)]
pub(super) enum Taken {
    /// A delivery for the caller.
    Delivery(DeliveryParts),
    /// Nothing now; look again at this instant at the latest (or on a change).
    Wait(Option<Instant>),
}

impl Space {
    pub fn new(prefix: &str, events: LogLimits, dead: LogLimits) -> Self {
        Space {
            prefix: prefix.to_string(),
            events: Log::new(events),
            dead: Log::new(dead),
            durables: HashMap::new(),
        }
    }

    /// Creates the durable, or updates its limits; changing its filters is refused (as
    /// NATS 2.9 refuses changing a consumer's filter subject).
    pub fn ensure_durable(
        &mut self,
        key: DurableKey,
        params: DurableParams,
    ) -> Result<(), BusError> {
        match self.durables.get_mut(&key) {
            Some(existing) if existing.params.filters != params.filters => {
                Err(BusError::Rejected(format!(
                    "durable {key:?} exists with subjects {:?}",
                    existing.params.filters
                )))
            }
            Some(existing) => {
                existing.params = params;
                Ok(())
            }
            None => {
                self.durables.insert(
                    key,
                    Durable {
                        params,
                        cursor: 1,
                        pending: BTreeMap::new(),
                    },
                );
                Ok(())
            }
        }
    }

    /// Dead-letters every in-flight message of `key` whose last attempt expired, then
    /// returns the next delivery: a due redelivery first, else the next new message if
    /// `max_ack_pending` allows.
    pub fn take_next(&mut self, key: &DurableKey, now: Instant) -> Result<Taken, BusError> {
        self.sweep(key, now)?;
        let Some(durable) = self.durables.get_mut(key) else {
            return Err(BusError::Closed);
        };
        let due = durable
            .pending
            .iter()
            .filter(|(_, f)| f.due <= now)
            .min_by_key(|(_, f)| f.due)
            .map(|(seq, _)| *seq);
        if let Some(f) = due.and_then(|seq| durable.pending.get_mut(&seq)) {
            f.deliveries += 1;
            f.due = now + durable.params.ack_wait;
            return Ok(Taken::Delivery(parts(&f.msg, f.deliveries)));
        }
        if durable.pending.len() < durable.params.max_ack_pending {
            let log = match key {
                DurableKey::Work(_) => &self.events,
                DurableKey::DeadLetters(_) => &self.dead,
            };
            let owner = match key {
                DurableKey::DeadLetters(name) => Some(name.as_str()),
                DurableKey::Work(_) => None,
            };
            let filters = &durable.params.filters;
            let (found, cursor) = log.find_from(durable.cursor, |m| {
                filters.iter().any(|f| subject::matches(f, &m.subject))
                    && owner.is_none_or(|o| m.dead.as_ref().is_some_and(|d| d.durable == o))
            });
            durable.cursor = cursor;
            if let Some(msg) = found {
                let taken = parts(&msg, 1);
                durable.pending.insert(
                    msg.seq,
                    InFlight {
                        msg,
                        deliveries: 1,
                        due: now + durable.params.ack_wait,
                    },
                );
                return Ok(Taken::Delivery(taken));
            }
        }
        Ok(Taken::Wait(durable.pending.values().map(|f| f.due).min()))
    }

    /// Moves in-flight messages of `key` whose last allowed attempt expired to the
    /// dead-letter log; returns the earliest instant such an expiry can happen next.
    pub fn sweep(&mut self, key: &DurableKey, now: Instant) -> Result<Option<Instant>, BusError> {
        let Some(durable) = self.durables.get_mut(key) else {
            return Err(BusError::Closed);
        };
        let Some(max) = durable.params.max_deliver else {
            return Ok(None);
        };
        let expired: Vec<u64> = durable
            .pending
            .iter()
            .filter(|(_, f)| f.deliveries >= max && f.due <= now)
            .map(|(seq, _)| *seq)
            .collect();
        let mut letters = Vec::new();
        for seq in expired {
            if let Some(f) = durable.pending.remove(&seq) {
                letters.push((f.msg, f.deliveries));
            }
        }
        let next = durable
            .pending
            .values()
            .filter(|f| f.deliveries >= max)
            .map(|f| f.due)
            .min();
        if let DurableKey::Work(name) = key {
            let name = name.clone();
            for (msg, deliveries) in letters {
                let reason = reason_ack_wait_exhausted(deliveries);
                self.dead_letter(&name, &msg, deliveries, reason, now);
            }
        }
        Ok(next)
    }

    /// Carries out a settlement of `seq` for `key`. Settling a message that is no longer
    /// pending (already settled, or dead-lettered meanwhile) does nothing, as on NATS.
    pub fn settle(&mut self, key: &DurableKey, seq: u64, how: Settle, now: Instant) {
        let Some(durable) = self.durables.get_mut(key) else {
            return;
        };
        match how {
            Settle::Ack | Settle::Term => {
                durable.pending.remove(&seq);
            }
            Settle::Nak(delay) => {
                if let Some(f) = durable.pending.get_mut(&seq) {
                    f.due = now + delay;
                }
            }
            Settle::Progress => {
                let ack_wait = durable.params.ack_wait;
                if let Some(f) = durable.pending.get_mut(&seq) {
                    f.due = now + ack_wait;
                }
            }
            Settle::DeadLetter(reason) => {
                let removed = durable.pending.remove(&seq);
                if let (Some(f), DurableKey::Work(name)) = (removed, key) {
                    let name = name.clone();
                    self.dead_letter(&name, &f.msg, f.deliveries, reason, now);
                }
            }
        }
    }

    fn dead_letter(
        &mut self,
        durable: &str,
        msg: &Stored,
        deliveries: u32,
        reason: String,
        now: Instant,
    ) {
        let info = DeadLetterInfo {
            reason,
            original_subject: msg.subject.clone(),
            original_sequence: msg.seq,
            deliveries,
            durable: durable.to_string(),
        };
        self.dead.append(
            subject::dead_letter_subject(&self.prefix, &msg.subject),
            msg.payload.clone(),
            msg.msg_id.clone(),
            Some(format!("dlq:{durable}:{}", msg.seq)),
            Some(info),
            now,
        );
    }

    pub fn durable_count(&self) -> usize {
        self.durables.len()
    }
}

fn parts(msg: &Stored, attempt: u32) -> DeliveryParts {
    DeliveryParts {
        subject: msg.subject.clone(),
        payload: msg.payload.clone(),
        msg_id: msg.msg_id.clone(),
        attempt,
        stream_sequence: msg.seq,
        dead_letter: msg.dead.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn limits(capacity: usize) -> LogLimits {
        LogLimits {
            capacity,
            max_age: Duration::from_secs(3600),
            duplicate_window: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_log_drops_the_oldest_beyond_capacity_and_forgets_ids_after_the_window() {
        let t0 = Instant::now();
        let mut log = Log::new(limits(2));
        for i in 0..3 {
            let id = format!("m{i}");
            log.append(
                "s".into(),
                Bytes::new(),
                Some(id.clone()),
                Some(id),
                None,
                t0,
            );
        }
        assert_eq!(log.len(), 2);
        assert_eq!(log.evicted, 1);
        let (ack, _) = log.append("s".into(), Bytes::new(), None, Some("m2".into()), None, t0);
        assert!(ack.duplicate);
        assert_eq!(ack.sequence, 3);
        let later = t0 + Duration::from_secs(61);
        let (ack, _) = log.append(
            "s".into(),
            Bytes::new(),
            None,
            Some("m2".into()),
            None,
            later,
        );
        assert!(!ack.duplicate);
        assert_eq!(ack.sequence, 4);
    }

    #[test]
    fn a_durable_behind_the_log_resumes_at_the_oldest_retained_message() {
        let t0 = Instant::now();
        let mut space = Space::new("", limits(2), limits(2));
        for _ in 0..5 {
            space
                .events
                .append("media.uploaded".into(), Bytes::new(), None, None, None, t0);
        }
        let key = DurableKey::Work("w".into());
        let params = DurableParams {
            filters: vec!["media.uploaded".into()],
            max_deliver: Some(2),
            ack_wait: Duration::from_secs(1),
            max_ack_pending: 10,
        };
        space.ensure_durable(key.clone(), params).unwrap();
        match space.take_next(&key, t0).unwrap() {
            Taken::Delivery(d) => assert_eq!(d.stream_sequence, 4),
            other => panic!("{other:?}"),
        }
    }
}
