//! `tokio-peer`: the tokio + fastwebsockets broadcast server the node is compared with
//! (see `armoricore_loadgen::peer`).

use std::net::SocketAddr;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The tokio peer server: one current-thread runtime per core, SO_REUSEPORT listeners.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "PEER_ADDR", default_value = "127.0.0.1:4000")]
    addr: SocketAddr,
    /// Runtimes (threads); default: one per core.
    #[arg(long)]
    threads: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    armoricore_loadgen::peer::run(args.addr, threads)
}
