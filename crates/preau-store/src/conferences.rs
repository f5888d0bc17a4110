//! Audio conferences' PINs, the reports of live sessions (who was there, when), and the
//! recordings of meetings' audio (their rows: the files are the web front's).

use preau_core::{BookingId, Millis, PersonId, RecordingId, RoomId};
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

/// What a recordings query binds.
enum Key<'a> {
    None,
    Id(&'a str),
    Time(Millis),
}

/// A recording of a meeting's audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    pub id: RecordingId,
    pub booking: BookingId,
    pub started_by: String,
    pub started_at: Millis,
    /// None while it runs.
    pub ended_at: Option<Millis>,
    /// None while it runs, or when it was cut short by a stop of the server.
    pub duration_ms: Option<i64>,
    pub bytes: Option<i64>,
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

    /// A recording begins (its file is being written).
    pub async fn recording_started(&self, id: &RecordingId, booking: &BookingId, started_by: &str, at: Millis) -> Result<()> {
        sqlx::query("INSERT INTO recordings (id, booking_id, started_by, started_at) VALUES (?, ?, ?, ?)")
            .bind(id.as_str())
            .bind(booking.as_str())
            .bind(started_by)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A recording ended: its file is complete (`duration_ms` None: cut short, length unknown).
    pub async fn recording_ended(&self, id: &RecordingId, at: Millis, duration_ms: Option<i64>, bytes: i64) -> Result<()> {
        sqlx::query("UPDATE recordings SET ended_at = ?, duration_ms = ?, bytes = ? WHERE id = ?")
            .bind(at)
            .bind(duration_ms)
            .bind(bytes)
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Recordings left without an end (the server stopped while they ran), for `preau serve`
    /// to close at start.
    pub async fn unfinished_recordings(&self) -> Result<Vec<Recording>> {
        self.recordings_where("ended_at IS NULL", Key::None).await
    }

    /// A booking's recordings, oldest first.
    pub async fn recordings(&self, booking: &BookingId) -> Result<Vec<Recording>> {
        self.recordings_where("booking_id = ?", Key::Id(booking.as_str())).await
    }

    pub async fn recording(&self, id: &RecordingId) -> Result<Option<Recording>> {
        Ok(self.recordings_where("id = ?", Key::Id(id.as_str())).await?.pop())
    }

    /// Finished recordings that began before `before` (past their keeping time).
    pub async fn recordings_before(&self, before: Millis) -> Result<Vec<Recording>> {
        self.recordings_where("started_at < ? AND ended_at IS NOT NULL", Key::Time(before)).await
    }

    /// Forgets a recording (the caller removes its file). Answers whether there was one.
    pub async fn delete_recording(&self, id: &RecordingId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM recordings WHERE id = ?").bind(id.as_str()).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn recordings_where(&self, condition: &str, key: Key<'_>) -> Result<Vec<Recording>> {
        let sql = format!(
            "SELECT id, booking_id, started_by, started_at, ended_at, duration_ms, bytes FROM recordings WHERE {condition} ORDER BY started_at, id"
        );
        let q = sqlx::query(&sql);
        let q = match key {
            Key::None => q,
            Key::Id(id) => q.bind(id),
            Key::Time(t) => q.bind(t),
        };
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let booking: String = r.try_get("booking_id")?;
                Ok(Recording {
                    id: id.parse().map_err(|_| corrupt(format!("recording id {id}")))?,
                    booking: booking.parse().map_err(|_| corrupt(format!("booking id {booking}")))?,
                    started_by: r.try_get("started_by")?,
                    started_at: r.try_get("started_at")?,
                    ended_at: r.try_get("ended_at")?,
                    duration_ms: r.try_get("duration_ms")?,
                    bytes: r.try_get("bytes")?,
                })
            })
            .collect()
    }
}
