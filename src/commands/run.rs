//! `cargo slim run`: build when needed, unpack what ships, invoke it under the
//! local Lambda runtime, print the response and the platform's report lines.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use bytes::Bytes;

use super::function_settings::{function_config, FunctionDefaults};
use crate::model::cpu_baseline::CpuBaseline;
use crate::model::function_limits::Limit;
use crate::model::options::{RequestedOptions, Selection};
use crate::model::run_options::RunRequest;
use crate::output::{OutputDir, OutputFile};
use crate::pipeline::plan::metadata_tables::MetadataTables;
use crate::runtime::emulation::{self, Runner};
use crate::runtime::events;
use crate::runtime::fault_report;
use crate::runtime::observer::{LogLine, Observer, Stream};
use crate::runtime::sandbox::{user, Confinement};
use crate::runtime::{FunctionConfig, Host, InvocationRecord, Session, TaskRoot};
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};

/// What is to be run: a path the user gave, or the selected package's fresh build.
pub(crate) struct Shipped {
    pub path: PathBuf,
    /// The binary's name, when we built it (the default function name).
    pub bin: Option<String>,
    /// The unstripped twin (for counting crates), when there is one.
    pub full: Option<PathBuf>,
    /// `[package.metadata.slim]` (or workspace) memory, timeout, concurrency…
    pub defaults: FunctionDefaults,
}

