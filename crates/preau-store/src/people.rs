//! People, their roles and their accounts.

use preau_core::school::{Person, Role, RoleSet};
use preau_core::{EstablishmentId, Millis, PersonId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use crate::sessions::{NewSession, insert_session};
use crate::{Audit, Result, Store, StoreError, corrupt, like_pattern, write_audit};

/// The columns every person query selects, roles folded into one comma-separated field.
pub(crate) const PERSON_COLUMNS: &str = "p.id, p.establishment_id, p.login, p.first_name, p.last_name, p.disabled, \
     p.locale, (SELECT group_concat(role) FROM person_roles r WHERE r.person_id = p.id) AS roles";

pub(crate) fn person_from_row(row: &SqliteRow) -> Result<Person> {
    let roles: Option<String> = row.try_get("roles")?;
    let roles = roles
        .unwrap_or_default()
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| r.parse::<Role>().map_err(corrupt))
        .collect::<Result<RoleSet>>()?;
    Ok(Person {
        id: row.try_get::<String, _>("id")?.parse().map_err(corrupt)?,
        establishment_id: row.try_get::<String, _>("establishment_id")?.parse().map_err(corrupt)?,
        login: row.try_get("login")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        roles,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        locale: row.try_get("locale")?,
    })
}

/// A person to create; the id is chosen by the caller.
pub struct NewPerson<'a> {
    pub id: PersonId,
    pub establishment_id: &'a EstablishmentId,
    pub login: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub roles: RoleSet,
    pub password_hash: Option<&'a str>,
    pub now: Millis,
}

/// One page of a directory search.
pub struct PersonPage {
    pub people: Vec<Person>,
    pub total: i64,
}

