//! What every CLI test does: run the real `wildroot` binary on a database
//! file, as a user would (stdin given or closed), and read what it printed.
#![allow(dead_code)] // each test file uses the part it needs
#![allow(clippy::unwrap_used, clippy::expect_used)]
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

/// A `wildroot serve` on 127.0.0.1, stopped when dropped. Everything it
/// says after its banner (stderr and stdout) is kept in `log`, so a test
/// can check what the server wrote and the pipes never fill up.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `wildroot --db DB serve --listen LISTEN` with `env` set and waits
/// for its banner ("Wildroot server on URL …").
pub fn serve(db: &Path, listen: &str, env: &[(&str, &str)]) -> Served {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "serve", "--listen", listen])
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = stderr.next().expect("the server exited before it listened").unwrap();
        if let Some(rest) = line.strip_prefix("Wildroot server on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    for source in [Box::new(stderr) as Box<dyn Iterator<Item = std::io::Result<String>> + Send>, Box::new(stdout)] {
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in source.map_while(Result::ok) {
                let mut log = keep.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    Served { child, url, log }
}

/// `wildroot --db DB ARGS…` on a terminal, as a person runs it: under a
/// pseudo-terminal from util-linux's `script`. What the terminal showed
/// (stdout and stderr together) comes on the child's stdout.
pub fn on_terminal(db: &Path, args: &[&str]) -> Command {
    let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
    let mut line = vec![quote(BIN), quote("--db"), quote(&db.display().to_string())];
    line.extend(args.iter().map(|a| quote(a)));
    let mut c = Command::new("script");
    c.args(["-qfec", &line.join(" "), "/dev/null"]).env_remove("WILDROOT_DB").stdin(Stdio::null());
    c
}
