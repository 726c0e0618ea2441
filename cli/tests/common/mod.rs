//! What every CLI test does: run the real `wildroot` binary on a database
//! file, as a user would (stdin given or closed), and read what it printed.
#![allow(dead_code)] // each test file uses the part it needs
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_wildroot");

/// Runs `wildroot --db DB ARGS…` with `stdin` typed in (or none).
pub fn run(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("WILDROOT_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// [`run`], which must succeed: its stdout.
pub fn ok(db: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = run(db, args, stdin);
    assert!(out.status.success(), "{args:?}: {}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).unwrap()
}

/// [`ok`] with `--json`, parsed.
pub fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all, None)).unwrap()
}