/// Inserts a person and their roles on `conn` (inside the caller's transaction).
pub(crate) async fn insert_person(conn: &mut SqliteConnection, new: &NewPerson<'_>) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO people (id, establishment_id, login, first_name, last_name, password_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (login) DO NOTHING",
    )
    .bind(new.id.as_str())
    .bind(new.establishment_id.as_str())
    .bind(new.login)
    .bind(new.first_name)
    .bind(new.last_name)
    .bind(new.password_hash)
    .bind(new.now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::LoginTaken(new.login.to_owned()));
    }
    for role in new.roles.iter() {
        sqlx::query("INSERT INTO person_roles (person_id, role) VALUES (?, ?)")
            .bind(new.id.as_str())
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn person(&self, id: &PersonId) -> Result<Option<Person>> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = ?");
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(person_from_row).transpose()
    }

    /// A person and their password hash, by login (logins are stored lower-case).
    pub async fn person_by_login(&self, login: &str) -> Result<Option<(Person, Option<String>)>> {
        let sql = format!("SELECT {PERSON_COLUMNS}, p.password_hash FROM people p WHERE p.login = ?");
        let row = sqlx::query(&sql).bind(login.to_lowercase()).fetch_optional(&self.pool).await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((person_from_row(&row)?, row.try_get("password_hash")?))),
        }
    }

    pub async fn password_hash(&self, id: &PersonId) -> Result<Option<String>> {
        let hash: Option<Option<String>> = sqlx::query_scalar("SELECT password_hash FROM people WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(hash.flatten())
    }

    /// Creates a person with their roles and the audit entry, in one transaction.
    pub async fn create_person(&self, new: &NewPerson<'_>, audit: &Audit<'_>) -> Result<Person> {
        let mut tx = self.pool.begin().await?;
        insert_person(&mut tx, new).await?;
        write_audit(&mut tx, audit, Some(new.id.as_str())).await?;
        tx.commit().await?;
        Ok(Person {
            id: new.id.clone(),
            establishment_id: new.establishment_id.clone(),
            login: new.login.to_owned(),
            first_name: new.first_name.to_owned(),
            last_name: new.last_name.to_owned(),
            roles: new.roles,
            disabled: false,
            locale: None,
        })
    }

    /// Sets a new password hash and ends every session of the person, then opens `session`
    /// if given (the browser that changed its own password stays signed in), with the audit
    /// entry, all in one transaction. False if no such person.
    pub async fn set_password_hash(
        &self,
        id: &PersonId,
        hash: &str,
        session: Option<&NewSession<'_>>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE people SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE person_id = ?").bind(id.as_str()).execute(&mut *tx).await?;
        if let Some(s) = session {
            insert_session(&mut tx, s).await?;
        }
        write_audit(&mut tx, audit, Some(id.as_str())).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables or re-enables an account, with the audit entry; disabling ends all its sessions.
    pub async fn set_disabled(&self, id: &PersonId, disabled: bool, audit: &Audit<'_>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE people SET disabled = ? WHERE id = ?")
            .bind(i64::from(disabled))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE person_id = ?").bind(id.as_str()).execute(&mut *tx).await?;
        }
        write_audit(&mut tx, audit, Some(id.as_str())).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives a person one more role.
    pub async fn add_role(&self, id: &PersonId, role: preau_core::Role) -> Result<()> {
        sqlx::query("INSERT INTO person_roles (person_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(id.as_str())
            .bind(role.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes `parent` a legal guardian of `pupil`.
    pub async fn link_parent(&self, parent: &PersonId, pupil: &PersonId) -> Result<()> {
        sqlx::query("INSERT INTO parent_links (parent_id, pupil_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(parent.as_str())
            .bind(pupil.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A person's e-mail address, if they gave one.
    pub async fn email_of(&self, id: &PersonId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT email FROM people WHERE id = ?").bind(id.as_str()).fetch_optional(&self.pool).await?.flatten())
    }

    /// The addresses of those of `ids` who gave one, in one query.
    pub async fn emails_of(&self, ids: &[PersonId]) -> Result<Vec<(PersonId, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!("SELECT id, email FROM people WHERE email IS NOT NULL AND id IN ({})", vec!["?"; ids.len()].join(", "));
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in ids {
            q = q.bind(id.as_str());
        }
        q.fetch_all(&self.pool).await?.into_iter().map(|(id, email)| Ok((id.parse().map_err(corrupt)?, email))).collect()
    }

    /// Sets (or with None, removes) a person's e-mail address, with the audit entry.
    pub async fn set_email(&self, id: &PersonId, email: Option<&str>, audit: &Audit<'_>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE people SET email = ? WHERE id = ?").bind(email).bind(id.as_str()).execute(&mut *tx).await?;
        write_audit(&mut tx, audit, Some(id.as_str())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_locale(&self, id: &PersonId, locale: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE people SET locale = ? WHERE id = ?")
            .bind(locale)
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The directory of an establishment: people whose name or login contains `query`
    /// (case-insensitive), sorted by name, one page at a time.
    pub async fn search_people(
        &self,
        establishment: &EstablishmentId,
        query: &str,
        offset: i64,
        limit: i64,
    ) -> Result<PersonPage> {
        let pattern = like_pattern(query);
        let filter = "p.establishment_id = ?1 AND (p.last_name LIKE ?2 ESCAPE '\\' OR p.first_name LIKE ?2 ESCAPE '\\' \
             OR p.login LIKE ?2 ESCAPE '\\' OR (p.first_name || ' ' || p.last_name) LIKE ?2 ESCAPE '\\')";
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM people p WHERE {filter}"))
            .bind(establishment.as_str())
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE {filter} \
             ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.login LIMIT ?3 OFFSET ?4"
        );
        let rows = sqlx::query(&sql)
            .bind(establishment.as_str())
            .bind(&pattern)
            .bind(limit)
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let people = rows.iter().map(person_from_row).collect::<Result<_>>()?;
        Ok(PersonPage { people, total })
    }

    /// The establishment's staff — teachers, education staff, the principal, administrators —
    /// whose accounts are active, by name: whom a meeting can invite from the directory.
    pub async fn staff_of(&self, establishment: &EstablishmentId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE p.establishment_id = ? AND p.disabled = 0 AND EXISTS                  (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role IN ('teacher', 'staff', 'principal', 'admin'))              ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.login"
        );
        let rows = sqlx::query(&sql).bind(establishment.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Everyone, by login: the administration command's listing.
    pub async fn all_people(&self) -> Result<Vec<Person>> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people p ORDER BY p.login");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }
}
