//! Audio conferences' PINs, and the reports of live sessions (who was there, when).

use preau_core::{BookingId, Millis, PersonId, RoomId};
use sqlx::Row;

use crate::{Result, Store, corrupt};

/// Someone's time in a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub name: String,
    /// An account, or None for someone who came by a link or a PIN.
    pub person: Option<PersonId>,
    pub host: bool,
    pub joined_at: Millis,
    pub left_at: Millis,
}

/// A live session of a room: from the first arrival to the last departure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub room: RoomId,
    pub started_at: Millis,
    pub ended_at: Millis,
    /// In order of arrival.
    pub presences: Vec<Presence>,
}

impl Store {
    /// The booking's participant and host PINs, made from `fresh` (participant, host) if it has
    /// none. A fresh PIN already taken by another conference is not stored: that role comes
    /// back `None`, and the caller tries again with other digits.
    pub async fn conference_pins(&self, booking: &BookingId, fresh: (&str, &str)) -> Result<(Option<String>, Option<String>)> {
        let mut tx = self.pool.begin().await?;
        for (pin, host) in [(fresh.0, false), (fresh.1, true)] {
            sqlx::query("INSERT INTO conference_pins (pin, booking_id, host) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .bind(pin)
                .bind(booking.as_str())
                .bind(host)
                .execute(&mut *tx)
                .await?;
        }
        let rows = sqlx::query("SELECT pin, host FROM conference_pins WHERE booking_id = ?").bind(booking.as_str()).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut pins = (None, None);
        for r in rows {
            let pin: String = r.try_get("pin")?;
            if r.try_get::<bool, _>("host")? { pins.1 = Some(pin) } else { pins.0 = Some(pin) }
        }
        Ok(pins)
    }

    /// The conference a PIN opens, and whether it is the host's.
    pub async fn pin_booking(&self, pin: &str) -> Result<Option<(BookingId, bool)>> {
        let row = sqlx::query("SELECT booking_id, host FROM conference_pins WHERE pin = ?").bind(pin).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => {
                let id: String = r.try_get("booking_id")?;
                Ok(Some((id.parse().map_err(|_| corrupt(format!("booking id {id}")))?, r.try_get("host")?)))
            }
            None => Ok(None),
        }
    }

    /// Keeps the report of a live session that ended, and the e-mail that sends it to `notify`
    /// (in the same transaction, due at `now`). Answers the session's id.
    pub async fn record_session(&self, s: &LiveSession, notify: &[String], now: Millis) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO live_sessions (room_id, started_at, ended_at) VALUES (?, ?, ?) RETURNING id")
            .bind(s.room.as_str())
            .bind(s.started_at)
            .bind(s.ended_at)
            .fetch_one(&mut *tx)
            .await?;
        for p in &s.presences {
            sqlx::query("INSERT INTO live_attendance (session_id, name, person_id, host, joined_at, left_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(&p.name)
                .bind(p.person.as_ref().map(|x| x.as_str()))
                .bind(p.host)
                .bind(p.joined_at)
                .bind(p.left_at)
                .execute(&mut *tx)
                .await?;
        }
        crate::outbox::enqueue(&mut tx, crate::outbox::REPORT, &id.to_string(), notify, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One session's report, by its id.
    pub async fn live_session(&self, id: i64) -> Result<Option<LiveSession>> {
        let room: Option<String> = sqlx::query_scalar("SELECT room_id FROM live_sessions WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        let Some(room) = room else { return Ok(None) };
        let room: RoomId = room.parse().map_err(|_| corrupt(format!("room id {room}")))?;
        Ok(self.live_sessions_where(&room, Some(id)).await?.pop())
    }

    /// The sessions of a live room, oldest first, each with who was there.
    pub async fn live_sessions(&self, room: &RoomId) -> Result<Vec<LiveSession>> {
        self.live_sessions_where(room, None).await
    }

    async fn live_sessions_where(&self, room: &RoomId, only: Option<i64>) -> Result<Vec<LiveSession>> {
        let sessions = sqlx::query(
            "SELECT id, started_at, ended_at FROM live_sessions WHERE room_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY started_at, id",
        )
        .bind(room.as_str())
        .bind(only)
        .fetch_all(&self.pool)
        .await?;
        let mut out = vec![];
        for s in sessions {
            let id: i64 = s.try_get("id")?;
            let rows = sqlx::query(
                "SELECT name, person_id, host, joined_at, left_at FROM live_attendance WHERE session_id = ? ORDER BY joined_at, rowid",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            let presences = rows
                .iter()
                .map(|r| {
                    let person: Option<String> = r.try_get("person_id")?;
                    Ok(Presence {
                        name: r.try_get("name")?,
                        person: person.map(|p| p.parse().map_err(|_| corrupt(format!("person id {p}")))).transpose()?,
                        host: r.try_get("host")?,
                        joined_at: r.try_get("joined_at")?,
                        left_at: r.try_get("left_at")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push(LiveSession { room: room.clone(), started_at: s.try_get("started_at")?, ended_at: s.try_get("ended_at")?, presences });
        }
        Ok(out)
    }
}
