//! Notifications: what happened for someone, shown in their list from a given moment (a
//! homework's publication), read, and told once in a daily digest e-mail.

use preau_core::{Millis, PersonId};
use sqlx::Row;

use crate::{Result, Store, corrupt};

/// The kinds of notification.
pub const HOMEWORK: &str = "homework";
pub const MESSAGE: &str = "message";
pub const FEEDBACK: &str = "feedback";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub kind: String,
    pub label: String,
    pub link: String,
    pub shown_at: Millis,
    pub read: bool,
}

impl Store {
    /// Tells each of `people` about something, shown from `shown_at` on.
    pub async fn notify(&self, people: &[PersonId], kind: &str, label: &str, link: &str, shown_at: Millis) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for p in people {
            sqlx::query("INSERT INTO notifications (person_id, kind, label, link, shown_at) VALUES (?, ?, ?, ?, ?)")
                .bind(p.as_str())
                .bind(kind)
                .bind(label)
                .bind(link)
                .bind(shown_at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Someone's notifications shown at `now`, latest first.
    pub async fn notifications(&self, person: &PersonId, now: Millis, limit: i64) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT kind, label, link, shown_at, read_at FROM notifications WHERE person_id = ? AND shown_at <= ? \
             ORDER BY shown_at DESC, id DESC LIMIT ?",
        )
        .bind(person.as_str())
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let read: Option<Millis> = r.try_get("read_at")?;
                Ok(Notification { kind: r.try_get("kind")?, label: r.try_get("label")?, link: r.try_get("link")?, shown_at: r.try_get("shown_at")?, read: read.is_some() })
            })
            .collect()
    }

    pub async fn unread_notifications(&self, person: &PersonId, now: Millis) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM notifications WHERE person_id = ? AND shown_at <= ? AND read_at IS NULL")
            .bind(person.as_str())
            .bind(now)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Everything shown by `now` counts as read.
    pub async fn mark_notifications_read(&self, person: &PersonId, now: Millis) -> Result<()> {
        sqlx::query("UPDATE notifications SET read_at = ? WHERE person_id = ? AND shown_at <= ? AND read_at IS NULL")
            .bind(now)
            .bind(person.as_str())
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Someone's digest setting: None follows their role's default.
    pub async fn digest_setting(&self, person: &PersonId) -> Result<Option<bool>> {
        let v: Option<Option<bool>> = sqlx::query_scalar("SELECT digest FROM people WHERE id = ?").bind(person.as_str()).fetch_optional(&self.pool).await?;
        Ok(v.flatten())
    }

    pub async fn set_digest(&self, person: &PersonId, on: bool) -> Result<()> {
        sqlx::query("UPDATE people SET digest = ? WHERE id = ?").bind(on).bind(person.as_str()).execute(&self.pool).await?;
        Ok(())
    }

    /// Queues today's digest e-mail (`about`: "person:date") for everyone whose digest is on
    /// (`NULL`: on, unless their only role is pupil), who gave an address, and who has unread
    /// notifications not yet told; those are marked told in the same transaction, so a person
    /// gets at most one digest a day and never the same news twice. Answers how many.
    pub async fn queue_digests(&self, day: &str, now: Millis) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT p.id, p.email FROM people p WHERE p.email IS NOT NULL AND p.disabled = 0 \
               AND coalesce(p.digest, EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role <> 'pupil')) \
               AND EXISTS (SELECT 1 FROM notifications n WHERE n.person_id = p.id AND n.shown_at <= ?1 AND n.read_at IS NULL AND n.mailed_at IS NULL) \
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'digest' AND o.about = p.id || ':' || ?2)",
        )
        .bind(now)
        .bind(day)
        .fetch_all(&mut *tx)
        .await?;
        for (person, email) in &rows {
            crate::outbox::enqueue(&mut tx, crate::outbox::DIGEST, &format!("{person}:{day}"), std::slice::from_ref(email), now).await?;
            sqlx::query("UPDATE notifications SET mailed_at = ? WHERE person_id = ? AND shown_at <= ? AND read_at IS NULL AND mailed_at IS NULL")
                .bind(now)
                .bind(person)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// What a digest tells: the person's notifications told by it (mailed that day, unread).
    pub async fn digest_of(&self, person: &PersonId, from: Millis, to: Millis) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT kind, label, link, shown_at, read_at FROM notifications WHERE person_id = ? AND mailed_at BETWEEN ? AND ? ORDER BY shown_at, id",
        )
        .bind(person.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let read: Option<Millis> = r.try_get("read_at")?;
                let kind: String = r.try_get("kind")?;
                if ![HOMEWORK, MESSAGE, FEEDBACK].contains(&kind.as_str()) {
                    return Err(corrupt(format!("notification kind {kind}")));
                }
                Ok(Notification { kind, label: r.try_get("label")?, link: r.try_get("link")?, shown_at: r.try_get("shown_at")?, read: read.is_some() })
            })
            .collect()
    }
}
