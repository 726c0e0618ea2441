//! Progress of long work (a Shopify import, a device's first sync) on
//! stderr, for a person watching a terminal: one line redrawn in place.
//! `--json`, `--csv` and anything that is not a terminal (a pipe, a log
//! file, a script) get none, so their output stays exactly the result.
use crate::output::Format;
use std::io::{IsTerminal, Write};

pub(crate) struct Progress {
    on: bool,
    drawn: bool,
}

impl Progress {
    pub(crate) fn new(format: Format) -> Progress {
        Progress { on: format == Format::Table && std::io::stderr().is_terminal(), drawn: false }
    }

    /// Redraws the line with `text`.
    pub(crate) fn say(&mut self, text: &str) {
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{text}");
            let _ = err.flush();
            self.drawn = true;
        }
    }

    /// A bar of `done` out of `total` things.
    pub(crate) fn bar(&mut self, done: usize, total: usize, what: &str) {
        let filled = (done.min(total) * 30).checked_div(total).unwrap_or(30);
        self.say(&format!("[{}{}] {done} of {total} {what}", "#".repeat(filled), "-".repeat(30 - filled)));
    }
}

impl Drop for Progress {
    /// The line is ended, so what follows starts on a line of its own.
    fn drop(&mut self) {
        if self.drawn {
            eprintln!();
        }
    }
}
