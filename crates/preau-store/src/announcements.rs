//! Announcements: to the establishment or a division, during their publication period.

use preau_core::announcements::Announcement;
use preau_core::{AnnouncementId, DivisionId, EstablishmentId, Millis, PersonId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{Result, Store, corrupt};

/// An announcement with the names a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementLine {
    pub announcement: Announcement,
    pub author_name: String,
    /// The division's name, or `None` for the whole establishment.
    pub division_name: Option<String>,
}

fn from_row(r: &SqliteRow) -> Result<AnnouncementLine> {
    let id: String = r.try_get("id")?;
    let division: Option<String> = r.try_get("division_id")?;
    let author: String = r.try_get("author_id")?;
    Ok(AnnouncementLine {
        announcement: Announcement {
            id: id.parse().map_err(corrupt)?,
            division: division.map(|d| d.parse::<DivisionId>().map_err(corrupt)).transpose()?,
            author: author.parse::<PersonId>().map_err(corrupt)?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            from: r.try_get("shown_from")?,
            until: r.try_get("shown_until")?,
        },
        author_name: r.try_get("author_name")?,
        division_name: r.try_get("division_name")?,
    })
}

const SELECT: &str = "SELECT a.*, p.first_name || ' ' || p.last_name AS author_name, d.name AS division_name \
     FROM announcements a JOIN people p ON p.id = a.author_id LEFT JOIN divisions d ON d.id = a.division_id";

impl Store {
    pub async fn add_announcement(&self, establishment: &EstablishmentId, a: &Announcement) -> Result<()> {
        sqlx::query(
            "INSERT INTO announcements (id, establishment_id, division_id, author_id, title, body, shown_from, shown_until) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.as_str())
        .bind(establishment.as_str())
        .bind(a.division.as_ref().map(|d| d.as_str()))
        .bind(a.author.as_str())
        .bind(&a.title)
        .bind(&a.body)
        .bind(a.from)
        .bind(a.until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What is shown at `now` to someone of these divisions: the establishment's and theirs,
    /// latest first. `all_divisions`: every division's too (the staff).
    pub async fn announcements_shown(&self, establishment: &EstablishmentId, divisions: &[DivisionId], all_divisions: bool, now: Millis) -> Result<Vec<AnnouncementLine>> {
        let ids = crate::json_ids(divisions.iter().map(|d| d.as_str()));
        let sql = format!(
            "{SELECT} WHERE a.establishment_id = ?1 AND a.shown_from <= ?2 AND a.shown_until > ?2 \
             AND (a.division_id IS NULL OR ?3 OR a.division_id IN (SELECT value FROM json_each(?4))) ORDER BY a.shown_from DESC, a.id LIMIT 50"
        );
        sqlx::query(&sql).bind(establishment.as_str()).bind(now).bind(all_divisions).bind(ids).fetch_all(&self.pool).await?.iter().map(from_row).collect()
    }

    /// What someone published that is not over yet (shown or to come), latest first.
    pub async fn announcements_by(&self, author: &PersonId, now: Millis) -> Result<Vec<AnnouncementLine>> {
        let sql = format!("{SELECT} WHERE a.author_id = ? AND a.shown_until > ? ORDER BY a.shown_from DESC, a.id");
        sqlx::query(&sql).bind(author.as_str()).bind(now).fetch_all(&self.pool).await?.iter().map(from_row).collect()
    }

    pub async fn announcement(&self, id: &AnnouncementId) -> Result<Option<(AnnouncementLine, EstablishmentId)>> {
        let sql = format!("{SELECT} WHERE a.id = ?");
        let Some(r) = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await? else { return Ok(None) };
        let e: String = r.try_get("establishment_id")?;
        Ok(Some((from_row(&r)?, e.parse().map_err(corrupt)?)))
    }

    pub async fn delete_announcement(&self, id: &AnnouncementId) -> Result<bool> {
        Ok(sqlx::query("DELETE FROM announcements WHERE id = ?").bind(id.as_str()).execute(&self.pool).await?.rows_affected() > 0)
    }
}
