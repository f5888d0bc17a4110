//! Server-side sessions. The cookie carries a random token; only its SHA-256 is stored.

use preau_core::{Millis, PersonId};

use sqlx::Row as _;
use sqlx::sqlite::SqliteConnection;

use crate::people::{PERSON_COLUMNS, person_from_row};
use crate::{Result, Store, corrupt};

pub struct NewSession<'a> {
    pub id: &'a str,
    pub token_hash: &'a [u8],
    pub person_id: &'a PersonId,
    pub now: Millis,
    pub expires_at: Millis,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub person_id: PersonId,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub user_agent: String,
    pub ip: String,
}

type Row = (String, String, i64, i64, i64, String, String);

fn from_row((id, person_id, created_at, last_seen_at, expires_at, user_agent, ip): Row) -> Result<SessionRow> {
    Ok(SessionRow { id, person_id: person_id.parse().map_err(corrupt)?, created_at, last_seen_at, expires_at, user_agent, ip })
}

const COLUMNS: &str = "id, person_id, created_at, last_seen_at, expires_at, user_agent, ip";

pub(crate) async fn insert_session(conn: &mut SqliteConnection, s: &NewSession<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, person_id, created_at, last_seen_at, expires_at, user_agent, ip) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(s.token_hash)
    .bind(s.person_id.as_str())
    .bind(s.now)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.user_agent)
    .bind(s.ip)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<()> {
        insert_session(&mut *self.pool.acquire().await?, s).await
    }

    /// The live session for a token hash and its person, in one query.
    pub async fn live_session_person(
        &self,
        token_hash: &[u8],
        now: Millis,
        idle_ms: Millis,
    ) -> Result<Option<(SessionRow, preau_core::school::Person)>> {
        let sql = format!(
            "SELECT s.id AS session_id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip, {PERSON_COLUMNS} \
             FROM sessions s JOIN people p ON p.id = s.person_id \
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at + ?3 > ?2"
        );
        let row = sqlx::query(&sql).bind(token_hash).bind(now).bind(idle_ms).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let person = person_from_row(&row)?;
        let session = SessionRow {
            id: row.try_get("session_id")?,
            person_id: person.id.clone(),
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
            user_agent: row.try_get("user_agent")?,
            ip: row.try_get("ip")?,
        };
        Ok(Some((session, person)))
    }

    /// Marks a session as used now (the idle timeout counts from here).
    pub async fn touch_session(&self, id: &str, now: Millis) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ?").bind(now).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Ends one of a person's sessions; false when it is not theirs or does not exist.
    pub async fn revoke_session(&self, person: &PersonId, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = ? AND person_id = ?")
            .bind(id)
            .bind(person.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A person's live sessions, most recently used first.
    pub async fn sessions_of(&self, person: &PersonId, now: Millis, idle_ms: Millis) -> Result<Vec<SessionRow>> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE person_id = ? AND expires_at > ?2 AND last_seen_at + ?3 > ?2 \
             ORDER BY last_seen_at DESC"
        ))
        .bind(person.as_str())
        .bind(now)
        .bind(idle_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Deletes sessions past their expiry or idle timeout; returns how many.
    pub async fn purge_sessions(&self, now: Millis, idle_ms: Millis) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at + ?2 <= ?1")
            .bind(now)
            .bind(idle_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn count_live_sessions(&self, now: Millis, idle_ms: Millis) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM sessions WHERE expires_at > ?1 AND last_seen_at + ?2 > ?1")
            .bind(now)
            .bind(idle_ms)
            .fetch_one(&self.pool)
            .await?)
    }
}
