//! A real SMTP server on 127.0.0.1 for the emailed-receipt tests: Python's
//! aiosmtpd (Debian's python3-aiosmtpd, installed by `scripts/setup-app`),
//! run from `support/smtp_server.py`. Not a fake: the sender speaks SMTP to
//! it, logs in (a wrong password is answered 535) and every accepted
//! message is kept as a file. Lives here with the other test support.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/support/smtp_server.py");

/// A running SMTP server, stopped when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first Python that has aiosmtpd (Debian's, then the one on PATH).
/// None when there is none: the caller fails rather than pass without it.
pub fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| Command::new(p).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success()))
}

impl SmtpServer {
    /// Starts one that takes the login `user`/`password` and keeps messages
    /// in `dir`. With `kill_pid_file`, the first message makes it SIGKILL
    /// the process whose pid the file holds, before it answers.
    pub fn start(dir: &Path, user: &str, password: &str, kill_pid_file: Option<&Path>) -> Result<SmtpServer, String> {
        let python = python().ok_or("no Python with aiosmtpd: run ./scripts/setup-app (it installs python3-aiosmtpd)")?;
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(python);
        cmd.arg(SCRIPT).arg(dir).arg(user).arg(password);
        if let Some(p) = kill_pid_file {
            cmd.arg(p);
        }
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::null()).spawn().map_err(|e| e.to_string())?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let port = line.trim().strip_prefix("port ").and_then(|p| p.parse().ok()).ok_or(format!("the SMTP server said '{line}'"))?;
        Ok(SmtpServer { child, port, dir: dir.to_path_buf() })
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, in order, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
    }
}
