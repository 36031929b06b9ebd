//! A fatal signal seen under `--baseline-cpu`, named for the user: the
//! function and crate the faulting instruction is in (from bootstrap.full when
//! it is known, else the bootstrap's own symbols) and what that instruction
//! needs. Lambda's own report says only `signal: illegal instruction`.

use std::path::Path;

use super::fault_watch::Fault;
use crate::artifact::elf::symbolize::{self, Located};

/// The fault, named from the ELF at `names` (unreadable: unnamed).
pub(crate) fn locate(fault: &Fault, names: &Path) -> Located {
    let file_address = fault.address.wrapping_sub(fault.load_bias);
    std::fs::read(names)
        .ok()
        .and_then(|data| symbolize::locate(&data, file_address).ok())
        .unwrap_or_default()
}

/// One line for stderr.
pub(crate) fn human(fault: &Fault, located: &Located, emulated: Option<&str>) -> String {
    let (signal, lambda) = match fault.signal {
        libc::SIGILL => ("SIGILL", "illegal instruction"),
        libc::SIGSEGV => ("SIGSEGV", "segmentation fault"),
        libc::SIGBUS => ("SIGBUS", "bus error"),
        libc::SIGFPE => ("SIGFPE", "floating point exception"),
        _ => ("a fatal signal", "signal"),
    };
    let file_address = fault.address.wrapping_sub(fault.load_bias);
    let mut text = format!("{signal} at {file_address:#x}");
    match (&located.function, &located.krate) {
        (Some(function), Some(krate)) => text.push_str(&format!(" in {function} ({krate})")),
        (Some(function), None) => text.push_str(&format!(" in {function}")),
        _ => text.push_str(" (no symbol covers it)"),
    }
    if let Some(instruction) = &located.instruction {
        text.push_str(&format!(
            ": `{instruction}` needs {}",
            located.features.join(", ")
        ));
        if let Some(cpu) = emulated {
            text.push_str(&format!(", which {cpu} does not have"));
        }
    }
    text.push_str(&format!(
        ". Lambda reports it as Runtime.ExitError, \"Runtime exited with error: signal: \
         {lambda}\""
    ));
    text
}

/// The fault as JSON, with its names.
pub(crate) fn json(fault: &Fault, located: &Located) -> serde_json::Value {
    serde_json::json!({
        "signal": fault.signal,
        "address": fault.address,
        "file_address": fault.address.wrapping_sub(fault.load_bias),
        "function": located.function,
        "krate": located.krate,
        "instruction": located.instruction,
        "features": located.features,
    })
}
