//! Meeting rooms and bookings. The rules (times, recurrence, capacity, what conflicts) are in
//! `preau_core::booking`; the store keeps bookings and checks conflicts inside the transaction
//! that writes them, so two people cannot take the same slot at the same moment.

use preau_core::booking::{self, Booking, Date, DateTime, MeetingRoom, MeetingRoomKind, Recurrence, Slot, Taken, When};
use preau_core::{BookingId, EstablishmentId, MeetingRoomId, Millis, PersonId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use crate::{Result, Store, StoreError, corrupt};

/// What a booking collides with: the other booking, named so the message can show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub kind: booking::Clash,
    pub booking: BookingId,
    pub title: String,
    pub slot: Slot,
}

/// One occurrence of a booking, for calendars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub booking: BookingId,
    pub title: String,
    pub room: MeetingRoomId,
    pub organizer: PersonId,
    pub slot: Slot,
}

fn parse<T: std::str::FromStr>(row: &SqliteRow, column: &str) -> Result<T> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|_| corrupt(format!("{column}: {text}")))
}

fn room_from_row(row: &SqliteRow) -> Result<MeetingRoom> {
    let kind: String = row.try_get("kind")?;
    let capacity: i64 = row.try_get("capacity")?;
    Ok(MeetingRoom {
        id: parse(row, "id")?,
        establishment_id: parse(row, "establishment_id")?,
        name: row.try_get("name")?,
        kind: MeetingRoomKind::parse(&kind).ok_or_else(|| corrupt(format!("meeting room kind {kind}")))?,
        capacity: u32::try_from(capacity).map_err(corrupt)?,
    })
}

const ROOM_SELECT: &str = "SELECT id, establishment_id, name, kind, capacity FROM meeting_rooms";
const OCCURRENCE_SELECT: &str = "SELECT o.booking_id, b.title, o.room_id, o.organizer_id, o.start_ms, o.end_ms \
     FROM booking_occurrences o JOIN bookings b ON b.id = o.booking_id";

fn occurrence_from_row(row: &SqliteRow) -> Result<Occurrence> {
    Ok(Occurrence {
        booking: parse(row, "booking_id")?,
        title: row.try_get("title")?,
        room: parse(row, "room_id")?,
        organizer: parse(row, "organizer_id")?,
        slot: Slot { start: row.try_get("start_ms")?, end: row.try_get("end_ms")? },
    })
}

