//! Uploaded files, kept by the SHA-256 of their content in `files/` of the data directory,
//! outside any web root: `files/<2 hex>/<62 hex>`. A file is written whole (temp file, fsync,
//! rename, directory fsync) before the transaction that adds its row, so a row never names an
//! incomplete file; a failed transaction leaves at most an unnamed file, and a file replaced
//! or taken off stays until nothing names it: [`Store::sweep_files`], run at start (before
//! anything else can upload), removes both.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use preau_core::Millis;
use preau_core::files::FileKind;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::{Result, Store, StoreError};

/// A file someone uploads: its name already cleaned and its kind judged from its content
/// (`preau_core::files`).
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub kind: FileKind,
    /// Shared, not copied, on its way to the disk.
    pub bytes: std::sync::Arc<[u8]>,
}

/// A file attached to something, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
    pub bytes: i64,
    pub content_type: String,
}

/// What an attachment is attached as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A homework's own documents.
    Homework,
    /// What a pupil handed in.
    Work,
    /// The teacher's feedback on it.
    Feedback,
    /// A message's attachments.
    Message,
    /// A document of a class's resource folder.
    Resource,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Homework => "homework",
            Role::Work => "work",
            Role::Feedback => "feedback",
            Role::Message => "message",
            Role::Resource => "resource",
        }
    }
}

static TEMP: AtomicU64 = AtomicU64::new(0);

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn blob_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(&sha[2..])
}

/// Writes `bytes` under its hash, unless that content is already there.
fn write_blob(dir: &Path, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = blob_path(dir, sha);
    if path.exists() {
        return Ok(());
    }
    let sub = path.parent().expect("two levels");
    if !sub.exists() {
        std::fs::create_dir_all(sub)?;
        // The new folder's own entry, in `files/`.
        std::fs::File::open(dir)?.sync_all()?;
    }
    // Unique across restarts too (a container's process id is the same every time).
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let temp = dir.join(format!(".upload-{}-{nanos}-{}", std::process::id(), TEMP.fetch_add(1, Ordering::Relaxed)));
    let written = (|| {
        let mut f = std::fs::File::create_new(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, &path)?;
        std::fs::File::open(sub)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

impl Store {
    /// Where a stored file is, if `sha` is a well-formed hash (the caller checked the row).
    pub fn file_path(&self, sha: &str) -> Option<PathBuf> {
        is_sha256(sha).then(|| blob_path(&self.files, sha))
    }

    /// Writes uploads to disk (off the async runtime), answering their hashes in order.
    pub(crate) async fn put_files(&self, uploads: &[Upload]) -> Result<Vec<String>> {
        let dir = self.files.clone();
        let contents: Vec<std::sync::Arc<[u8]>> = uploads.iter().map(|u| u.bytes.clone()).collect();
        tokio::task::spawn_blocking(move || {
            contents
                .iter()
                .map(|bytes| {
                    let sha = sha256_hex(bytes);
                    write_blob(&dir, &sha, bytes).map(|()| sha)
                })
                .collect::<std::io::Result<Vec<String>>>()
        })
        .await
        .map_err(|e| StoreError::Files(std::io::Error::other(e)))?
        .map_err(StoreError::Files)
    }

    /// Lists what is attached to `owner` as `role`, by name.
    pub async fn attachments(&self, owner: &str, role: Role) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT a.sha256, a.name, f.bytes, f.content_type FROM attachments a JOIN files f ON f.sha256 = a.sha256 \
             WHERE a.owner_id = ? AND a.role = ? ORDER BY a.name, a.sha256",
        )
        .bind(owner)
        .bind(role.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attachment {
                    sha256: r.try_get("sha256")?,
                    name: r.try_get("name")?,
                    bytes: r.try_get("bytes")?,
                    content_type: r.try_get("content_type")?,
                })
            })
            .collect()
    }

    /// Forgets files nothing is attached to any more, then removes files on disk that no row
    /// names and that are older than `before` (uploads whose transaction failed). For the start
    /// of the server, before anything can upload. Answers how many files went.
    pub async fn sweep_files(&self, before: std::time::SystemTime) -> Result<usize> {
        sqlx::query("DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM attachments)").execute(&self.pool).await?;
        let known: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT sha256 FROM files").fetch_all(&self.pool).await?.into_iter().collect();
        let dir = self.files.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<usize> {
            let mut removed = 0;
            let Ok(subs) = std::fs::read_dir(dir.as_path()) else { return Ok(0) };
            for sub in subs.flatten() {
                let name = sub.file_name().to_string_lossy().into_owned();
                // Nothing uploads while this runs: every temp file is a leftover.
                if name.starts_with(".upload-") {
                    std::fs::remove_file(sub.path())?;
                    removed += 1;
                    continue;
                }
                let Ok(blobs) = std::fs::read_dir(sub.path()) else { continue };
                for blob in blobs.flatten() {
                    let sha = format!("{name}{}", blob.file_name().to_string_lossy());
                    let old = blob.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < before);
                    if old && !known.contains(&sha) {
                        std::fs::remove_file(blob.path())?;
                        removed += 1;
                    }
                }
            }
            Ok(removed)
        })
        .await
        .map_err(|e| StoreError::Files(std::io::Error::other(e)))?
        .map_err(StoreError::Files)
    }
}

/// Names the files (written by [`Store::put_files`]) in the transaction of what they are
/// attached to.
pub(crate) async fn attach(
    tx: &mut SqliteConnection,
    owner: &str,
    role: Role,
    uploads: &[Upload],
    hashes: &[String],
    now: Millis,
) -> Result<()> {
    for (u, sha) in uploads.iter().zip(hashes) {
        sqlx::query("INSERT INTO files (sha256, bytes, content_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(sha)
            .bind(u.bytes.len() as i64)
            .bind(u.kind.content_type())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO attachments (owner_id, role, sha256, name) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET name = excluded.name")
            .bind(owner)
            .bind(role.as_str())
            .bind(sha)
            .bind(&u.name)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Takes off what is attached to `owner` as `role` (the files stay while anything names them).
pub(crate) async fn detach(tx: &mut SqliteConnection, owner: &str, role: Role) -> Result<()> {
    sqlx::query("DELETE FROM attachments WHERE owner_id = ? AND role = ?").bind(owner).bind(role.as_str()).execute(&mut *tx).await?;
    Ok(())
}
