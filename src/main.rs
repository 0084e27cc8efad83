//! The qrgate binary: read the command line and configuration, then serve.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qrgate::clock::Clock;
use qrgate::config::{CliOverrides, Config};
use qrgate::startup::Application;

/// A self-hosted QR code API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./config.toml when present, else built-in defaults).
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides server.bind).
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Directory for the database (overrides storage.data_dir).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Verify the database file (with qrgate stopped) and exit 0 if it is sound, 1 if not.
    /// The file is never written: the check runs on a copy beside it.
    Check,
}

fn main() -> ExitCode {
    tune_allocator();
    serve()
}

/// glibc raises its mmap threshold whenever a large block is freed; from then on large
/// blocks (render cache segments, the pixmaps of big renders) come from the heap, whose
/// freed pages it seldom returns, and a full render cache turning over kept the process
/// near twice the cache's size (scripts/loadbench: 140 MiB peak against 97 MiB with a
/// fixed threshold). Setting the threshold turns that adjustment off: blocks of 1 MiB and
/// more get mappings of their own, returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets a parameter of the allocator, with a valid value, before
    // any other thread exists. A refusal (0) leaves glibc's default, which also works.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Runs `work` with panic messages silenced: the store turns a panic inside the storage
/// engine into an error that names the file and says what to do, which is all an operator
/// should read (not a thread name, a source location and a backtrace hint).
fn quietly<T>(work: impl FnOnce() -> T) -> T {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = work();
    std::panic::set_hook(previous);
    result
}

fn check(data_dir: &std::path::Path) -> ExitCode {
    match quietly(|| qrgate::store::check(data_dir)) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qrgate check: {e}");
            ExitCode::FAILURE
        }
    }
}

#[actix_web::main]
async fn serve() -> ExitCode {
    let cli = Cli::parse();
    qrgate::telemetry::init();
    let overrides = CliOverrides {
        bind: cli.bind,
        data_dir: cli.data_dir,
    };
    let config = match Config::load(cli.config.as_deref(), std::env::vars(), &overrides) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("qrgate: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Check) = cli.command {
        return check(&config.storage.data_dir);
    }
    let data_dir = config.storage.data_dir.display().to_string();
    let app = match quietly(|| Application::build(config, Clock::system())) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("qrgate: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Printed (not only logged) so scripts and tests can read the chosen port.
    println!(
        "qrgate listening on http://{} (data in {data_dir})",
        app.local_addr()
    );
    let served = app.run_until_stopped().await;
    // The workers have stopped: their last access lines.
    qrgate::telemetry::flush_access_log();
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qrgate: server error: {e}");
            ExitCode::FAILURE
        }
    }
}
