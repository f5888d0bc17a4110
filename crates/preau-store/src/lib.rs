//! Préau's persistence. [`Store`] is the only place in Préau that knows SQL: the web crate and
//! the binary call its methods and get core types back.
//!
//! The embedded backend is SQLite in WAL mode with `synchronous=FULL` (an acknowledged write
//! survives a power cut) and foreign keys on; migrations are embedded in the binary and applied
//! at open.

pub mod announcements;
pub mod conferences;
pub mod files;
pub mod homework;
pub mod messaging;
pub mod notifications;
pub mod resources;
pub mod search;
pub mod timetable;
mod keys;
mod meetings;
pub mod outbox;
mod people;
mod rooms;
mod school;
mod sessions;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use meetings::{Clash, Occurrence};
pub use people::{NewPerson, PersonPage};
pub use school::{DivisionSummary, TeachingLine};
pub use sessions::{NewSession, SessionRow};

/// The database file inside the data directory.
pub const DB_FILE: &str = "preau.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("le répertoire de données {path} n'est pas utilisable : {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("base de données : {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration de la base de données : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("l'identifiant « {0} » est déjà pris")]
    LoginTaken(String),
    /// A new record's id is already used (ids are random: this means a bug or a replay).
    #[error("l'identifiant interne {0} existe déjà")]
    IdTaken(String),
    /// A name that must be unique in its establishment (a meeting room's) is already used.
    #[error("le nom « {0} » est déjà pris")]
    NameTaken(String),
    /// A change to a booking that was cancelled.
    #[error("la réservation {0} est annulée")]
    Cancelled(String),
    #[error("donnée invalide dans la base : {0}")]
    Corrupt(String),
    /// Writing or reading the files of the data directory failed.
    #[error("fichiers du répertoire de données : {0}")]
    Files(std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Where uploaded files are kept (`files/` in the data directory).
    files: std::sync::Arc<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and applies pending migrations.
    /// Fails with the path named when the directory cannot be created or written.
    pub async fn open(data_dir: &Path, max_connections: u32) -> Result<Store> {
        check_data_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .min_connections(1)
            .connect_with(options)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(Store { pool, files: std::sync::Arc::new(data_dir.join("files")) })
    }

    /// Connections open and idle, for the metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Answers when the database answers: the readiness probe.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }


    /// The audit entries about one target, newest first (for tests and, later, the admin).
    pub async fn audit_of(&self, target: &str) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT action, detail FROM audit_log WHERE target_id = ? ORDER BY at DESC, rowid DESC")
                .bind(target)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }
}

/// An entry of the audit log: who did what, when. Writes that change a person take one and
/// record it in the same transaction, so an action is never done without its trace.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    pub at: preau_core::Millis,
    /// None when done from the command line.
    pub actor: Option<&'a preau_core::PersonId>,
    pub action: &'a str,
    pub detail: &'a str,
}

pub(crate) async fn write_audit(conn: &mut sqlx::SqliteConnection, e: &Audit<'_>, target: Option<&str>) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, action, target_id, detail) VALUES (?, ?, ?, ?, ?)")
        .bind(e.at)
        .bind(e.actor.map(|a| a.as_str()))
        .bind(e.action)
        .bind(target)
        .bind(e.detail)
        .execute(conn)
        .await?;
    Ok(())
}

fn check_data_dir(dir: &Path) -> Result<()> {
    let err = |source| StoreError::DataDir { path: dir.to_path_buf(), source };
    std::fs::create_dir_all(dir).map_err(err)?;
    // Creating the directory may succeed on a read-only mount that already has it: probe a write.
    let probe = dir.join(".preau-write-test");
    std::fs::write(&probe, b"ok").map_err(err)?;
    std::fs::remove_file(&probe).map_err(err)?;
    Ok(())
}

/// A LIKE pattern matching `query` anywhere, its wildcards taken literally (ESCAPE '\\').
fn like_pattern(query: &str) -> String {
    format!("%{}%", query.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// The class or group of a row with `division_id` and `group_id` columns (one of them set).
fn audience_of(row: &sqlx::sqlite::SqliteRow) -> Result<preau_core::school::Audience> {
    use preau_core::school::Audience;
    use sqlx::Row;
    let division: Option<String> = row.try_get("division_id")?;
    let group: Option<String> = row.try_get("group_id")?;
    match (division, group) {
        (Some(d), _) => Ok(Audience::Division(d.parse().map_err(corrupt)?)),
        (None, Some(g)) => Ok(Audience::Group(g.parse().map_err(corrupt)?)),
        (None, None) => Err(corrupt("a row with neither a division nor a group")),
    }
}

/// The `division_id` and `group_id` columns of a class or group.
fn audience_columns(a: &preau_core::school::Audience) -> (Option<&str>, Option<&str>) {
    use preau_core::school::Audience;
    match a {
        Audience::Division(d) => (Some(d.as_str()), None),
        Audience::Group(g) => (None, Some(g.as_str())),
    }
}

/// A JSON array of ids, for `IN (SELECT value FROM json_each(?))`.
fn json_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = ids.into_iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// The divisions' and the groups' ids among `audiences`, as two JSON arrays (see [`json_ids`]).
fn json_audiences(audiences: &[preau_core::school::Audience]) -> (String, String) {
    (json_ids(audiences.iter().filter_map(|a| audience_columns(a).0)), json_ids(audiences.iter().filter_map(|a| audience_columns(a).1)))
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
