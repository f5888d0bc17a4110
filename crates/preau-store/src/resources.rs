//! Class resources: folders per division or group and subject, whose documents are
//! attachments (`Role::Resource`) of their folder; the establishment's quota is checked in the
//! transaction that adds them.

use preau_core::school::Audience;
use preau_core::{EstablishmentId, Millis, PersonId, SubjectId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::files::{self, Role, Upload};
use crate::{Result, Store, corrupt};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: String,
    pub establishment_id: EstablishmentId,
    pub audience: Audience,
    pub subject: SubjectId,
    /// '' for the subject's root.
    pub name: String,
}

/// A class and subject that has resources, or may have: its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shelf {
    pub audience: Audience,
    pub audience_name: String,
    pub subject: SubjectId,
    pub subject_name: String,
}

/// The addition would pass the establishment's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverQuota {
    pub used: i64,
}

fn folder_from_row(r: &SqliteRow) -> Result<Folder> {
    let audience = crate::audience_of(r)?;
    let e: String = r.try_get("establishment_id")?;
    let subject: String = r.try_get("subject_id")?;
    Ok(Folder { id: r.try_get("id")?, establishment_id: e.parse().map_err(corrupt)?, audience, subject: subject.parse().map_err(corrupt)?, name: r.try_get("name")? })
}

impl Store {
    /// The classes and subjects taught to these classes and groups (or by `teacher`), by name.
    pub async fn shelves(&self, audiences: &[Audience], teacher: Option<&PersonId>) -> Result<Vec<Shelf>> {
        let (divisions, groups) = crate::json_audiences(audiences);
        let rows = sqlx::query(
            "SELECT DISTINCT a.division_id, a.group_id, a.subject_id, s.name AS subject_name, coalesce(d.name, g.name) AS audience_name \
             FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id \
             LEFT JOIN divisions d ON d.id = a.division_id LEFT JOIN teaching_groups g ON g.id = a.group_id \
             WHERE a.division_id IN (SELECT value FROM json_each(?1)) OR a.group_id IN (SELECT value FROM json_each(?2)) OR a.teacher_id = ?3 \
             ORDER BY audience_name, subject_name",
        )
        .bind(divisions)
        .bind(groups)
        .bind(teacher.map(|t| t.as_str()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let audience = crate::audience_of(r)?;
                let subject: String = r.try_get("subject_id")?;
                Ok(Shelf { audience, audience_name: r.try_get("audience_name")?, subject: subject.parse().map_err(corrupt)?, subject_name: r.try_get("subject_name")? })
            })
            .collect()
    }

    /// The folder of `wanted`'s class, subject and name, made (with `wanted`'s id) if there is none.
    pub async fn ensure_folder(&self, wanted: &Folder, by: &PersonId, now: Millis) -> Result<Folder> {
        let (establishment, subject, name, id) = (&wanted.establishment_id, &wanted.subject, wanted.name.as_str(), wanted.id.as_str());
        let (division, group) = crate::audience_columns(&wanted.audience);
        sqlx::query(
            "INSERT INTO resource_folders (id, establishment_id, division_id, group_id, subject_id, name, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(establishment.as_str())
        .bind(division)
        .bind(group)
        .bind(subject.as_str())
        .bind(name)
        .bind(by.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT * FROM resource_folders WHERE coalesce(division_id, group_id) = ? AND subject_id = ? AND name = ? AND establishment_id = ?",
        )
        .bind(division.or(group))
        .bind(subject.as_str())
        .bind(name)
        .bind(establishment.as_str())
        .fetch_one(&self.pool)
        .await?;
        folder_from_row(&row)
    }

    pub async fn folder(&self, id: &str) -> Result<Option<Folder>> {
        let row = sqlx::query("SELECT * FROM resource_folders WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(folder_from_row).transpose()
    }

    /// A class and subject's folders, the root first, then by name.
    pub async fn folders(&self, establishment: &EstablishmentId, audience: &Audience, subject: &SubjectId) -> Result<Vec<Folder>> {
        let (division, group) = crate::audience_columns(audience);
        sqlx::query(
            "SELECT * FROM resource_folders WHERE coalesce(division_id, group_id) = ? AND subject_id = ? AND establishment_id = ? \
             ORDER BY name <> '', name COLLATE NOCASE",
        )
        .bind(division.or(group))
        .bind(subject.as_str())
        .bind(establishment.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(folder_from_row)
            .collect()
    }

    /// Bytes the establishment's resources take (each file counted once).
    pub async fn resources_used(&self, establishment: &EstablishmentId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT coalesce(sum(bytes), 0) FROM files WHERE sha256 IN (SELECT a.sha256 FROM attachments a \
                JOIN resource_folders f ON f.id = a.owner_id WHERE a.role = 'resource' AND f.establishment_id = ?)",
        )
        .bind(establishment.as_str())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Adds documents to a folder, unless the establishment's resources would then take more
    /// than `quota` bytes: then nothing is added. The same name again replaces nothing: both are
    /// kept (the same content twice is kept once, under its last name, and counted once).
    /// Checked and written in one `BEGIN IMMEDIATE` transaction: two additions at once are
    /// counted one after the other.
    pub async fn add_resources(&self, folder: &Folder, uploads: &[Upload], quota: i64, now: Millis) -> Result<Result<(), OverQuota>> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(bytes), 0) FROM files WHERE sha256 IN (SELECT a.sha256 FROM attachments a \
                JOIN resource_folders f ON f.id = a.owner_id WHERE a.role = 'resource' AND f.establishment_id = ?)",
        )
        .bind(folder.establishment_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        // What the establishment does not hold yet, each content once.
        let mut adding = 0i64;
        let mut seen: Vec<&String> = vec![];
        for (u, sha) in uploads.iter().zip(&hashes) {
            let held: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM attachments a JOIN resource_folders f ON f.id = a.owner_id \
                 WHERE a.role = 'resource' AND a.sha256 = ? AND f.establishment_id = ?)",
            )
            .bind(sha)
            .bind(folder.establishment_id.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if !held && !seen.contains(&sha) {
                adding += u.bytes.len() as i64;
            }
            seen.push(sha);
        }
        if used + adding > quota {
            return Ok(Err(OverQuota { used }));
        }
        files::attach(&mut tx, &folder.id, Role::Resource, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Renames a document of a folder; answers whether there was one.
    pub async fn rename_resource(&self, folder: &Folder, sha: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE attachments SET name = ? WHERE owner_id = ? AND role = 'resource' AND sha256 = ?")
            .bind(name)
            .bind(&folder.id)
            .bind(sha)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_resource(&self, folder: &Folder, sha: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM attachments WHERE owner_id = ? AND role = 'resource' AND sha256 = ?")
            .bind(&folder.id)
            .bind(sha)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a folder and what it holds (not the root: false, and nothing changes).
    pub async fn delete_folder(&self, folder: &Folder) -> Result<bool> {
        if folder.name.is_empty() {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        files::detach(&mut tx, &folder.id, Role::Resource).await?;
        let done = sqlx::query("DELETE FROM resource_folders WHERE id = ? AND name <> ''").bind(&folder.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}
