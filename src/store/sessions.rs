//! Login sessions, stored under the SHA-256 of their token so that a copy of the
//! database does not hand out live sessions.

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};

use super::tables::*;
use super::{Store, StoreError, decode, encode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub account_id: u64,
    pub created_at: i64,
    pub expires_at: i64,
    /// The last request seen (to the minute), for the idle timeout.
    #[serde(default)]
    pub last_seen: i64,
}

impl Store {
    pub fn create_session(
        &self,
        token_hash: &[u8; 32],
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        txn.open_table(SESSION_HASH_TO_SESSION)?
            .insert(token_hash.as_slice(), encode(session).as_slice())?;
        self.commit(txn)?;
        Ok(())
    }

    /// The session, unless it does not exist or has expired at `now`.
    pub fn session(
        &self,
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let sessions = txn.open_table(SESSION_HASH_TO_SESSION)?;
        let Some(value) = sessions.get(token_hash.as_slice())? else {
            return Ok(None);
        };
        let session: SessionRecord = decode("sessions", value.value())?;
        Ok((now < session.expires_at).then_some(session))
    }

    /// Records activity on a session (callers do so at most once a minute).
    pub fn touch_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        {
            let mut sessions = txn.open_table(SESSION_HASH_TO_SESSION)?;
            let stored = sessions
                .get(token_hash.as_slice())?
                .map(|v| v.value().to_vec());
            if let Some(bytes) = stored {
                let mut session: SessionRecord = decode("sessions", &bytes)?;
                session.last_seen = now;
                sessions.insert(token_hash.as_slice(), encode(&session).as_slice())?;
            }
        }
        self.commit(txn)?;
        Ok(())
    }

    pub fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        txn.open_table(SESSION_HASH_TO_SESSION)?
            .remove(token_hash.as_slice())?;
        self.commit(txn)?;
        Ok(())
    }

    /// Deletes sessions that expired before `now`; returns how many.
    pub fn purge_expired_sessions(&self, now: i64) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let removed = {
            let mut sessions = txn.open_table(SESSION_HASH_TO_SESSION)?;
            let before = sessions.len()?;
            sessions.retain(|_, value| {
                serde_json::from_slice::<SessionRecord>(value).is_ok_and(|s| now < s.expires_at)
            })?;
            (before - sessions.len()?) as usize
        };
        self.commit(txn)?;
        Ok(removed)
    }
}
