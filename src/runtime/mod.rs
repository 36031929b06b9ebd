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
//! Nothing here knows about the command line: callers hand in a [`FunctionConfig`].

pub mod api_server;
pub mod cloudwatch;
pub mod emulation;
pub mod environment;
pub mod events;
pub mod execution_environment;
pub mod function_config;
pub mod invocation;
pub mod observer;
pub mod process;
pub mod sandbox;
pub mod session;
pub mod task_root;

pub use function_config::FunctionConfig;
pub use invocation::{InvocationRecord, Outcome};
pub use observer::{LogLine, Observer};
pub use session::Session;
pub use task_root::TaskRoot;
