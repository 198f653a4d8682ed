//! Owns a job's GStreamer bus: its messages forwarded to the job's task, and the scheduling
//! priority of the job's threads, set in each streaming thread as it starts.
//!
//! A job's work is done on GStreamer's streaming threads and the threads x264 starts from
//! them (on the 720p ladder, 49 of 49.1 CPU seconds; the tokio tasks that feed the source
//! and stream the outputs take 0.03 s). Those threads share the cores with the data plane's
//! shards. With [`JobOptions::thread_nice`](crate::JobOptions::thread_nice) above zero,
//! every streaming thread lowers its own priority (its nice value) when GStreamer posts
//! its `stream-status` *enter* message, which the bus's sync handler receives in that very
//! thread, before the thread's task runs; x264's threads, started from the encoder's
//! streaming thread, inherit it. The scheduler then gives the shards the CPU they ask for
//! and the transcode the rest. Only a job's own threads change: the process, its tokio
//! runtime and the shards keep their priority.
//!
//! `gstreamer::Bus::stream` takes the bus's one sync handler, so this module's handler
//! does both jobs: it sets the priority and forwards every message, as `Bus::stream` does.

use std::sync::atomic::{AtomicBool, Ordering};

use futures::channel::mpsc;
use gstreamer as gst;

/// The highest nice value Linux accepts (the lowest priority).
pub const MAX_NICE: i32 = 19;

/// The messages of one pipeline's bus, as a stream; the sync handler is removed on drop.
pub struct BusMessages {
    bus: gst::Bus,
    messages: mpsc::UnboundedReceiver<gst::Message>,
}

impl BusMessages {
    /// Takes over `bus`'s sync handler. `thread_nice` (0 to [`MAX_NICE`]) is applied to
    /// every streaming thread that starts; 0 leaves their priority alone.
    pub fn new(bus: &gst::Bus, thread_nice: i32) -> Self {
        let (sender, messages) = mpsc::unbounded();
        let nice = thread_nice.clamp(0, MAX_NICE);
        let warned = AtomicBool::new(false);
        bus.set_sync_handler(move |_, message| {
            if nice > 0
                && let gst::MessageView::StreamStatus(status) = message.view()
                && status.get().0 == gst::StreamStatusType::Enter
                && let Err(e) = lower_this_thread(nice)
                && !warned.swap(true, Ordering::Relaxed)
            {
                tracing::warn!(error = %e, nice, "could not lower a media thread's priority");
            }
            // The receiver is gone only once the job stopped reading; nothing to keep.
            let _ = sender.unbounded_send(message.to_owned());
            gst::BusSyncReply::Drop
        });
        BusMessages {
            bus: bus.clone(),
            messages,
        }
    }
}

impl futures::Stream for BusMessages {
    type Item = gst::Message;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<gst::Message>> {
        std::pin::Pin::new(&mut self.messages).poll_next(cx)
    }
}

impl Drop for BusMessages {
    fn drop(&mut self) {
        self.bus.unset_sync_handler();
    }
}

/// Sets the calling thread's nice value (on Linux, `setpriority(PRIO_PROCESS, tid)` names
/// one thread). Raising it needs no privilege.
fn lower_this_thread(nice: i32) -> std::io::Result<()> {
    let this = Some(rustix::thread::gettid());
    if rustix::process::getpriority_process(this)? >= nice {
        return Ok(());
    }
    rustix::process::setpriority_process(this, nice)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nice_of_this_thread() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).expect("nice")
    }

    #[test]
    fn lowering_a_thread_leaves_the_others_alone() {
        let before = nice_of_this_thread();
        let target = (before + 3).min(MAX_NICE);
        let lowered = std::thread::spawn(move || {
            lower_this_thread(target).expect("raising nice needs no privilege");
            let now = nice_of_this_thread();
            // Never raised back: a thread already at a lower priority keeps it.
            lower_this_thread(before).expect("no-op");
            (now, nice_of_this_thread())
        })
        .join()
        .expect("thread");
        assert_eq!(lowered, (target, target));
        assert_eq!(
            nice_of_this_thread(),
            before,
            "the calling thread is unchanged"
        );
    }
}
