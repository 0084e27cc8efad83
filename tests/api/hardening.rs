//! Hardening against clients that hold the server's resources (issue 10): stalled
//! bodies and heads, connections per address, previews from their own budget, and the
//! wall-clock guard on renders. Stalling clients bind to loopback addresses other than
//! 127.0.0.1 (Linux routes all of 127/8 to lo), so the per-address cap can be tested
//! apart from the timeouts.

mod budget;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{Browser, TestApp};

/// Held by the tests that time the server under load (the stalled bodies' /healthz, the
/// throughput under a flood), so that they do not load the machine for each other.
static TIMED: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn timed_alone() -> tokio::sync::MutexGuard<'static, ()> {
    TIMED.lock().await
}

/// 127.0.0.`n`.
pub fn loopback(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

pub fn server_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("the app's address")
}

/// A connection to the app from `source`.
pub async fn connect_from(source: IpAddr, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    socket.connect(server).await.unwrap()
}

/// Everything the server sends until it closes the connection, or `None` if it is still
/// open after `limit`. A reset after the response counts as closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

/// Heads that announce a body, with the first bytes of it, on every route that reads one
/// (the logo upload reads its body only for a valid key).
fn stalling_request(i: usize, key: &str) -> String {
    let json = "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"type\":";
    match i % 5 {
        0 => format!("POST /api/v1/qr HTTP/1.1\r\nHost: x\r\n{json}"),
        1 => "POST /api/v1/qr HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"type\"".into(),
        2 => "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nemail=".into(),
        3 => format!("POST /api/v1/logos HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n\u{89}PNG"),
        _ => format!("POST /webhooks/payment HTTP/1.1\r\nHost: x\r\n{json}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_stalled_bodies_get_408_and_are_closed_while_healthz_answers() {
    const STALLERS: usize = 300;
    const TIMEOUT: Duration = Duration::from_secs(2);
    let _alone = timed_alone().await;
    let app = TestApp::spawn_with(|c| {
        c.server.client_body_timeout_secs = TIMEOUT.as_secs();
        // Reads its body only when on.
        c.payments.webhook_secret = "s".repeat(32).as_str().into();
    })
    .await;
    let (_, key) = app.user_with_key("ada@example.org").await;
    let server = server_addr(&app);
    let started = Instant::now();
    let stalled = Arc::new(AtomicUsize::new(0));
    let stallers: Vec<_> = (0..STALLERS)
        .map(|i| {
            let (request, stalled) = (stalling_request(i, &key), stalled.clone());
            tokio::spawn(async move {
                // In ten waves of 30, 100 ms apart, so that all 300 stall together for a
                // second and their timeouts come in waves rather than in one instant
                // (which a test build, with all the other tests beside it, answers slowly).
                tokio::time::sleep(Duration::from_millis(100) * (i / 30) as u32).await;
                // 30 connections from each of 127.0.0.2 to 127.0.0.11.
                let mut stream = connect_from(loopback(2 + (i % 10) as u8), server).await;
                stream.write_all(request.as_bytes()).await.unwrap();
                stalled.fetch_add(1, Ordering::Relaxed);
                let answer = read_until_closed(&mut stream, TIMEOUT + Duration::from_secs(20))
                    .await
                    .unwrap_or_else(|| panic!("connection {i} is still open"));
                (request, answer, started.elapsed())
            })
        })
        .collect();

    // Once every staller has sent its head (setting up 300 connections keeps this test's
    // own runtime busy), /healthz from 127.0.0.1 every 100 ms until every staller has been
    // answered, from a thread of its own, so that the stallers' 300 answers arriving at
    // once in this runtime do not delay reading the server's.
    while stalled.load(Ordering::Relaxed) < STALLERS && !stallers.iter().any(|s| s.is_finished()) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the stallers took too long to connect"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answered = Arc::new(AtomicBool::new(false));
    let poller = std::thread::spawn({
        let (address, answered) = (app.address.clone(), answered.clone());
        move || poll_healthz(&address, &answered)
    });
    let mut answers = Vec::new();
    for staller in stallers {
        answers.push(staller.await);
    }
    answered.store(true, Ordering::Relaxed);
    let polls = poller.join().unwrap();
    let answers: Vec<_> = answers.into_iter().map(Result::unwrap).collect();
    for (i, answer) in polls.iter().enumerate() {
        assert!(
            matches!(answer, Some(waited) if *waited < Duration::from_secs(1)),
            "/healthz did not answer within 1 s (poll {i} of {}: {answer:?})",
            polls.len()
        );
    }
    assert!(
        polls.len() >= 15,
        "the stall was over too soon: {} polls",
        polls.len()
    );
    for (request, answer, closed_after) in answers {
        let line = request.lines().next().unwrap_or_default().to_owned();
        assert!(answer.starts_with("HTTP/1.1 408"), "{line}: {answer}");
        assert!(answer.contains("body-timeout"), "{line}: {answer}");
        assert!(answer.contains("connection: close"), "{line}: {answer}");
        // After the timeout, and soon after it (actix discards what arrives for 2 s).
        assert!(
            closed_after >= TIMEOUT && closed_after < TIMEOUT + Duration::from_secs(10),
            "{line}: closed after {closed_after:?}"
        );
    }
}

/// Asks for /healthz every 100 ms until `done`, on a runtime of its own; each answer's
/// time, or `None` for one that failed or took a second or more.
fn poll_healthz(address: &str, done: &AtomicBool) -> Vec<Option<Duration>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Browser::plain_client();
        let mut polls = Vec::new();
        while !done.load(Ordering::Relaxed) {
            let asked = Instant::now();
            let health = tokio::time::timeout(
                Duration::from_secs(1),
                client.get(format!("{address}/healthz")).send(),
            )
            .await;
            let waited = asked.elapsed();
            let ok = matches!(&health, Ok(Ok(r)) if r.status() == StatusCode::OK);
            polls.push(ok.then_some(waited));
            tokio::time::sleep(Duration::from_millis(100).saturating_sub(waited)).await;
        }
        polls
    })
}

