//! The ceiling `scripts/loadbench` measures qrgate against: a bare actix-web server, built
//! from the same actix version with the same release profile, that answers every GET with
//! one fixed PNG and does nothing else (no middleware, no key, no log, no store). What a
//! qrgate scenario serves below this server's rate is qrgate's own per-request work.
//!
//!   cargo build --release --example bare_actix
//!   target/release/examples/bare_actix [ADDR [WORKERS]]   # 127.0.0.1:0, one per CPU
//!
//! It prints `bare-actix listening on http://ADDR` (the line scripts wait for) and serves
//! until SIGTERM or SIGINT. The PNG is scenario (b)'s image, drawn once at start by
//! qrgate's renderer, so both servers send the same bytes. Workers: one per CPU, as
//! qrgate's default `server.workers = 0`, unless WORKERS says (`scripts/profile` uses one).

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::web::{Bytes, Data};
use actix_web::{App, HttpResponse, HttpServer, web};
use qrgate::qr::design::Design;
use qrgate::qr::{Deadline, generate};

/// Scenario (b)'s payload: https://example.org/item/ + 14 characters, 39 bytes.
const PAYLOAD: &str = "https://example.org/item/00000000000000";

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let design = Design::from_params(|name| (name == "size").then_some("300"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let image = generate(
        PAYLOAD,
        &design,
        None,
        Deadline::after(Duration::from_secs(5)),
    )
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    let workers = match std::env::args().nth(2) {
        Some(n) => n
            .parse()
            .map_err(|_| std::io::Error::other("WORKERS must be a number"))?,
        None => 0,
    };
    let png = Data::new(Bytes::from(image.bytes));
    actix_web::rt::System::new().block_on(serve(&addr, workers, png))
}

async fn serve(addr: &str, workers: usize, png: Data<Bytes>) -> std::io::Result<()> {
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(png.clone())
            .default_service(web::get().to(answer))
    });
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = server.bind(addr)?;
    for bound in server.addrs() {
        println!("bare-actix listening on http://{bound}");
    }
    server.run().await
}

async fn answer(png: Data<Bytes>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::png())
        .body(Bytes::clone(&png))
}
