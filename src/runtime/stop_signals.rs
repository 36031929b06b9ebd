//! The signals that stop a run in an orderly way: SIGINT (Ctrl-C), SIGTERM (what
//! CI cancellation, `timeout` and container stops send) and SIGHUP (a closed
//! terminal). Caught, each ends the run like an error would — every execution
//! environment killed, every cgroup and temporary directory removed — where
//! their default action would kill cargo-slim on the spot and leave all of it.

use tokio::signal::unix::{signal, Signal, SignalKind};

pub(crate) struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl StopSignals {
    /// Catch them from now on (a signal that arrives before [`Self::recv`] is
    /// polled is kept for it). Must be called inside a tokio runtime.
    pub(crate) fn listen() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// The name of the next one to arrive.
    pub(crate) async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.hangup.recv() => "SIGHUP",
        }
    }
}
