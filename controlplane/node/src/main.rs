//! The `armoricore` binary: parse the command line, load configuration, hand over to the
//! library. Behaviour lives in the library; this file is wiring.

use clap::Parser;

// No `#[global_allocator]`: the C library's malloc keeps less memory per idle socket and
// per media job than mimalloc did, at about the same fan-out throughput (docs/decisions.md,
// "Allocator: the C library's malloc").

fn main() -> std::process::ExitCode {
    let cli = armoricore::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("armoricore-ctl")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(armoricore::commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
