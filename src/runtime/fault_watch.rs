//! Where a function run under qemu died: the address of the instruction that
//! raised SIGILL (or SIGSEGV, SIGBUS, SIGFPE), asked of qemu's own debugger
//! stub (`qemu-… -g SOCKET`, the GDB remote protocol over a Unix socket in a
//! directory of our own).
//!
//! A thread connects, lets the program run (`c`), and at each signal the stub
//! reports: for a fatal one, reads the registers (`g`) and the load bias of a
//! position-independent executable (`qOffsets`), then hands the signal on
//! (`C<sig>`) as if nothing watched — so the process still dies of it, with
//! the exit status Lambda would see. Lambda itself reports only
//! `Runtime exited with error: signal: illegal instruction`; the address is
//! what this local run adds.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::model::target::Arch;

/// A fatal signal and where it struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Fault {
    pub signal: i32,
    /// The program counter, as the process saw it.
    pub address: u64,
    /// What qemu added to the executable's addresses when loading it (0 for a
    /// position-dependent one): `address - load_bias` is the address in the file.
    pub load_bias: u64,
}

/// How long qemu may take to open its socket.
const CONNECT_PATIENCE: Duration = Duration::from_secs(30);

/// Signals whose place is worth naming (GDB's numbers, which are Linux's here).
const FATAL: &[i32] = &[libc::SIGILL, libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE];

/// The watch of one process: the socket qemu listens on, and what was seen.
pub(crate) struct FaultWatch {
    dir: tempfile::TempDir,
    seen: Arc<Mutex<Option<Fault>>>,
}

impl FaultWatch {
    /// A private directory for the socket; `owner` (the function's user, when
    /// it runs as another) must be able to create it there.
    pub(crate) fn prepare(owner: Option<(u32, u32)>) -> std::io::Result<FaultWatch> {
        let dir = tempfile::Builder::new()
            .prefix("cargo-slim-gdb")
            .tempdir()?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
        }
        Ok(FaultWatch {
            dir,
            seen: Arc::new(Mutex::new(None)),
        })
    }

    /// The socket path to give qemu's `-g`.
    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("gdb")
    }

    /// Start watching (qemu waits for us before running the program).
    pub(crate) fn start(&self, arch: Arch) {
        let socket = self.socket();
        let seen = self.seen.clone();
        std::thread::spawn(move || {
            let _ = watch(&socket, arch, &seen);
        });
    }

    /// The fatal signal seen, if any.
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.seen.lock().ok().and_then(|f| *f)
    }
}

fn watch(socket: &Path, arch: Arch, seen: &Mutex<Option<Fault>>) -> std::io::Result<()> {
    let started = Instant::now();
    let stream = loop {
        match UnixStream::connect(socket) {
            Ok(s) => break s,
            Err(e) if started.elapsed() > CONNECT_PATIENCE => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let mut link = Link {
        reader: BufReader::new(stream.try_clone()?),
        writer: stream,
    };
    link.send("c")?;
    loop {
        let reply = link.packet()?;
        let Some(kind) = reply.bytes().next() else {
            continue;
        };
        match kind {
            // The process exited (W) or was killed by a signal (X): done.
            b'W' | b'X' => return Ok(()),
            b'T' | b'S' => {
                let signal = reply
                    .get(1..3)
                    .and_then(|h| i32::from_str_radix(h, 16).ok())
                    .unwrap_or(0);
                if FATAL.contains(&signal) {
                    let fault = locate(&mut link, arch, signal)?;
                    if let Ok(mut slot) = seen.lock() {
                        slot.get_or_insert(fault);
                    }
                }
                // Hand the signal on, as if nothing had stopped it.
                link.send(&format!("C{signal:02x}"))?;
            }
            _ => {}
        }
    }
}

/// Read the program counter and the load bias of the stopped process.
fn locate(link: &mut Link, arch: Arch, signal: i32) -> std::io::Result<Fault> {
    link.send("g")?;
    let registers = link.packet()?;
    // The PC in GDB's register order: rip after 16 general registers (x86_64);
    // pc after x0–x30 and sp (AArch64). Each is 8 bytes, little-endian, in hex.
    let index = match arch {
        Arch::X86_64 => 16,
        Arch::Arm64 => 32,
    };
    let address = registers
        .get(index * 16..index * 16 + 16)
        .and_then(little_endian_hex)
        .unwrap_or(0);
    link.send("qOffsets")?;
    let offsets = link.packet()?;
    let load_bias = offsets
        .split(';')
        .find_map(|part| part.strip_prefix("Text="))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    Ok(Fault {
        signal,
        address,
        load_bias,
    })
}

fn little_endian_hex(hex: &str) -> Option<u64> {
    let mut bytes = [0u8; 8];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(u64::from_le_bytes(bytes))
}

/// The GDB remote serial protocol, as much as is needed: `$data#xx` packets,
/// each acknowledged with `+`.
struct Link {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Link {
    fn send(&mut self, data: &str) -> std::io::Result<()> {
        let sum = data.bytes().fold(0u8, u8::wrapping_add);
        self.writer
            .write_all(format!("${data}#{sum:02x}").as_bytes())
    }

    /// The next packet's data (acknowledged); acks and noise before it skipped.
    fn packet(&mut self) -> std::io::Result<String> {
        let mut skipped = Vec::new();
        self.reader.read_until(b'$', &mut skipped)?;
        if !skipped.ends_with(b"$") {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut data = Vec::new();
        self.reader.read_until(b'#', &mut data)?;
        if data.pop() != Some(b'#') {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut checksum = [0u8; 2];
        self.reader.read_exact(&mut checksum)?;
        self.writer.write_all(b"+")?;
        Ok(String::from_utf8_lossy(&data).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_counter_from_hex() {
        assert_eq!(little_endian_hex("e437010100000000"), Some(0x10137e4));
        assert_eq!(little_endian_hex("zz"), None);
    }
}
