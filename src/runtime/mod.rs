//! A local Lambda execution environment for the `bootstrap` of a provided.al2023 /
//! provided.al2 function: what `cargo slim run` and `cargo slim bench` drive.
//!
//! One cold start, top to bottom: [`task_root`] unpacks exactly what ships into a
//! read-only task root → [`emulation`] decides how this machine runs it (natively,
//! or under qemu for arm64) → [`sandbox`] confines it like Lambda (a memory limit,
//! a CPU share proportional to memory) where the OS permits → [`process`] starts
//! it with the [`environment`] Lambda defines, beside a loopback [`api_server`]
//! speaking the Runtime API → [`execution_environment`] runs the init phase and
//! then each [`invocation`] → [`cloudwatch`] renders START/END/REPORT lines.
//! [`session`] strings environments together: a timeout or a crash ends one, and
//! the next invocation is a fresh cold start, as on Lambda.
//!
//! Nothing outlives a run: each process has a supervisor that kills everything it
//! started ([`process::supervisor`]), the [`host`] turns SIGINT, SIGTERM and SIGHUP
//! into an orderly stop, and a janitor removes what a SIGKILL left ([`leftovers`]).
//!
//! Nothing here knows about the command line: callers hand in a [`FunctionConfig`].

pub(crate) mod api_server;
pub(crate) mod cloudwatch;
pub(crate) mod cold_files;
pub(crate) mod emulation;
pub(crate) mod environment;
pub(crate) mod events;
pub(crate) mod execution_environment;
pub(crate) mod fault_report;
pub(crate) mod fault_watch;
pub(crate) mod function_config;
pub(crate) mod helpers;
pub(crate) mod host;
pub(crate) mod invocation;
pub(crate) mod leftovers;
pub(crate) mod observer;
pub(crate) mod process;
pub(crate) mod sandbox;
pub(crate) mod session;
pub(crate) mod stop_signals;
pub(crate) mod task_root;

pub(crate) use function_config::FunctionConfig;
pub(crate) use host::Host;
pub(crate) use invocation::InvocationRecord;
pub(crate) use session::Session;
pub(crate) use task_root::TaskRoot;
