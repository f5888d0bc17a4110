//! Virtual classrooms: the permanent room of each division and teaching group, and the ad-hoc
//! rooms teachers and staff open. Who may enter is the policy's business, not the store's.

use preau_core::policy::Actor;
use preau_core::school::{Role, Room, RoomAudience};
use preau_core::{EstablishmentId, Millis, PersonId, RoomId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use crate::{Result, Store, StoreError, corrupt};

/// A class room is titled by its division's or group's current name, so renaming the class
/// renames its room; the stored title is what an ad-hoc room was given.
const ROOM_SELECT: &str = "SELECT r.id, r.establishment_id, r.kind, r.division_id, r.group_id, r.created_by, \
     coalesce(d.name, g.name, r.title) AS title FROM rooms r \
     LEFT JOIN divisions d ON d.id = r.division_id LEFT JOIN teaching_groups g ON g.id = r.group_id";

fn room_from_row(row: &SqliteRow) -> Result<Room> {
    let text = |column: &str| -> Result<Option<String>> { Ok(row.try_get::<Option<String>, _>(column)?) };
    let kind: String = row.try_get("kind")?;
    let audience = match (kind.as_str(), text("division_id")?, text("group_id")?, text("created_by")?) {
        ("division", Some(d), None, None) => RoomAudience::Division(d.parse().map_err(corrupt)?),
        ("group", None, Some(g), None) => RoomAudience::Group(g.parse().map_err(corrupt)?),
        ("adhoc", None, None, Some(p)) => RoomAudience::AdHoc { created_by: p.parse().map_err(corrupt)? },
        _ => return Err(corrupt(format!("room of kind {kind} with mismatched references"))),
    };
    Ok(Room {
        id: row.try_get::<String, _>("id")?.parse().map_err(corrupt)?,
        establishment_id: row.try_get::<String, _>("establishment_id")?.parse().map_err(corrupt)?,
        audience,
        title: row.try_get("title")?,
    })
}

/// Inserts a room; false when its division or group already has one (another process was
/// quicker).
async fn insert_room(conn: &mut SqliteConnection, room: &Room, now: Millis) -> Result<bool> {
    let (division, group, created_by) = match &room.audience {
        RoomAudience::Division(d) => (Some(d.as_str()), None, None),
        RoomAudience::Group(g) => (None, Some(g.as_str()), None),
        RoomAudience::AdHoc { created_by } => (None, None, Some(created_by.as_str())),
    };
    let done = sqlx::query(
        "INSERT INTO rooms (id, establishment_id, kind, division_id, group_id, created_by, title, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(room.id.as_str())
    .bind(room.establishment_id.as_str())
    .bind(room.audience.kind())
    .bind(division)
    .bind(group)
    .bind(created_by)
    .bind(&room.title)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts rooms already made (the demo's) on `conn`, inside the caller's transaction.
pub(crate) async fn insert_rooms(conn: &mut SqliteConnection, rooms: &[Room], now: Millis) -> Result<()> {
    for room in rooms {
        insert_room(conn, room, now).await?;
    }
    Ok(())
}

/// Creates the permanent room of every division and group of `establishment` that has none.
pub(crate) async fn ensure_class_rooms_on(
    conn: &mut SqliteConnection,
    establishment: &EstablishmentId,
    now: Millis,
    new_id: &mut (dyn FnMut() -> RoomId + Send),
) -> Result<usize> {
    let missing: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT 'division', d.id, d.name FROM divisions d WHERE d.establishment_id = ?1 \
             AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.division_id = d.id) \
         UNION ALL SELECT 'group', g.id, g.name FROM teaching_groups g WHERE g.establishment_id = ?1 \
             AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.group_id = g.id) \
         ORDER BY 1, 3",
    )
    .bind(establishment.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut created = 0;
    for (kind, id, name) in missing {
        let audience = match kind.as_str() {
            "division" => RoomAudience::Division(id.parse().map_err(corrupt)?),
            _ => RoomAudience::Group(id.parse().map_err(corrupt)?),
        };
        let room = Room { id: new_id(), establishment_id: establishment.clone(), audience, title: name };
        if insert_room(conn, &room, now).await? {
            created += 1;
        }
    }
    Ok(created)
}

/// `?, ?, ?` for `n` values; `NULL` for none, so that `x IN (NULL)` matches nothing.
fn placeholders(n: usize) -> String {
    if n == 0 { "NULL".into() } else { vec!["?"; n].join(", ") }
}

impl Store {
    /// Creates the missing permanent rooms of every division and group of `establishment`, in
    /// one transaction, with ids from `new_id` (the store draws no randomness). Idempotent:
    /// answers how many rooms it created.
    pub async fn ensure_class_rooms(
        &self,
        establishment: &EstablishmentId,
        now: Millis,
        new_id: &mut (dyn FnMut() -> RoomId + Send),
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let created = ensure_class_rooms_on(&mut tx, establishment, now, new_id).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn room(&self, id: &RoomId) -> Result<Option<Room>> {
        let sql = format!("{ROOM_SELECT} WHERE r.id = ?");
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(room_from_row).transpose()
    }

    /// The permanent rooms of one's classes, divisions first, then groups, by title: a pupil's
    /// own division(s) and groups, a teacher's taught ones (head teacher included), every one of
    /// the establishment for its staff. Relations count only with the role that gives them, as
    /// in the policy.
    pub async fn class_rooms_of(&self, actor: &Actor) -> Result<Vec<Room>> {
        let order = "ORDER BY r.kind, title COLLATE NOCASE";
        let rows = if actor.roles.is_establishment_wide() {
            let sql = format!("{ROOM_SELECT} WHERE r.establishment_id = ? AND r.kind IN ('division', 'group') {order}");
            sqlx::query(&sql).bind(actor.establishment_id.as_str()).fetch_all(&self.pool).await?
        } else {
            let mut divisions = vec![];
            let mut groups = vec![];
            if actor.roles.contains(Role::Pupil) {
                divisions.extend(&actor.own_divisions);
                groups.extend(&actor.own_groups);
            }
            if actor.roles.contains(Role::Teacher) {
                divisions.extend(&actor.taught_divisions);
                groups.extend(&actor.taught_groups);
            }
            if divisions.is_empty() && groups.is_empty() {
                return Ok(vec![]);
            }
            let sql = format!(
                "{ROOM_SELECT} WHERE r.establishment_id = ? AND (r.division_id IN ({}) OR r.group_id IN ({})) {order}",
                placeholders(divisions.len()),
                placeholders(groups.len()),
            );
            let mut query = sqlx::query(&sql).bind(actor.establishment_id.as_str());
            for d in divisions {
                query = query.bind(d.as_str());
            }
            for g in groups {
                query = query.bind(g.as_str());
            }
            query.fetch_all(&self.pool).await?
        };
        rows.iter().map(room_from_row).collect()
    }

    /// Opens an ad-hoc room. The caller has checked the title (`clean_room_title`) and that
    /// the creator may open rooms.
    pub async fn create_adhoc_room(
        &self,
        id: RoomId,
        establishment_id: &EstablishmentId,
        created_by: &PersonId,
        title: &str,
        now: Millis,
    ) -> Result<Room> {
        let room = Room {
            id,
            establishment_id: establishment_id.clone(),
            audience: RoomAudience::AdHoc { created_by: created_by.clone() },
            title: title.to_owned(),
        };
        if !insert_room(&mut *self.pool.acquire().await?, &room, now).await? {
            return Err(StoreError::IdTaken(room.id.to_string()));
        }
        Ok(room)
    }
}
