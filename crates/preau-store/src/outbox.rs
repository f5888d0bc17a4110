//! E-mail waiting to leave. Rows are added inside the transaction of the change they tell
//! about (see `save_booking`, `cancel_booking`); a background task sends them, retrying with a
//! growing delay, and gives up after [`MAX_ATTEMPTS`].

use preau_core::Millis;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use crate::{Result, Store};

/// Attempts before a message is given up (the last error stays on the row).
pub const MAX_ATTEMPTS: i64 = 8;

/// What the outbox holds about a meeting's guests and invitees: its invitation, update or
/// cancellation (`about`: the booking's id).
pub const MEETING: &str = "meeting";
/// The report of a live session of a meeting, to its organizer (`about`: the session's id).
pub const REPORT: &str = "report";
/// The daily digest of someone's notifications (`about`: "person id:date").
pub const DIGEST: &str = "digest";

/// A message due, as the sender needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub about: String,
    pub recipient: String,
    pub attempts: i64,
    /// The row's revision when read: [`Store::mail_sent`] marks it sent only if unchanged.
    pub revision: i64,
}

/// Where one recipient's message stands, for the page that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub recipient: String,
    pub sent_at: Option<Millis>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Adds a message for each recipient, inside the caller's transaction (one pending per
/// recipient: an unsent one already covers a later change; merged into it, the change raises
/// its revision and gives it a fresh round of attempts, even if it had been given up).
pub(crate) async fn enqueue(conn: &mut SqliteConnection, kind: &str, about: &str, recipients: &[String], now: Millis) -> Result<()> {
    for r in recipients {
        sqlx::query(
            "INSERT INTO outbox (kind, about, recipient, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             ON CONFLICT (kind, about, recipient) WHERE sent_at IS NULL DO UPDATE SET next_attempt_at = ?4, \
                 revision = revision + 1, attempts = 0, last_error = NULL",
        )
        .bind(kind)
        .bind(about)
        .bind(r)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Messages due at `now`, oldest first, at most `limit`.
    pub async fn due_mail(&self, now: Millis, limit: i64) -> Result<Vec<Pending>> {
        let rows = sqlx::query(
            "SELECT id, kind, about, recipient, attempts, revision FROM outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= ? AND attempts < ? ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Pending {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    about: r.try_get("about")?,
                    recipient: r.try_get("recipient")?,
                    attempts: r.try_get("attempts")?,
                    revision: r.try_get("revision")?,
                })
            })
            .collect()
    }

    /// The message of row `id` at `revision` left. False when the row changed meanwhile (it
    /// stays due, to carry the change).
    pub async fn mail_sent(&self, id: i64, revision: i64, now: Millis) -> Result<bool> {
        let done = sqlx::query("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND revision = ?")
            .bind(now)
            .bind(id)
            .bind(revision)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A failed attempt: counted, its error kept, the next one at `retry_at`.
    pub async fn mail_failed(&self, id: i64, error: &str, retry_at: Millis) -> Result<()> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?")
            .bind(error)
            .bind(retry_at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The latest message to each recipient about `about`, by recipient.
    pub async fn deliveries(&self, kind: &str, about: &str) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(
            "SELECT recipient, sent_at, attempts, last_error FROM outbox o WHERE kind = ?1 AND about = ?2 \
             AND id = (SELECT MAX(id) FROM outbox p WHERE p.kind = ?1 AND p.about = ?2 AND p.recipient = o.recipient) \
             ORDER BY recipient",
        )
        .bind(kind)
        .bind(about)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Delivery {
                    recipient: r.try_get("recipient")?,
                    sent_at: r.try_get("sent_at")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }
}
