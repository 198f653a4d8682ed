//! The command line: subcommands and their flags. Settings come from the environment
//! (see `config`); flags are only for what a single command needs.

use clap::{Parser, Subcommand};

/// Armoricore: media, notification and real-time node.
#[derive(Debug, Parser)]
#[command(name = "armoricore", version, about, long_about = None)]
pub struct Cli {
    /// What to run; `node` (every role) when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every role in one process (the default).
    Node,
    /// Run the realtime gateway only.
    Realtime,
    /// Run the media processor only.
    MediaProcessor,
    /// Run the notification worker only.
    NotificationWorker,
    /// Apply database migrations and exit.
    Migrate,
    /// Mint a JWT the node accepts.
    Token {
        /// The user id the token is for (`sub`).
        #[arg(long)]
        user: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
    /// Publish an event: EVENT_TYPE and its payload as JSON (or a whole envelope).
    Publish {
        /// The event type, such as `media.uploaded`.
        event_type: String,
        /// The payload JSON (or a whole envelope with `event_type` and `payload`).
        json: String,
        /// Use this event id (a UUID) instead of a fresh one, to publish idempotently.
        #[arg(long)]
        event_id: Option<uuid::Uuid>,
        /// The `source` recorded in the envelope.
        #[arg(long, default_value = "cli")]
        source: String,
    },
}

/// Which roles a node process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Every role.
    All,
    /// The realtime gateway and the HTTP API.
    Realtime,
    /// The media processor.
    MediaProcessor,
    /// The notification worker.
    NotificationWorker,
}

impl Role {
    /// The role name as logged and reported by `/health`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::All => "node",
            Role::Realtime => "realtime",
            Role::MediaProcessor => "media-processor",
            Role::NotificationWorker => "notification-worker",
        }
    }

    /// Whether this process serves the public API (`/api/v1/*`).
    pub fn serves_api(self) -> bool {
        matches!(self, Role::All | Role::Realtime)
    }
}