impl Store {
    /// Adds a meeting room; `NameTaken` when the establishment already has one of that name.
    /// The caller has checked the name and the capacity (`booking::check_capacity`).
    pub async fn create_meeting_room(&self, room: &MeetingRoom, now: Millis) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO meeting_rooms (id, establishment_id, name, kind, capacity, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(room.id.as_str())
        .bind(room.establishment_id.as_str())
        .bind(&room.name)
        .bind(room.kind.as_str())
        .bind(i64::from(room.capacity))
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(if self.meeting_room(&room.id).await?.is_some() {
                StoreError::IdTaken(room.id.to_string())
            } else {
                StoreError::NameTaken(room.name.clone())
            });
        }
        Ok(())
    }

    /// The establishment's meeting rooms, by name.
    pub async fn meeting_rooms(&self, establishment: &EstablishmentId) -> Result<Vec<MeetingRoom>> {
        let sql = format!("{ROOM_SELECT} WHERE establishment_id = ? ORDER BY name COLLATE NOCASE");
        let rows = sqlx::query(&sql).bind(establishment.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(room_from_row).collect()
    }

    pub async fn meeting_room(&self, id: &MeetingRoomId) -> Result<Option<MeetingRoom>> {
        let sql = format!("{ROOM_SELECT} WHERE id = ?");
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(room_from_row).transpose()
    }

    /// Saves a new booking, or a change to one (its sequence is then raised), with its
    /// occurrences `slots` (from `booking::occurrences`), unless one of them collides with
    /// another booking's on the same room or with the same organizer: that clash is answered
    /// and nothing is written. Checked and written in one `BEGIN IMMEDIATE` transaction, so a
    /// concurrent booking of the same slot waits and then sees this one. Answers the sequence
    /// saved. `notify`: addresses to e-mail about it (the outbox rows are in the same
    /// transaction).
    pub async fn save_booking(&self, b: &Booking, slots: &[Slot], notify: &[String], now: Millis) -> Result<Result<u32, Clash>> {
        let (Some(first), Some(last)) = (slots.iter().map(|s| s.start).min(), slots.iter().map(|s| s.end).max()) else {
            return Err(corrupt("a booking without occurrences"));
        };
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let previous: Option<(i64, Option<i64>, String, String)> =
            sqlx::query_as("SELECT sequence, cancelled_at, organizer_id, room_id FROM bookings WHERE id = ?")
                .bind(b.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let moved = previous.as_ref().is_some_and(|p| p.3 != b.room.as_str());
        let sequence = match previous {
            None => b.sequence,
            // The organizer is fixed at creation, and a cancelled booking stays cancelled: a
            // caller asking otherwise has a bug (the policy and the pages prevent both).
            Some((_, _, organizer, _)) if organizer != b.organizer.as_str() => return Err(StoreError::IdTaken(b.id.to_string())),
            Some((_, Some(_), _, _)) => return Err(StoreError::Cancelled(b.id.to_string())),
            Some((s, None, _, _)) => u32::try_from(s).map_err(corrupt)? + 1,
        };
        let sql = format!(
            "{OCCURRENCE_SELECT} WHERE (o.room_id = ? OR o.organizer_id = ?) AND o.start_ms < ? AND o.end_ms > ? \
             AND o.booking_id <> ? ORDER BY o.start_ms"
        );
        let rows = sqlx::query(&sql)
            .bind(b.room.as_str())
            .bind(b.organizer.as_str())
            .bind(last)
            .bind(first)
            .bind(b.id.as_str())
            .fetch_all(&mut *tx)
            .await?;
        let found: Vec<Occurrence> = rows.iter().map(occurrence_from_row).collect::<Result<_>>()?;
        // Each occurrence found is known by its place in `found` (the query already left this
        // booking's own out).
        let taken: Vec<Taken<usize, &MeetingRoomId, &PersonId>> = found
            .iter()
            .enumerate()
            .map(|(i, o)| Taken { booking: i, room: &o.room, organizer: &o.organizer, slot: o.slot })
            .collect();
        if let Some((kind, t)) = booking::first_conflict(slots, &&b.room, &&b.organizer, None, &taken) {
            let o = &found[t.booking];
            return Ok(Err(Clash { kind, booking: o.booking.clone(), title: o.title.clone(), slot: o.slot }));
        }
        let until = b.when.weekly.as_ref().and_then(|w| w.until).map(|d| d.to_string());
        sqlx::query(
            "INSERT INTO bookings (id, room_id, organizer_id, title, start_local, end_local, weekly, until_date, sequence, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
             ON CONFLICT (id) DO UPDATE SET room_id = ?2, title = ?4, start_local = ?5, end_local = ?6, weekly = ?7, \
                 until_date = ?8, sequence = ?9, updated_at = ?10",
        )
        .bind(b.id.as_str())
        .bind(b.room.as_str())
        .bind(b.organizer.as_str())
        .bind(&b.title)
        .bind(b.when.start.to_string())
        .bind(b.when.end.to_string())
        .bind(b.when.weekly.is_some())
        .bind(until)
        .bind(i64::from(sequence))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A guest taken off the list: the guests' link changes, the old one stops working.
        let before: Vec<String> = sqlx::query_scalar("SELECT email FROM booking_guests WHERE booking_id = ?")
            .bind(b.id.as_str())
            .fetch_all(&mut *tx)
            .await?;
        if before.iter().any(|g| !b.guests.contains(g)) {
            sqlx::query("UPDATE bookings SET link_version = link_version + 1 WHERE id = ?").bind(b.id.as_str()).execute(&mut *tx).await?;
        }
        replace_details(&mut tx, b, slots).await?;
        // A conference's PINs belong to its room: moved elsewhere, they open nothing any more.
        if moved {
            sqlx::query("DELETE FROM conference_pins WHERE booking_id = ?").bind(b.id.as_str()).execute(&mut *tx).await?;
        }
        crate::outbox::enqueue(&mut tx, crate::outbox::MEETING, b.id.as_str(), notify, now).await?;
        tx.commit().await?;
        Ok(Ok(sequence))
    }

    /// Cancels a booking: its slots are freed, its sequence raised (the cancellation notice
    /// must supersede the invitation), and `notify` told. False when it was unknown or already
    /// cancelled (then nothing is written).
    pub async fn cancel_booking(&self, id: &BookingId, notify: &[String], now: Millis) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE bookings SET cancelled_at = ?, sequence = sequence + 1, updated_at = ? WHERE id = ? AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM booking_occurrences WHERE booking_id = ?").bind(id.as_str()).execute(&mut *tx).await?;
        crate::outbox::enqueue(&mut tx, crate::outbox::MEETING, id.as_str(), notify, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The version of a booking's guests' link (see migration 9); 0 for an unknown booking.
    pub async fn link_version(&self, id: &BookingId) -> Result<u32> {
        let v: Option<i64> = sqlx::query_scalar("SELECT link_version FROM bookings WHERE id = ?").bind(id.as_str()).fetch_optional(&self.pool).await?;
        u32::try_from(v.unwrap_or(0)).map_err(corrupt)
    }

    pub async fn booking(&self, id: &BookingId) -> Result<Option<Booking>> {
        let row = sqlx::query(
            "SELECT id, room_id, organizer_id, title, start_local, end_local, weekly, until_date, sequence, cancelled_at \
             FROM bookings WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let except: Vec<(String,)> =
            sqlx::query_as("SELECT day FROM booking_exceptions WHERE booking_id = ? ORDER BY day").bind(id.as_str()).fetch_all(&self.pool).await?;
        let invitees: Vec<(String,)> =
            sqlx::query_as("SELECT person_id FROM booking_invitees WHERE booking_id = ? ORDER BY person_id").bind(id.as_str()).fetch_all(&self.pool).await?;
        let guests: Vec<(String,)> =
            sqlx::query_as("SELECT email FROM booking_guests WHERE booking_id = ? ORDER BY email").bind(id.as_str()).fetch_all(&self.pool).await?;
        let weekly: bool = row.try_get("weekly")?;
        let until: Option<String> = row.try_get("until_date")?;
        let recurrence = if weekly {
            Some(Recurrence {
                until: until.map(|d| d.parse::<Date>().map_err(corrupt)).transpose()?,
                except: except.into_iter().map(|(d,)| d.parse::<Date>().map_err(corrupt)).collect::<Result<_>>()?,
            })
        } else {
            None
        };
        let sequence: i64 = row.try_get("sequence")?;
        Ok(Some(Booking {
            id: parse(&row, "id")?,
            room: parse(&row, "room_id")?,
            organizer: parse(&row, "organizer_id")?,
            title: row.try_get("title")?,
            when: When { start: parse::<DateTime>(&row, "start_local")?, end: parse::<DateTime>(&row, "end_local")?, weekly: recurrence },
            sequence: u32::try_from(sequence).map_err(corrupt)?,
            cancelled: row.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
            invitees: invitees.into_iter().map(|(p,)| p.parse().map_err(corrupt)).collect::<Result<_>>()?,
            guests: guests.into_iter().map(|(g,)| g).collect(),
        }))
    }

    /// A room's occurrences overlapping `[from, to)`, in order: its calendar.
    pub async fn room_occurrences(&self, room: &MeetingRoomId, from: Millis, to: Millis) -> Result<Vec<Occurrence>> {
        let sql = format!("{OCCURRENCE_SELECT} WHERE o.room_id = ? AND o.start_ms < ? AND o.end_ms > ? ORDER BY o.start_ms");
        let rows = sqlx::query(&sql).bind(room.as_str()).bind(to).bind(from).fetch_all(&self.pool).await?;
        rows.iter().map(occurrence_from_row).collect()
    }

    /// The occurrences overlapping `[from, to)` of the meetings a person organizes or is
    /// invited to, in order: their agenda and their calendar feed.
    pub async fn person_occurrences(&self, person: &PersonId, from: Millis, to: Millis) -> Result<Vec<Occurrence>> {
        let sql = format!(
            "{OCCURRENCE_SELECT} WHERE (o.organizer_id = ?1 OR EXISTS (SELECT 1 FROM booking_invitees i \
                 WHERE i.booking_id = o.booking_id AND i.person_id = ?1)) AND o.start_ms < ?2 AND o.end_ms > ?3 \
             ORDER BY o.start_ms"
        );
        let rows = sqlx::query(&sql).bind(person.as_str()).bind(to).bind(from).fetch_all(&self.pool).await?;
        rows.iter().map(occurrence_from_row).collect()
    }
}

impl Store {
    /// Gives `person` a calendar feed whose secret hashes to `token_hash`, replacing (and so
    /// revoking) any earlier one.
    pub async fn set_calendar_feed(&self, person: &PersonId, token_hash: &[u8], now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (person_id, token_hash, created_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (person_id) DO UPDATE SET token_hash = ?2, created_at = ?3",
        )
        .bind(person.as_str())
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Revokes `person`'s feed; false when there was none.
    pub async fn revoke_calendar_feed(&self, person: &PersonId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE person_id = ?").bind(person.as_str()).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    /// When `person`'s feed was made, if they have one.
    pub async fn calendar_feed_of(&self, person: &PersonId) -> Result<Option<Millis>> {
        Ok(sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE person_id = ?")
            .bind(person.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Whose feed a secret opens (by its hash), if anyone's: only active accounts.
    pub async fn calendar_feed_owner(&self, token_hash: &[u8]) -> Result<Option<PersonId>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id \
             WHERE f.token_hash = ? AND p.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        id.map(|i| i.parse().map_err(corrupt)).transpose()
    }
}

/// Replaces a booking's occurrences, exceptions, invitees and guests, inside the caller's
/// transaction.
async fn replace_details(conn: &mut SqliteConnection, b: &Booking, slots: &[Slot]) -> Result<()> {
    let id = b.id.as_str();
    for table in ["booking_occurrences", "booking_exceptions", "booking_invitees", "booking_guests"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE booking_id = ?")).bind(id).execute(&mut *conn).await?;
    }
    for s in slots {
        sqlx::query("INSERT INTO booking_occurrences (booking_id, room_id, organizer_id, start_ms, end_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(b.room.as_str())
            .bind(b.organizer.as_str())
            .bind(s.start)
            .bind(s.end)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(w) = &b.when.weekly {
        for day in &w.except {
            sqlx::query("INSERT INTO booking_exceptions (booking_id, day) VALUES (?, ?)").bind(id).bind(day.to_string()).execute(&mut *conn).await?;
        }
    }
    for p in &b.invitees {
        sqlx::query("INSERT OR IGNORE INTO booking_invitees (booking_id, person_id) VALUES (?, ?)")
            .bind(id)
            .bind(p.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for g in &b.guests {
        sqlx::query("INSERT OR IGNORE INTO booking_guests (booking_id, email) VALUES (?, ?)").bind(id).bind(g).execute(&mut *conn).await?;
    }
    Ok(())
}