#[tokio::test]
async fn a_request_announcing_a_body_it_never_sends_does_not_hold_its_connection() {
    let app = TestApp::spawn().await;
    let server = server_addr(&app);
    for request in [
        // A handler that never reads the body: a GET, and a 405.
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
        "DELETE /api/v1/usage HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
        // The same with chunked bodies that stop mid-chunk, which actix would otherwise
        // drain for ever.
        "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nab",
        "DELETE /api/v1/usage HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nab",
    ] {
        let mut stream = connect_from(loopback(1), server).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        // Long before the 15 s body timeout: answered, then closed once actix has
        // discarded what arrives for its 2 s disconnect timeout.
        let answer = read_until_closed(&mut stream, Duration::from_secs(8))
            .await
            .unwrap_or_else(|| panic!("still open: {request}"));
        let status = if request.starts_with("GET") {
            "HTTP/1.1 200"
        } else {
            "HTTP/1.1 405"
        };
        assert!(answer.starts_with(status), "{request}: {answer}");
        assert!(answer.contains("connection: close"), "{request}: {answer}");
    }
}

#[tokio::test]
async fn a_connection_stalled_inside_its_second_request_head_is_closed() {
    let app = TestApp::spawn_with(|c| {
        (
            c.server.keep_alive_secs,
            c.server.client_request_timeout_secs,
        ) = (1, 1);
    })
    .await;
    let mut stream = connect_from(loopback(1), server_addr(&app)).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // The head of a second request, never finished: actix times only a connection's
    // first head, and its keep-alive timer stops at the first byte.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let stalled = Instant::now();
    // The watch looks every keep-alive + head timeout + 1 s (3 s here).
    assert!(
        read_until_closed(&mut stream, Duration::from_secs(10))
            .await
            .is_some(),
        "the connection is still open after {:?}",
        stalled.elapsed()
    );
}

/// Sends one request on `stream` and says whether an HTTP answer came back.
async fn served(stream: &mut TcpStream) -> bool {
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut head)).await,
        Ok(Ok(_)) if &head == b"HTTP/1.1 200"
    )
}

#[tokio::test]
async fn connections_beyond_the_cap_from_one_address_are_refused_and_others_served() {
    const CAP: usize = 4;
    let app = TestApp::spawn_with(|c| c.server.max_connections_per_ip = CAP).await;
    let server = server_addr(&app);
    let mut crowd = Vec::new();
    for _ in 0..CAP + 3 {
        crowd.push(connect_from(loopback(2), server).await);
    }
    // Let the server take them all in before any is used.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut outcomes = Vec::new();
    for stream in &mut crowd {
        outcomes.push(served(stream).await);
    }
    let admitted = outcomes.iter().filter(|served| **served).count();
    assert_eq!(admitted, CAP, "{outcomes:?}");

    let mut other = connect_from(loopback(3), server).await;
    assert!(served(&mut other).await, "another address is served");

    // Places come back when connections end.
    drop(crowd);
    let freed = Instant::now();
    loop {
        let mut again = connect_from(loopback(2), server).await;
        if served(&mut again).await {
            break;
        }
        assert!(
            freed.elapsed() < Duration::from_secs(5),
            "the address is still refused after its connections closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
