//! Termination signals: Ctrl-C (SIGINT), SIGTERM, SIGHUP and SIGQUIT end the
//! run at once with exit code 128 + the signal (130, 143, 129, 131), after
//! removing the temporary files of reports not yet renamed into place
//! (issue 13, items 4 and 18).
//!
//! A thread of its own waits for the signals (signal-hook), so stopping needs
//! no polling: a scan blocked reading standard input (`sleep 30 | lifted scan
//! -`) or busy in a long stage stops as soon as the signal arrives. Nothing
//! done before the write needs undoing; the write's temporary files are
//! registered with [`crate::output`], whose [`abandon`](crate::output::abandon)
//! removes them under the lock that a finished report is renamed under, and
//! the process exits holding that lock. A report is thus whole in place or
//! absent, and no temporary file is left. Before, the first Ctrl-C only set a
//! flag that the scan polled (standard input was never interrupted), a second
//! one exited without cleaning up, and SIGTERM or SIGHUP killed the process
//! with its temporary file left behind.
//!
//! SIGPIPE stays ignored, as Rust sets it: a closed pipe is a write error,
//! which the writers turn into a quiet end.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::output::{abandon, Written};

/// The cancel flag that the library's loops poll (between documents and
/// stages). The signal thread does not set it: it ends the process itself,
/// and a flag set on the way would let the main thread stop on its own and
/// race its exit code (130) against the signal's (143 for SIGTERM).
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// Start the thread that ends the process on a termination signal.
pub fn install() -> Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
        .context("cannot install the signal handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let (_held, written) = abandon();
                let what = match written {
                    Written::Nothing => "; no output was written",
                    Written::Stream => "; the output is incomplete",
                    Written::Files => " after the output was written",
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "lifted: interrupted by {}{what}",
                    name(signal)
                );
                // _exit(2): no destructor or exit handler runs while the other
                // threads go on; the lock on the temporary files is held.
                signal_hook::low_level::exit(128 + signal);
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "Ctrl-C (SIGINT)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        SIGQUIT => "SIGQUIT",
        _ => "a signal",
    }
}
