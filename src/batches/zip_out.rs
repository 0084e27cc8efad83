//! A batch's ZIP, written to its `.part` file as each image is drawn (never held whole in
//! memory) and renamed to its final name only once complete and synced. PNGs are stored
//! (they are compressed already; deflating them again costs CPU and saves nothing), SVGs
//! and the manifest deflated.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::manifest::{self, ManifestRow};
use crate::qr::design::Format;

pub struct ZipOut {
    writer: ZipWriter<Counted<BufWriter<File>>>,
    partial: PathBuf,
    result: PathBuf,
    time: DateTime,
    /// How far the file reaches, kept by the writer (`ZipWriter` does not lend it back).
    size: Arc<AtomicU64>,
}

impl ZipOut {
    /// Starts `partial`; `finish` renames it to `result`. `created` dates the entries.
    pub fn create(partial: PathBuf, result: PathBuf, created: i64) -> io::Result<Self> {
        let file = File::create(&partial)?;
        let size = Arc::new(AtomicU64::new(0));
        Ok(Self {
            writer: ZipWriter::new(Counted {
                inner: BufWriter::new(file),
                position: 0,
                size: size.clone(),
            }),
            partial,
            result,
            time: zip_time(created),
            size,
        })
    }

    pub fn add(&mut self, name: &str, format: Format, bytes: &[u8]) -> io::Result<()> {
        let method = match format {
            Format::Png => CompressionMethod::Stored,
            Format::Svg => CompressionMethod::Deflated,
        };
        self.put(name, method, bytes)
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size.load(Ordering::Relaxed)
    }

    /// Adds the manifest, completes the archive, syncs it and gives it its final name;
    /// returns its size.
    pub fn finish(mut self, rows: &[ManifestRow]) -> io::Result<u64> {
        self.put(
            "manifest.csv",
            CompressionMethod::Deflated,
            &manifest::write(rows),
        )?;
        let counted = self.writer.finish().map_err(io::Error::other)?;
        let size = self.size.load(Ordering::Relaxed);
        let file = counted.inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.partial, &self.result)?;
        Ok(size)
    }

    fn put(&mut self, name: &str, method: CompressionMethod, bytes: &[u8]) -> io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(self.time)
            .unix_permissions(0o644);
        self.writer
            .start_file(name, options)
            .map_err(io::Error::other)?;
        self.writer.write_all(bytes)
    }
}

/// A writer that remembers how far the file reaches (the ZIP writer seeks back to patch
/// headers, so the furthest position is the file's size).
struct Counted<W> {
    inner: W,
    position: u64,
    size: Arc<AtomicU64>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.position += written as u64;
        self.size.fetch_max(self.position, Ordering::Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek> Seek for Counted<W> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }
}

/// A ZIP timestamp (DOS time, UTC) for a Unix time; 1980-01-01 outside its range.
fn zip_time(unix_seconds: i64) -> DateTime {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            DateTime::from_date_and_time(
                u16::try_from(t.year()).ok()?,
                t.month().into(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_finished_zip_holds_the_files_and_the_manifest_under_its_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let (partial, result) = (dir.path().join("b.zip.part"), dir.path().join("b.zip"));
        let mut out = ZipOut::create(partial.clone(), result.clone(), 1_790_000_000).unwrap();
        out.add("a.png", Format::Png, b"\x89PNG not really")
            .unwrap();
        out.add("b.svg", Format::Svg, &b"<svg/>".repeat(100))
            .unwrap();
        assert!(partial.exists() && !result.exists(), "built under .part");
        let rows = [ManifestRow {
            row: 1,
            filename: "a.png".into(),
            error: None,
        }];
        let size = out.finish(&rows).unwrap();
        assert!(!partial.exists());
        assert_eq!(std::fs::metadata(&result).unwrap().len(), size);
        let mut zip = zip::ZipArchive::new(File::open(&result).unwrap()).unwrap();
        let names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(names, vec!["a.png", "b.svg", "manifest.csv"]);
        let png = zip.by_name("a.png").unwrap();
        assert_eq!(png.compression(), CompressionMethod::Stored);
        assert_eq!(png.last_modified().map(|t| t.year()), Some(2026));
        drop(png);
        let mut svg = String::new();
        let mut file = zip.by_name("b.svg").unwrap();
        assert_eq!(file.compression(), CompressionMethod::Deflated);
        file.read_to_string(&mut svg).unwrap();
        assert_eq!(svg.len(), 600);
    }
}
