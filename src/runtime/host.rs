//! What `run` and `bench` set up before anything is unpacked: the async runtime
//! the execution environments run on, the [`StopSignals`] that end them in
//! order, and the janitor of [`leftovers`] for the one signal that cannot be
//! caught.

use std::future::Future;

use anyhow::Context as _;

use super::leftovers;
use super::stop_signals::StopSignals;
use crate::util::error::SlimError;

pub(crate) struct Host {
    runtime: tokio::runtime::Runtime,
    stop: StopSignals,
    /// Why the janitor could not be started, if it could not.
    janitor_missing: Option<String>,
}

impl Host {
    pub(crate) fn start() -> anyhow::Result<Host> {
        // One thread: every function process is forked from it, and it lives as
        // long as the run (a parent-death signal follows the forking thread).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let stop = {
            let _inside = runtime.enter();
            StopSignals::listen().context("cannot catch SIGINT, SIGTERM and SIGHUP")?
        };
        let janitor_missing = leftovers::start().err().map(|e| e.to_string());
        Ok(Host {
            runtime,
            stop,
            janitor_missing,
        })
    }

    /// Why nothing will clean up after a SIGKILL, when that is so.
    pub(crate) fn janitor_missing(&self) -> Option<&str> {
        self.janitor_missing.as_deref()
    }

    /// Run `fut` to its end, or until a stop signal: then `fut` is dropped (its
    /// environments with it) and the error says which signal it was.
    pub(crate) fn block_on<T>(
        &mut self,
        fut: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        let stop = &mut self.stop;
        self.runtime.block_on(async {
            tokio::select! {
                result = fut => result,
                signal = stop.recv() => Err(SlimError::Interrupted { signal: signal.into() }.into()),
            }
        })
    }
}
