//! Invocations in flight in one environment: each handed to the runtime with
//! its own deadline, each ended by its own result — or by the deadline, or by
//! the end of the process, which ends them all. Lambda (default) has one in
//! flight at a time; Lambda Managed Instances up to `AWS_LAMBDA_MAX_CONCURRENCY`.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::{body_error_type, error_doc, exit_error_type, ms, ExecutionEnvironment, Result};
use crate::runtime::api_server::{ApiEvent, Pending, MAX_RESPONSE};
use crate::runtime::cloudwatch;
use crate::runtime::invocation::{ChunkTime, InitReport, Outcome, Streamed};
use crate::runtime::process::Exit;

/// An invocation that ended.
pub(crate) struct Finished {
    pub request_id: String,
    pub result: Result,
    /// The environment's init, for the invocation that started it.
    pub init: Option<InitReport>,
}

struct InFlight {
    /// Dispatch order: what ends together is reported in this order.
    seq: u64,
    sent: Instant,
    handed_out: Option<Instant>,
    /// The invocation's deadline once handed out; before, how long it may
    /// wait for the runtime to take it.
    deadline: Instant,
    timeout: Duration,
    init: Option<InitReport>,
    stream: Option<Streamed>,
}

#[derive(Default)]
pub(super) struct Table {
    running: HashMap<String, InFlight>,
    ended: VecDeque<Finished>,
    seq: u64,
}

impl InFlight {
    /// Milliseconds from the event's hand-out (or dispatch) to `at`.
    fn since(&self, at: Instant) -> f64 {
        ms(at.saturating_duration_since(self.handed_out.unwrap_or(self.sent)))
    }

    /// A chunk of a streamed response came.
    fn chunk(&mut self, bytes: usize, at: Instant) {
        let from = self.handed_out.unwrap_or(self.sent);
        let stream = self.stream.get_or_insert_with(Streamed::default);
        let at_ms = ms(at.saturating_duration_since(from));
        stream.ttfb_ms.get_or_insert(at_ms);
        stream.stream_ms = at_ms - stream.ttfb_ms.unwrap_or(at_ms);
        stream.chunks += 1;
        stream.bytes += bytes;
        if stream.chunk_times.len() < Streamed::TIMED {
            stream.chunk_times.push(ChunkTime { at_ms, bytes });
        }
    }
}

impl ExecutionEnvironment {
    /// Hand `event` to the runtime (at its next `GET …/next`), to end within
    /// its timeout of being handed out. The first invocation of an environment
    /// carries its init.
    pub(crate) fn dispatch(&mut self, event: Pending) {
        let now = Instant::now();
        let timeout = event.timeout;
        let table = &mut self.in_flight;
        table.seq += 1;
        let entry = InFlight {
            seq: table.seq,
            sent: now,
            handed_out: None,
            deadline: now + timeout,
            timeout,
            init: self.init.take(),
            stream: None,
        };
        table.running.insert(event.request_id.clone(), entry);
        if !self.alive() {
            // It died after its init: the invocation ends with it, at once.
            let exit = self.process.exited().cloned();
            self.end_all(exit);
            return;
        }
        // The server lives as long as the environment: this cannot fail while
        // the environment can take an event.
        let _ = self.server.hand_out(event);
    }

