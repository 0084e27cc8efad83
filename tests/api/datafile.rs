//! The data file at start-up and `qrgate check`, through the real binary: an empty,
//! foreign or damaged file stops qrgate with a message that names the file and says to
//! restore the backup (exit 1, no panic, no backtrace), and is left exactly as it was.

use std::path::Path;
use std::process::Output;

const BINARY: &str = env!("CARGO_BIN_EXE_qrgate");

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1/qrgate.redb"))
        .unwrap()
}

/// Runs the binary on `data_dir`; a server that starts is stopped with SIGTERM as soon as
/// it announces itself (so "it started" is an answer too).
fn run(data_dir: &Path, args: &[&str]) -> Output {
    use std::io::BufRead;
    let mut child = std::process::Command::new(BINARY)
        .args(if args.is_empty() {
            &["--bind", "127.0.0.1:0"][..]
        } else {
            args
        })
        .arg("--data-dir")
        .arg(data_dir)
        .env("QRGATE_SERVER__WORKERS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, announced) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("listening") {
                let _ = lines.send(());
            }
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        out
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if announced
            .recv_timeout(std::time::Duration::from_millis(20))
            .is_ok()
        {
            let pid = child.id().to_string();
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap();
            break;
        }
    }
    let mut output = child.wait_with_output().unwrap();
    output.stdout = reader.join().unwrap();
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_refused(output: &Output, what: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{what}: {text}");
    assert!(
        text.contains("qrgate.redb"),
        "{what} names the file: {text}"
    );
    assert!(
        text.contains("backup"),
        "{what} says to restore the backup: {text}"
    );
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{what}: no panic output: {text}"
    );
}

#[test]
fn an_empty_data_file_stops_start_up_and_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qrgate.redb");
    std::fs::write(&path, b"").unwrap();
    let output = run(dir.path(), &[]);
    assert_refused(&output, "an empty file");
    assert!(stderr(&output).contains("empty"));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(1));
}

#[test]
fn a_file_that_is_not_a_database_stops_start_up_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qrgate.redb");
    let junk: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &junk).unwrap();
    assert_refused(&run(dir.path(), &[]), "a foreign file");
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

/// Damage at many places of a real file: qrgate either refuses it (exit 1, clear message,
/// file untouched, and `qrgate check` agrees) or the damage was in unused space (it starts,
/// and `check` calls the file sound). Never a panic, never exit 101.
#[test]
fn damaged_data_files_are_refused_cleanly_or_were_sound() {
    let original = fixture();
    let mut refused = 0;
    for offset in (9..original.len())
        .step_by(4096 - 7)
        .chain([100, 4200, 12_288, 65_536])
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrgate.redb");
        let mut damaged = original.clone();
        let end = (offset + 64).min(damaged.len());
        for b in &mut damaged[offset..end] {
            *b ^= 0xA5;
        }
        std::fs::write(&path, &damaged).unwrap();
        let check = run(dir.path(), &["check"]);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            damaged,
            "check never writes (offset {offset})"
        );
        let started = run(dir.path(), &[]);
        let code = started.status.code();
        if code == Some(1) {
            assert_refused(&started, &format!("damage at {offset}"));
            assert_eq!(
                std::fs::read(&path).unwrap(),
                damaged,
                "offset {offset}: untouched"
            );
            assert_eq!(check.status.code(), Some(1), "check agrees at {offset}");
            refused += 1;
        } else {
            // Stopped by the SIGTERM sent once it listened (before or after its handler).
            assert!(
                matches!(code, None | Some(0)),
                "offset {offset}: {code:?} {}",
                stderr(&started)
            );
            assert_eq!(
                check.status.code(),
                Some(0),
                "check agrees at {offset}: {}",
                stderr(&check)
            );
        }
    }
    assert!(
        refused >= 5,
        "the damage hit live pages often enough to test ({refused})"
    );
}

#[test]
fn check_reports_a_sound_file_with_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("qrgate.redb"), fixture()).unwrap();
    let output = run(dir.path(), &["check"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        text.contains("sound") && text.contains("accounts"),
        "{text}"
    );
}
