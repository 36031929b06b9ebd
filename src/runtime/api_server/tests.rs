//! The Runtime API's contract, spoken to over raw HTTP/1.1 as a runtime would.

use super::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// One raw HTTP/1.1 exchange (the test plays a runtime that writes its own
/// requests); returns the response text. The body is written from a task, so
/// a server that answers before reading it all (413) is seen as it answers;
/// the writing half stays open until the answer is read, as a runtime keeps
/// it (hyper takes a half-closed connection for a client gone).
async fn exchange(addr: SocketAddr, head: String, body: Vec<u8>) -> String {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let _ = write.write_all(&body).await;
        write
    });
    let mut out = Vec::new();
    let _ = read.read_to_end(&mut out).await;
    drop(writer.await);
    String::from_utf8_lossy(&out).into_owned()
}

fn get_next() -> String {
    format!("GET {PREFIX}invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
}

fn event(request_id: &str, payload: &'static [u8]) -> Pending {
    Pending {
        request_id: request_id.into(),
        timeout: std::time::Duration::from_secs(42),
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
        trace_id: "Root=1-0-0".into(),
        client_context: None,
        cognito_identity: None,
        payload: Bytes::from_static(payload),
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn post(path: &str, len: usize) -> String {
    format!("POST {PREFIX}{path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
}

#[test]
fn contract_of_next_response_and_the_limits() {
    current_thread().block_on(async {
        let (server, mut events) = start().await.unwrap();
        let addr = server.address;
        assert!(server.hand_out(Pending {
            client_context: Some("{\"a\":1}".into()),
            ..event("req-1", b"{\"k\":1}")
        }));
        let next = exchange(addr, get_next(), Vec::new()).await.to_ascii_lowercase();
        assert!(next.starts_with("http/1.1 200"), "{next}");
        for header in [
            "lambda-runtime-aws-request-id: req-1",
            "lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:f",
            "lambda-runtime-trace-id: root=1-0-0",
            "lambda-runtime-client-context: {\"a\":1}",
        ] {
            assert!(next.contains(header), "{header}: {next}");
        }
        assert!(next.ends_with("{\"k\":1}"), "{next}");
        let deadline: u128 = next
            .lines()
            .find_map(|l| l.strip_prefix("lambda-runtime-deadline-ms: "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        assert!(deadline > now + 41_000 && deadline <= now + 42_000, "{deadline} vs {now}");

        // A request ID not in flight.
        let wrong = exchange(addr, post("invocation/req-2/response", 2), b"{}".to_vec()).await;
        assert!(wrong.starts_with("HTTP/1.1 400"), "{wrong}");
        assert!(wrong.contains("{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}"), "{wrong}");

        // Over the buffered limit: 413, and the invocation fails.
        let big = MAX_RESPONSE + 1;
        let refused = exchange(addr, post("invocation/req-1/response", big), vec![b'x'; big]).await;
        assert!(refused.starts_with("HTTP/1.1 413"), "{refused}");
        assert!(refused.contains("Exceeded maximum allowed payload size (6291556 bytes)."), "{refused}");
        assert!(refused.contains("\"errorType\":\"RequestEntityTooLarge\""), "{refused}");
        let mut too_large = false;
        while let Ok(Some(event)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await
        {
            too_large |= matches!(event, ApiEvent::ResponseTooLarge { ref request_id, .. } if request_id == "req-1");
        }
        assert!(too_large);

        // The result was taken: a second one for the same ID is refused.
        let again = exchange(addr, post("invocation/req-1/response", 2), b"{}".to_vec()).await;
        assert!(again.starts_with("HTTP/1.1 400"), "{again}");
        // Unknown paths and methods.
        let unknown = exchange(addr, post("invocation/next/foo", 0), Vec::new()).await;
        assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
        let method = exchange(addr, post("invocation/next", 0), Vec::new()).await;
        assert!(method.starts_with("HTTP/1.1 405"), "{method}");
    });
}

/// Lambda Managed Instances: several polls held at once, each answered with an
/// event of its own and its own headers; results accepted for each in any
/// order; a result for an invocation that timed out meanwhile gets 410.
#[test]
fn concurrent_polls_each_get_their_own_invocation() {
    current_thread().block_on(async {
        let (server, mut events) = start().await.unwrap();
        let addr = server.address;
        let polls: Vec<_> = (0..3)
            .map(|_| tokio::spawn(exchange(addr, get_next(), Vec::new())))
            .collect();
        while server.waiting() < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        for (id, payload) in [("a", &b"1"[..]), ("b", b"2"), ("c", b"3")] {
            assert!(server.hand_out(event(id, payload)));
        }
        let mut seen = Vec::new();
        for poll in polls {
            let text = poll.await.unwrap().to_ascii_lowercase();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("lambda-runtime-aws-request-id: "))
                .unwrap()
                .trim()
                .to_string();
            let body = text.rsplit("\r\n\r\n").next().unwrap().to_string();
            seen.push((id, body));
        }
        seen.sort();
        let expected: Vec<(String, String)> = [("a", "1"), ("b", "2"), ("c", "3")]
            .iter()
            .map(|(i, b)| (i.to_string(), b.to_string()))
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(server.waiting(), 0);

        // Results in another order than the events were handed out.
        let c = exchange(addr, post("invocation/c/response", 1), b"C".to_vec()).await;
        assert!(c.starts_with("HTTP/1.1 202"), "{c}");
        server.expire("b");
        let late = exchange(addr, post("invocation/b/response", 1), b"B".to_vec()).await;
        assert!(late.starts_with("HTTP/1.1 410"), "{late}");
        assert!(late.contains("\"errorType\":\"InvokeTimeout\""), "{late}");
        let a = exchange(addr, post("invocation/a/error", 2), b"{}".to_vec()).await;
        assert!(a.starts_with("HTTP/1.1 202"), "{a}");
        let again = exchange(addr, post("invocation/a/response", 1), b"A".to_vec()).await;
        assert!(again.starts_with("HTTP/1.1 400"), "{again}");

        let mut results = Vec::new();
        while let Ok(Some(e)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await
        {
            match e {
                ApiEvent::Response {
                    request_id, body, ..
                } => results.push(format!("{request_id}={}", String::from_utf8_lossy(&body))),
                ApiEvent::Error { request_id, .. } => results.push(format!("{request_id}!")),
                _ => {}
            }
        }
        assert_eq!(results, ["c=C", "a!"]);
    });
}

/// A streamed response's chunks come out one by one, before its end.
#[test]
fn streamed_chunks_are_passed_on_as_they_arrive() {
    current_thread().block_on(async {
        let (server, mut events) = start().await.unwrap();
        let addr = server.address;
        assert!(server.hand_out(event("s", b"{}")));
        exchange(addr, get_next(), Vec::new()).await;
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        let head = format!(
            "POST {PREFIX}invocation/s/response HTTP/1.1\r\nHost: x\r\n\
             Lambda-Runtime-Function-Response-Mode: streaming\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nfirst\r\n"
        );
        write.write_all(head.as_bytes()).await.unwrap();
        // The first chunk is out while the stream is still open.
        let first = loop {
            match events.recv().await.unwrap() {
                ApiEvent::Chunk { data, .. } => break data,
                ApiEvent::Response { .. } => panic!("the response ended first"),
                _ => {}
            }
        };
        assert_eq!(&first[..], b"first");
        write.write_all(b"6\r\nsecond\r\n0\r\n\r\n").await.unwrap();
        let mut rest = Vec::new();
        let _ = read.read_to_end(&mut rest).await;
        let mut chunks = vec![first];
        loop {
            match events.recv().await.unwrap() {
                ApiEvent::Chunk { data, .. } => chunks.push(data),
                ApiEvent::Response { body, streamed, .. } => {
                    assert!(streamed);
                    assert_eq!(&body[..], b"firstsecond");
                    break;
                }
                _ => {}
            }
        }
        assert_eq!(chunks.concat(), b"firstsecond");
    });
}