    /// Invocations dispatched and not ended.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.running.len()
    }

    /// Something still to collect: an invocation in flight or ended.
    pub(crate) fn unfinished(&self) -> bool {
        !self.in_flight.running.is_empty() || !self.in_flight.ended.is_empty()
    }

    /// The next invocation to end; `None` when none is in flight.
    pub(crate) async fn next_finished(&mut self) -> Option<Finished> {
        loop {
            if let Some(f) = self.in_flight.ended.pop_front() {
                return Some(f);
            }
            if self.in_flight.running.is_empty() {
                return None;
            }
            if let Some(f) = self.step(None).await {
                return Some(f);
            }
        }
    }

    /// Wait for one thing to happen — something the runtime did, a deadline,
    /// the end of the process — or for `until`; an invocation that ended then,
    /// if one did.
    pub(crate) async fn step(&mut self, until: Option<Instant>) -> Option<Finished> {
        if let Some(f) = self.in_flight.ended.pop_front() {
            return Some(f);
        }
        if !self.alive && self.in_flight.running.is_empty() {
            return None;
        }
        let due = self
            .in_flight
            .running
            .iter()
            .min_by_key(|(_, f)| f.deadline)
            .map(|(id, f)| (id.clone(), f.deadline));
        let wake = match (due.as_ref().map(|(_, at)| *at), until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tokio::select! {
            biased;
            event = self.events.recv() => match event {
                Some(event) => self.on_event(event),
                None => {
                    self.alive = false;
                    self.end_all(None);
                }
            },
            exit = &mut self.process.exit, if self.process.exited().is_none() => {
                let exit = exit.ok();
                if let Some(e) = &exit {
                    self.process.set_exited(e.clone());
                }
                self.alive = false;
                self.end_all(exit);
            }
            _ = sleep_until(wake) => {
                if let Some((id, at)) = due {
                    if Instant::now() >= at {
                        self.time_out(&id).await;
                    }
                }
            }
        }
        self.in_flight.ended.pop_front()
    }

    fn on_event(&mut self, event: ApiEvent) {
        match event {
            ApiEvent::HandedOut { request_id, at } => {
                if let Some(f) = self.in_flight.running.get_mut(&request_id) {
                    f.handed_out = Some(at);
                    f.deadline = at + f.timeout;
                    self.observer.platform_line(&cloudwatch::start(&request_id));
                }
            }
            ApiEvent::Chunk {
                request_id,
                data,
                at,
            } => {
                if let Some(f) = self.in_flight.running.get_mut(&request_id) {
                    f.chunk(data.len(), at);
                    self.observer.response_chunk(&request_id, &data);
                }
            }
            ApiEvent::Response {
                request_id,
                body,
                streamed,
                at,
            } => self.end(&request_id, |f| Result {
                outcome: Outcome::Success,
                payload: body,
                duration_ms: f.since(at),
                streamed: if streamed {
                    Some(f.stream.take().unwrap_or_default())
                } else {
                    None
                },
                fault: None,
            }),
            ApiEvent::Error {
                request_id,
                error_type,
                body,
                at,
            } => {
                let error_type = error_type
                    .or_else(|| body_error_type(&body))
                    .unwrap_or_else(|| "Unhandled".into());
                self.end(&request_id, |f| Result {
                    outcome: Outcome::FunctionError { error_type },
                    payload: body,
                    duration_ms: f.since(at),
                    streamed: f.stream.take(),
                    fault: None,
                });
            }
            ApiEvent::ResponseTooLarge { request_id, at } => self.end(&request_id, |f| {
                let message = format!(
                    "Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE} bytes)."
                );
                Result {
                    outcome: Outcome::ResponseTooLarge,
                    payload: error_doc("Function.ResponseSizeTooLarge", &message),
                    duration_ms: f.since(at),
                    streamed: f.stream.take(),
                    fault: None,
                }
            }),
            // Polls are counted by the server; an init error after init is
            // not a state Lambda accepts either.
            ApiEvent::Polled { .. } | ApiEvent::InitError { .. } => {}
        }
    }

    /// End the invocation `request_id` (if it is still in flight) with `result`.
    fn end(&mut self, request_id: &str, result: impl FnOnce(&mut InFlight) -> Result) {
        if let Some(mut f) = self.in_flight.running.remove(request_id) {
            let result = result(&mut f);
            if f.handed_out.is_none() && result.outcome != Outcome::Unavailable {
                // It ends before the runtime took it: its START line still
                // comes first.
                self.observer.platform_line(&cloudwatch::start(request_id));
            }
            self.in_flight.ended.push_back(Finished {
                request_id: request_id.to_string(),
                result,
                init: f.init,
            });
        }
    }

    /// The deadline of `request_id` passed: `Task timed out`. On Lambda
    /// (default) the environment goes with it; under Managed Instances only
    /// the invocation fails, and a late result for it is refused. An event no
    /// worker of a Managed Instances runtime took is withdrawn, unavailable.
    async fn time_out(&mut self, request_id: &str) {
        let now = Instant::now();
        let (seconds, taken) = match self.in_flight.running.get(request_id) {
            Some(f) => (f.timeout.as_secs_f64(), f.handed_out.is_some()),
            None => return,
        };
        if self.managed && !taken {
            self.server.withdraw(request_id);
            let message = format!(
                "no runtime worker took the invocation within {seconds:.2} seconds: all were \
                 busy (invocations that timed out keep running under Managed Instances)"
            );
            self.end(request_id, |f| Result {
                outcome: Outcome::Unavailable,
                payload: error_doc("Runtime.Unavailable", &message),
                duration_ms: f.since(now),
                streamed: None,
                fault: None,
            });
            return;
        }
        let message = cloudwatch::timed_out(request_id, seconds);
        self.end(request_id, |f| Result {
            outcome: Outcome::Timeout,
            payload: error_doc("Sandbox.Timedout", &message),
            duration_ms: f.since(now),
            streamed: f.stream.take(),
            fault: None,
        });
        if self.managed {
            self.server.expire(request_id);
        } else {
            let exit = self.process.reap().await;
            self.group.kill_all();
            self.alive = false;
            self.end_all(exit);
        }
    }

    /// The process ended (or was killed): every invocation in flight ends with
    /// it, `Runtime exited with error`.
    fn end_all(&mut self, exit: Option<Exit>) {
        let mut running: Vec<(String, InFlight)> = self.in_flight.running.drain().collect();
        running.sort_by_key(|(_, f)| f.seq);
        let (error_type, describe) = match &exit {
            Some(e) => (exit_error_type(&self.group), e.describe()),
            None => ("Runtime.ExitError".to_string(), "unknown exit".to_string()),
        };
        let at = exit.as_ref().map_or_else(Instant::now, |e| e.at);
        let fault = self.fault();
        for (request_id, mut f) in running {
            if f.handed_out.is_none() {
                self.observer.platform_line(&cloudwatch::start(&request_id));
            }
            let message =
                format!("RequestId: {request_id} Error: Runtime exited with error: {describe}");
            let result = Result {
                outcome: Outcome::ExitError {
                    error_type: error_type.clone(),
                    message: message.clone(),
                },
                payload: error_doc(&error_type, &message),
                duration_ms: f.since(at),
                streamed: f.stream.take(),
                fault,
            };
            self.in_flight.ended.push_back(Finished {
                request_id,
                result,
                init: f.init,
            });
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
