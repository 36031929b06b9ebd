//! The lines Lambda writes to a function's log stream around each invocation, in
//! CloudWatch's format (fields separated by tabs, shown as spaces here; durations
//! with two decimals):
//!
//! ```text
//! START RequestId: 6c7f… Version: $LATEST
//! END RequestId: 6c7f…
//! REPORT RequestId: 6c7f… Duration: 1.52 ms Billed Duration: 14 ms Memory Size: 128 MB Max Memory Used: 11 MB Init Duration: 12.05 ms
//! INIT_REPORT Init Duration: 3.10 ms Phase: init Status: error Error Type: Runtime.ExitError
//! ```
//!
//! A figure taken under emulation gets ` [emulated: qemu-aarch64-static]`: it
//! describes qemu as much as the function.

use super::invocation::{InitReport, InvocationRecord, Outcome};

pub(crate) fn start(request_id: &str) -> String {
    format!("START RequestId: {request_id} Version: $LATEST")
}

pub(crate) fn end(request_id: &str) -> String {
    format!("END RequestId: {request_id}")
}

/// `INIT_REPORT` for a failed init (Lambda writes none for a good one: its
/// duration goes on the REPORT line).
pub(crate) fn init_report(init: &InitReport, emulated: Option<&str>) -> Option<String> {
    let status = init.status.as_deref()?;
    let mut line = format!(
        "INIT_REPORT Init Duration: {:.2} ms\tPhase: init\tStatus: {status}",
        init.duration_ms
    );
    if let Some(t) = &init.error_type {
        line.push_str(&format!("\tError Type: {t}"));
    }
    push_emulated(&mut line, emulated);
    Some(line)
}

pub(crate) fn report(record: &InvocationRecord) -> String {
    let mut line = format!(
        "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        record.request_id,
        record.duration_ms,
        record.billed_duration_ms,
        record.memory_size_mb,
        record
            .max_memory_used_mb
            .map_or_else(|| "?".to_string(), |m| m.to_string()),
    );
    if let Some(init) = record.init.as_ref().filter(|i| i.status.is_none()) {
        line.push_str(&format!("\tInit Duration: {:.2} ms", init.duration_ms));
    }
    match &record.outcome {
        Outcome::Success | Outcome::FunctionError { .. } => {}
        Outcome::Timeout => line.push_str("\tStatus: timeout"),
        other => {
            line.push_str("\tStatus: error");
            if let Some(t) = other.error_type() {
                line.push_str(&format!("\tError Type: {t}"));
            }
        }
    }
    push_emulated(&mut line, record.emulated.as_deref());
    line
}

fn push_emulated(line: &mut String, emulated: Option<&str>) {
    if let Some(how) = emulated {
        line.push_str(&format!("\t[emulated: {how}]"));
    }
}

/// The line Lambda logs when an invocation times out, with its timestamp.
pub(crate) fn timed_out(request_id: &str, seconds: f64) -> String {
    format!(
        "{} {request_id} Task timed out after {seconds:.2} seconds",
        humantime::format_rfc3339_millis(std::time::SystemTime::now())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::invocation::InvocationRecord;

    fn record(outcome: Outcome, init: Option<InitReport>) -> InvocationRecord {
        InvocationRecord {
            request_id: "r-1".into(),
            outcome,
            init,
            duration_ms: 1.234,
            billed_duration_ms: 2,
            memory_size_mb: 128,
            max_memory_used_mb: Some(11),
            max_memory_used_bytes: Some(11 << 20),
            memory_measured_by: None,
            payload: Default::default(),
            streamed: None,
            emulated: None,
            logs: vec![],
            logs_dropped: None,
            fault: None,
        }
    }

    #[test]
    fn report_lines_as_cloudwatch_writes_them() {
        let cold = InitReport {
            duration_ms: 12.5,
            status: None,
            error_type: None,
        };
        assert_eq!(
            report(&record(Outcome::Success, Some(cold))),
            "REPORT RequestId: r-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 11 MB\tInit Duration: 12.50 ms"
        );
        assert!(report(&record(Outcome::Timeout, None)).ends_with("\tStatus: timeout"));
        let oom = Outcome::ExitError {
            error_type: "Runtime.OutOfMemory".into(),
            message: String::new(),
        };
        assert!(report(&record(oom, None))
            .ends_with("\tStatus: error\tError Type: Runtime.OutOfMemory"));
        assert_eq!(start("r-1"), "START RequestId: r-1 Version: $LATEST");
    }

    #[test]
    fn failed_init_has_its_own_line() {
        let init = InitReport {
            duration_ms: 3.1,
            status: Some("error".into()),
            error_type: Some("Runtime.ExitError".into()),
        };
        assert_eq!(
            init_report(&init, Some("qemu-aarch64-static")).unwrap(),
            "INIT_REPORT Init Duration: 3.10 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\t[emulated: qemu-aarch64-static]"
        );
    }
}
