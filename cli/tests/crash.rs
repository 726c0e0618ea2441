//! Crash safety: the till is killed (SIGKILL: a flat battery, a phone in a
//! creek) at random points while it sells and while it syncs, hundreds of
//! times. Afterwards the file is whole, every sale the till said it made is
//! there, the tables still equal a replay of the operation log, and after
//! the next sync the server and a fresh device hold each sale exactly once.
//!
//! `WILDROOT_CRASH_KILLS` sets how many processes are killed (200 by
//! default, as CI runs it; the README gives a longer run) and
//! `WILDROOT_CRASH_SEED` replays one run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn serve(db: &Path) -> Served {
    common::serve(db, "127.0.0.1:0", &[])
}

fn spawn(db: &Path, args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// xorshift64*: the run is replayable from its seed without a new dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// How long a command takes when left alone, kept as a running average so
/// the kills land anywhere from start-up to the final write.
struct Timing(Duration);

impl Timing {
    fn learn(&mut self, took: Duration) {
        self.0 = (self.0 * 7 + took) / 8;
    }
}

enum Outcome {
    Finished(Output),
    Killed,
}

fn run_and_maybe_kill(mut child: Child, after: Duration) -> (Outcome, Duration) {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return (Outcome::Finished(child.wait_with_output().unwrap()), started.elapsed());
        }
        if started.elapsed() >= after {
            child.kill().unwrap();
            let status = child.wait().unwrap();
            // It may have finished between the check and the kill: then it
            // is a finished command like any other.
            // (A failure of its own is a finished command too: it fails the test.)
            if status.code().is_some() {
                let (mut out, mut err) = (String::new(), String::new());
                std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                let output = Output { status, stdout: out.into_bytes(), stderr: err.into_bytes() };
                return (Outcome::Finished(output), started.elapsed());
            }
            return (Outcome::Killed, started.elapsed());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

fn sale_count(db: &Path) -> i64 {
    let store = wildroot_core::Store::open(db).unwrap();
    store.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0)).unwrap()
}

fn has_sale(store: &wildroot_core::Store, id: &str) -> bool {
    store.conn().query_row("SELECT COUNT(*) FROM sales WHERE id = ?1", [id], |r| r.get::<_, i64>(0)).unwrap() == 1
}

fn on_hand(db: &Path, sku: &str) -> i64 {
    let v: Value = serde_json::from_str(&ok(db, &["--json", "product", "show", sku], None)).unwrap();
    v["products"][0]["on_hand"].as_i64().unwrap()
}

fn assert_whole(db: &Path, reported: &[String], context: &str) {
    let store = wildroot_core::Store::open(db).unwrap();
    let check = store.checkup().unwrap();
    assert_eq!(check.integrity, "ok", "{context}: {check:?}");
    assert!(check.replay.is_none() && check.totals.is_none(), "{context}: {check:?}");
    for id in reported {
        assert!(has_sale(&store, id), "{context}: sale {id} was reported made but is not in the database");
    }
}

#[test]
fn a_till_killed_mid_sale_and_mid_sync_loses_and_duplicates_nothing() {
    let kills: usize = std::env::var("WILDROOT_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("WILDROOT_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    eprintln!("crash run: {kills} kills, WILDROOT_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let (server_db, till, fresh) = (path(&dir, "server.db"), path(&dir, "till.db"), path(&dir, "fresh.db"));
    let server = serve(&server_db);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&till, &["init", "--demo"], None);
    ok(&till, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Till"], Some("long enough pw\n"));
    let stock_before = on_hand(&till, "SOAP-OAT");
    let sales_before = sale_count(&till);

    let sell = ["--json", "sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"];
    let sync = ["--json", "sync"];
    let (mut sell_time, mut sync_time) = (Timing(Duration::from_millis(40)), Timing(Duration::from_millis(80)));
    let mut reported: Vec<String> = Vec::new();
    let (mut killed, mut finished_sales, mut killed_syncs) = (0, 0, 0);
    let mut attempts = 0;
    while killed < kills {
        attempts += 1;
        assert!(attempts < kills * 20, "only {killed} of {attempts} commands could be killed: they finish too fast to hit");
        let selling = rng.below(3) != 0;
        let (args, timing): (&[&str], &mut Timing) = if selling { (&sell, &mut sell_time) } else { (&sync, &mut sync_time) };
        // Anywhere from start-up to a little past a normal run's end.
        let after = timing.0.mul_f64(rng.below(1200) as f64 / 1000.0);
        let (outcome, took) = run_and_maybe_kill(spawn(&till, args), after);
        match outcome {
            Outcome::Finished(out) => {
                timing.learn(took);
                assert!(out.status.success(), "{args:?} failed after a crash: {}", String::from_utf8_lossy(&out.stderr));
                if selling {
                    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                    reported.push(v["sale_id"].as_str().unwrap().to_string());
                    finished_sales += 1;
                }
            }
            Outcome::Killed => {
                killed += 1;
                if !selling {
                    killed_syncs += 1;
                }
            }
        }
        if attempts % 50 == 0 {
            assert_whole(&till, &reported, &format!("after {attempts} commands ({killed} killed)"));
        }
    }
    assert!(killed_syncs > 0 && finished_sales > 0, "the run hit both sales and syncs");
    assert_whole(&till, &reported, "after the last kill");

    // The next sync, left alone, sends what is left; then nothing is pending.
    ok(&till, &["sync"], None);
    let status: Value = serde_json::from_str(&ok(&till, &["--json", "sync", "status"], None)).unwrap();
    assert_eq!(status["pending"], 0, "{status}");
    let sales = sale_count(&till) - sales_before;
    assert!(sales >= reported.len() as i64);
    assert_eq!(on_hand(&till, "SOAP-OAT"), stock_before - sales, "each sale took one soap, once");

    // A device that starts from the server sees the same shop: no sale twice.
    ok(&fresh, &["init"], None);
    ok(&fresh, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Spare"], Some("long enough pw\n"));
    ok(&fresh, &["sync"], None);
    assert_eq!(sale_count(&fresh), sale_count(&till), "the server holds each sale once");
    assert_eq!(on_hand(&fresh, "SOAP-OAT"), on_hand(&till, "SOAP-OAT"));
    assert_whole(&fresh, &reported, "the fresh device");
    assert!(ok(&till, &["doctor"], None).contains("All good"));
    eprintln!("{attempts} commands, {killed} killed ({killed_syncs} syncs), {finished_sales} sales reported, {sales} made");
}
