//! Reading an uploaded CSV as its bytes arrive (from an API body or a form's file field):
//! each chunk goes straight to the CSV reader, so a malformed file is refused at its first
//! bad line however long it is, and nothing is kept but the checked rows. After a refusal
//! the rest of the upload is read and dropped (up to a bound), so that the client, still
//! sending, reads the answer instead of a reset connection.

use futures_util::{Stream, StreamExt};

use super::csv_batch::CsvBatch;
use super::csv_in::CsvError;
use super::items::Entry;

/// How much more than the limit is read and dropped after a refusal, as a multiple of it.
const DRAIN_FACTOR: usize = 4;

/// Why an upload was not read; `E` is the body stream's own error (kept, so that the
/// handler can tell a body that stopped arriving from a broken one).
#[derive(Debug)]
pub enum IntakeError<E> {
    TooLarge { limit: usize },
    Csv(CsvError),
    Read(E),
}

/// Reads a CSV of at most `limit` bytes into checked entries.
pub async fn read_csv<S, B, E>(
    mut body: S,
    limit: usize,
    mut batch: CsvBatch,
) -> Result<Vec<Entry>, IntakeError<E>>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let mut received = 0usize;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(IntakeError::Read)?;
        let chunk = chunk.as_ref();
        received += chunk.len();
        let fed = if received > limit {
            Err(IntakeError::TooLarge { limit })
        } else {
            batch.feed(chunk).map_err(IntakeError::Csv)
        };
        if let Err(error) = fed {
            drain(&mut body, received, limit.saturating_mul(DRAIN_FACTOR)).await;
            return Err(error);
        }
    }
    batch.finish().map_err(IntakeError::Csv)
}

/// Reads and drops the rest of `body` until `bound` bytes in all were received.
pub async fn drain<S, B, E>(body: &mut S, mut received: usize, bound: usize)
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    while received <= bound {
        match body.next().await {
            Some(Ok(chunk)) => received += chunk.as_ref().len(),
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::stream;

    use super::*;
    use crate::batches::items::Defaults;

    fn chunks(parts: Vec<Vec<u8>>) -> impl Stream<Item = Result<Vec<u8>, String>> + Unpin {
        stream::iter(parts.into_iter().map(Ok))
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        futures_util::FutureExt::now_or_never(future).expect("the stream is ready at once")
    }

    #[test]
    fn a_csv_is_read_across_chunks() {
        let parts = vec![b"type,te".to_vec(), b"xt\ntext,hi\n".to_vec()];
        let entries = run(read_csv(
            chunks(parts),
            100,
            CsvBatch::new(Defaults::default(), 10),
        ));
        assert_eq!(entries.unwrap().len(), 1);
    }

    #[test]
    fn an_upload_over_the_limit_is_refused() {
        let parts = vec![b"type,text\n".to_vec(), vec![b'a'; 200]];
        let err = run(read_csv(
            chunks(parts),
            100,
            CsvBatch::new(Defaults::default(), 10),
        ));
        assert!(matches!(err, Err(IntakeError::TooLarge { limit: 100 })));
    }

    #[test]
    fn a_bad_line_is_refused_and_the_rest_drained() {
        let sent = std::cell::Cell::new(0);
        let parts = (0..10).map(|i| {
            sent.set(i + 1);
            Ok::<_, String>(if i == 0 {
                b"type,colour\n".to_vec()
            } else {
                vec![b'x'; 50]
            })
        });
        let err = run(read_csv(
            stream::iter(parts),
            100,
            CsvBatch::new(Defaults::default(), 10),
        ));
        assert!(matches!(err, Err(IntakeError::Csv(e)) if e.line == 1));
        assert_eq!(
            sent.get(),
            9,
            "read on to four times the limit, then stopped"
        );
    }
}
