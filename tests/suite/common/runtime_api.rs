//! A loopback stand-in for the Lambda Runtime API, enough for one invocation:
//! `GET /2018-06-01/runtime/invocation/next` hands out one event, and
//! `POST /2018-06-01/runtime/invocation/{id}/response` (or `/error`) is captured.
//! Later `next` calls are held open, as the real service holds them until the
//! next event.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

pub const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// What the function sent back.
#[derive(Debug)]
pub struct Reply {
    pub path: String,
    pub body: String,
}

pub struct RuntimeApi {
    pub address: String,
    replies: Receiver<Reply>,
}

impl RuntimeApi {
    /// Serve `event` (a JSON document) as the one invocation.
    pub fn start(event: &str) -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().expect("local addr").to_string();
        let (tx, rx) = channel();
        let event = event.to_string();
        let handed_out = Arc::new(AtomicBool::new(false));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (tx, event, handed_out) = (tx.clone(), event.clone(), handed_out.clone());
                thread::spawn(move || serve(stream, &event, &handed_out, &tx));
            }
        });
        RuntimeApi {
            address,
            replies: rx,
        }
    }

    /// The function's reply, waiting at most `timeout`.
    pub fn reply(&self, timeout: Duration) -> Option<Reply> {
        self.replies.recv_timeout(timeout).ok()
    }
}

fn serve(stream: TcpStream, event: &str, handed_out: &AtomicBool, tx: &Sender<Reply>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let response = if method == "GET" && path.ends_with("/runtime/invocation/next") {
            if handed_out.swap(true, Ordering::SeqCst) {
                // One invocation only: hold this poll until the test ends.
                thread::sleep(Duration::from_secs(600));
                return;
            }
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {REQUEST_ID}\r\n\
                 Lambda-Runtime-Deadline-Ms: 4102444800000\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:slim-test\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                event.len()
            )
        } else if method == "POST" {
            let _ = tx.send(Reply {
                path: path.clone(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n"
                .to_string()
        } else {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string()
        };
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The environment the Lambda service gives a function process.
pub fn lambda_env(api: &RuntimeApi) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.address.clone()),
        ("AWS_LAMBDA_FUNCTION_NAME", "slim-test".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/slim-test".into()),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/23/[$LATEST]0123456789abcdef".into(),
        ),
        ("AWS_REGION", "us-east-1".into()),
        ("_HANDLER", "bootstrap".into()),
    ]
}

/// Start `cmd` (a function's executable) against a fresh loopback Runtime API
/// serving `event`, wait for its reply at most `timeout`, then stop it.
pub fn invoke_once(
    mut cmd: std::process::Command,
    event: &str,
    timeout: Duration,
) -> Option<Reply> {
    let api = RuntimeApi::start(event);
    for (k, v) in lambda_env(&api) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the function");
    let reply = api.reply(timeout);
    let _ = child.kill();
    let _ = child.wait();
    reply
}
