//! `wildroot`: the whole shop from a terminal, over the same core as the app.
//!
//! Arguments are parsed here into typed requests (amounts exactly, dates,
//! `SKU=QTY` pairs); every rule lives in `wildroot-core`.
#![forbid(unsafe_code)]

mod cmd;
mod hints;
mod output;
mod progress;

use clap::Parser;
use cmd::Command;
use output::Format;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "wildroot", version, about = "Point of sale and inventory for makers of handmade botanical goods")]
pub(crate) struct Cli {
    /// The local database (default: the platform data dir, e.g. ~/.local/share/wildroot/wildroot.db).
    #[arg(long, global = true, env = "WILDROOT_DB")]
    pub(crate) db: Option<PathBuf>,
    /// Print JSON for programs: money as integer cents in keys ending _cents, quantities in base units.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Print tables as CSV, for spreadsheets.
    #[arg(long, global = true, conflicts_with = "json")]
    pub(crate) csv: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// mimalloc, not glibc's malloc, for every command and above all `serve`:
/// under 50 syncing devices glibc kept an arena per blocking thread and
/// held on to what they freed; chosen by measurement with the load bench
/// (README's Benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let format = if cli.json {
        Format::Json
    } else if cli.csv {
        Format::Csv
    } else {
        Format::Table
    };
    match cmd::run(cli, format) {
        Ok(out) => print!("{out}"),
        Err(e) => {
            match hints::hint(&e) {
                Some(h) => eprintln!("error: {e:#} ({h})"),
                None => eprintln!("error: {e:#}"),
            }
            std::process::exit(1);
        }
    }
}
