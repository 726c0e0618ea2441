//! Counters for Prometheus' text format at `/metrics`.
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Default)]
pub struct Metrics {
    pub ops_received: AtomicU64,
    pub ops_refused: AtomicU64,
    pub push_requests: AtomicU64,
    pub push_micros: AtomicU64,
    pub pull_requests: AtomicU64,
    pub pull_micros: AtomicU64,
    pub auth_failures: AtomicU64,
}

impl Metrics {
    pub fn render(&self, devices: usize, ops_stored: i64) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter("wildroot_ops_received_total", "Operations stored from pushes (first time only).", self.ops_received.load(Relaxed));
        counter("wildroot_ops_refused_total", "Operations refused for good.", self.ops_refused.load(Relaxed));
        counter(
            "wildroot_auth_failures_total",
            "Requests refused for a missing, wrong, expired or revoked token.",
            self.auth_failures.load(Relaxed),
        );
        let secs = |m: &AtomicU64| m.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(
            s,
            "# HELP wildroot_push_seconds Time spent answering pushes.\n# TYPE wildroot_push_seconds summary\nwildroot_push_seconds_sum {}\nwildroot_push_seconds_count {}",
            secs(&self.push_micros),
            self.push_requests.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP wildroot_pull_seconds Time spent answering pulls.\n# TYPE wildroot_pull_seconds summary\nwildroot_pull_seconds_sum {}\nwildroot_pull_seconds_count {}",
            secs(&self.pull_micros),
            self.pull_requests.load(Relaxed)
        );
        let _ = writeln!(s, "# HELP wildroot_devices_seen Registered devices that have synced.\n# TYPE wildroot_devices_seen gauge\nwildroot_devices_seen {devices}");
        let _ = writeln!(
            s,
            "# HELP wildroot_ops_stored Operations in the log.\n# TYPE wildroot_ops_stored gauge\nwildroot_ops_stored {ops_stored}"
        );
        s
    }
}