pub(crate) fn run(ui: &Ui, args: &RunRequest) -> Result<Exit> {
    // The event is read (and checked) before minutes of building.
    let payload = Bytes::from(events::load(&args.event)?);
    let shipped = shipped(ui, args.path.as_deref(), &args.selection, &args.build)?;
    let config = function_config(&args.function, shipped.bin.as_deref(), &shipped.defaults)?;
    let mut host = start_host(ui)?;
    let task_root = TaskRoot::prepare(&shipped.path, user::unprivileged())?;
    let runner = runner_for(&task_root, args.function.baseline_cpu)?;
    describe_start(ui, &shipped.path, &runner, &config);

    let observer: Arc<dyn Observer> = Arc::new(Printer {
        platform: !ui.quiet && !ui.json(),
        function: !ui.quiet,
        response: !ui.json(),
    });
    // Faults are named from the unstripped twin when there is one.
    let names = shipped
        .full
        .clone()
        .or_else(|| task_root.bootstrap.clone())
        .unwrap_or_default();
    let mut session = Session::new(config.clone(), &task_root, runner.clone(), observer);
    let count = args.repeat.unwrap_or(config.max_in_flight() as u32);
    let payloads = vec![payload; count as usize];
    let records = host.block_on(async {
        let mut records = Vec::new();
        session
            .invoke_all(&payloads, |mut record| {
                if let (false, Some(fault)) = (ui.json(), &record.fault) {
                    let located = fault_report::locate(fault, &names);
                    ui.warn(fault_report::human(
                        fault,
                        &located,
                        runner.label().as_deref(),
                    ));
                }
                if !ui.json() {
                    print_response(ui, &record)?;
                    // Printed as they came: the window of them is not needed again.
                    record.logs = Vec::new();
                }
                records.push(record);
                Ok(())
            })
            .await?;
        session.retire().await;
        Ok(records)
    })?;
    let confinement = session.confinement().cloned();
    if let Some(c) = &confinement {
        report_confinement(ui, c);
    }
    if ui.json() {
        let doc = serde_json::json!({
            "function": function_json(&config),
            "bootstrap": task_root.source,
            "emulated": runner.label(),
            "confinement": confinement,
            "invocations": records
                .iter()
                .map(|r| {
                    let mut value = record_json(r);
                    if let (Some(fault), Some(obj)) = (&r.fault, value.as_object_mut()) {
                        let located = fault_report::locate(fault, &names);
                        obj.insert("fault".into(), fault_report::json(fault, &located));
                    }
                    value
                })
                .collect::<Vec<_>>(),
        });
        ui.out_json(&doc)?;
    }
    Ok(if records.iter().all(|r| r.outcome.succeeded()) {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

/// Set up the local runtime's host before anything is unpacked; say so when
/// nothing would clean up after a SIGKILL.
pub(crate) fn start_host(ui: &Ui) -> Result<Host> {
    let host = Host::start()?;
    if let Some(why) = host.janitor_missing() {
        ui.warn(format!(
            "cannot start the cleanup helper ({why}): if cargo-slim is killed with SIGKILL, \
             its temporary directories and cgroups stay behind"
        ));
    }
    Ok(host)
}

/// Find or build what to run. A path is used as it is; otherwise the selected
/// package is built (a no-op when nothing changed) for exactly one target.
pub(crate) fn shipped(
    ui: &Ui,
    path: Option<&Path>,
    selection: &Selection,
    build: &RequestedOptions,
) -> Result<Shipped> {
    if let Some(path) = path {
        let file = crate::runtime::task_root::resolve(path)?;
        let full = OutputDir::beside(&file)
            .map(|d| d.unlocked(OutputFile::Unstripped))
            .filter(|f| f.is_file());
        return Ok(Shipped {
            path: path.to_path_buf(),
            bin: None,
            full,
            defaults: FunctionDefaults::default(),
        });
    }
    let plan = crate::pipeline::plan::plan(ui, selection, build)?;
    if plan.targets.len() != 1 {
        let list: Vec<String> = plan.targets.iter().map(|t| t.to_string()).collect();
        return Err(SlimError::SeveralTargets { targets: list }.into());
    }
    // The same tables the plan read (and validated: a `memory` that is not a
    // number already stopped it there).
    let tables = MetadataTables::read(&plan.package.metadata, &plan.metadata.workspace_metadata)?;
    let defaults = FunctionDefaults {
        memory: tables.limit(Limit::Memory)?,
        timeout: tables.limit(Limit::Timeout)?.map(u64::from),
        concurrency: tables.pick(|m| m.concurrency).map(|(_, v)| v),
        ephemeral_storage: tables.pick(|m| m.ephemeral_storage).map(|(_, v)| v),
    };
    let outcomes = crate::pipeline::build::build_plan(ui, &plan)?;
    let Some(outcome) = outcomes.into_iter().next() else {
        anyhow::bail!("the build produced nothing");
    };
    if outcome.manifest.is_none() {
        return Err(SlimError::PreflightRefused {
            target: outcome.target.to_string(),
        }
        .into());
    }
    Ok(Shipped {
        path: outcome.dir.unlocked(OutputFile::Zip),
        bin: Some(outcome.bin.to_string()),
        full: Some(outcome.dir.unlocked(OutputFile::Unstripped)).filter(|f| f.is_file()),
        defaults,
    })
}

/// How this machine runs the unpacked bootstrap; `baseline_cpu`: under qemu
/// emulating the CPU baseline of its architecture.
pub(crate) fn runner_for(task_root: &TaskRoot, baseline_cpu: bool) -> Result<Runner> {
    match &task_root.bootstrap {
        None => Ok(Runner::Native),
        Some(path) => {
            let data =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let model = baseline_cpu
                .then(|| emulation::elf_arch(&data))
                .flatten()
                .and_then(|(arch, _)| CpuBaseline::lambda(arch).qemu_model);
            emulation::runner_for(&data, model)
        }
    }
}

fn describe_start(ui: &Ui, path: &Path, runner: &Runner, config: &FunctionConfig) {
    let how = match runner.label() {
        Some(qemu) => format!("emulated by {qemu}: figures describe qemu as much as the function"),
        None => "native".into(),
    };
    let concurrency = match config.concurrency {
        Some(n) => format!("; Lambda Managed Instances, up to {n} at once"),
        None => String::new(),
    };
    ui.status(
        "Running",
        format!(
            "{} ({how}; {} MB, timeout {} s{concurrency})",
            path.display(),
            config.memory_mb,
            config.timeout.as_secs()
        ),
    );
}

/// Say what was and was not confined; a limit not in force is a warning.
pub(crate) fn report_confinement(ui: &Ui, confinement: &Confinement) {
    if confinement.fully_applied() {
        ui.verbose(format!("limits: {}", confinement.describe()));
    } else {
        ui.warn(format!(
            "running without Lambda's full limits: {}",
            confinement.describe()
        ));
    }
}

/// The response on stdout: pretty JSON on a terminal, else as the function sent it.
/// A streamed response is already there, printed as it came: it only gets its
/// final newline. A failure after a refused write gets a note saying why.
fn print_response(ui: &Ui, record: &InvocationRecord) -> Result<()> {
    if let Some(why) = record.read_only_hint() {
        ui.note(why);
    }
    let body = &record.payload;
    if record.streamed.is_some() && record.outcome.succeeded() {
        if !body.ends_with(b"\n") {
            ui.out("\n")?;
        }
        return Ok(());
    }
    let mut text = if std::io::stdout().is_terminal() {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        }
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    ui.out(&text)?;
    Ok(())
}

fn function_json(config: &FunctionConfig) -> serde_json::Value {
    serde_json::json!({
        "name": config.function_name,
        "memory_mb": config.memory_mb,
        "timeout_s": config.timeout.as_secs(),
        "region": config.region,
        "concurrency": config.concurrency,
        "ephemeral_storage_mb": config.ephemeral_storage_mb,
    })
}

/// One invocation as JSON: the record, the response parsed when it is JSON.
pub(crate) fn record_json(record: &InvocationRecord) -> serde_json::Value {
    let mut value = serde_json::to_value(record).unwrap_or_default();
    let response = match serde_json::from_slice::<serde_json::Value>(&record.payload) {
        Ok(v) => v,
        Err(_) => serde_json::Value::String(String::from_utf8_lossy(&record.payload).into_owned()),
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("response".into(), response);
        obj.insert("response_bytes".into(), record.payload.len().into());
    }
    value
}

/// Prints the function's lines (prefixed) and the platform's on stderr, and a
/// streamed response's chunks on stdout as they arrive.
struct Printer {
    platform: bool,
    function: bool,
    response: bool,
}

impl Observer for Printer {
    fn function_line(&self, line: &LogLine) {
        if self.function {
            let tag = match line.stream {
                Stream::Stdout => "stdout",
                Stream::Stderr => "stderr",
            };
            crate::ui::eprintln_error(&format!("  [function {tag}] {}", line.text));
        }
    }

    fn platform_line(&self, line: &str) {
        if self.platform {
            crate::ui::eprintln_error(line);
        }
    }

    fn response_chunk(&self, _request_id: &str, data: &[u8]) {
        if self.response {
            // A closed stdout ends the run at its next response.
            let _ = crate::ui::out_bytes(data);
        }
    }
}
