//! Establishments, divisions, groups, teaching assignments and the relations the policy needs.

use preau_core::demo::DemoSchool;
use preau_core::policy::{Actor, PersonFacts};
use preau_core::school::{Audience, Division, Establishment, Person};
use preau_core::{DivisionId, EstablishmentId, GroupId, Millis, PersonId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use crate::people::{NewPerson, PERSON_COLUMNS, insert_person, person_from_row};
use crate::{Result, Store, corrupt, like_pattern};

/// A division with its head count and head teacher, for overviews.
#[derive(Debug, Clone)]
pub struct DivisionSummary {
    pub division: Division,
    pub pupils: i64,
    pub head_teacher: Option<Person>,
}

/// One line of a teacher's service: a subject taught to a division or a group.
#[derive(Debug, Clone)]
pub struct TeachingLine {
    pub subject: String,
    pub audience: Audience,
    pub audience_name: String,
    pub pupils: i64,
}

fn division_from_row(row: &SqliteRow) -> Result<Division> {
    Ok(Division {
        id: row.try_get::<String, _>("id")?.parse().map_err(corrupt)?,
        establishment_id: row.try_get::<String, _>("establishment_id")?.parse().map_err(corrupt)?,
        name: row.try_get("name")?,
        level: row.try_get("level")?,
        head_teacher_id: row.try_get::<Option<String>, _>("head_teacher_id")?.map(|s| s.parse()).transpose().map_err(corrupt)?,
    })
}

async fn insert_establishment(conn: &mut SqliteConnection, e: &Establishment) -> Result<()> {
    sqlx::query("INSERT INTO establishments (id, uai, name, academie) VALUES (?, ?, ?, ?)")
        .bind(e.id.as_str())
        .bind(&e.uai)
        .bind(&e.name)
        .bind(&e.academie)
        .execute(conn)
        .await?;
    Ok(())
}

const DIVISION_COLUMNS: &str = "d.id, d.establishment_id, d.name, d.level, d.head_teacher_id";

impl Store {
    /// True when no establishment exists yet (a fresh data directory).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM establishments").fetch_one(&self.pool).await?;
        Ok(n == 0)
    }

    pub async fn establishment(&self, id: &EstablishmentId) -> Result<Option<Establishment>> {
        let row: Option<(String, String, String, String)> =
            sqlx::query_as("SELECT id, uai, name, academie FROM establishments WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(id, uai, name, academie)| Ok(Establishment { id: id.parse().map_err(corrupt)?, uai, name, academie }))
            .transpose()
    }

    pub async fn establishments(&self) -> Result<Vec<Establishment>> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, uai, name, academie FROM establishments ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, uai, name, academie)| Ok(Establishment { id: id.parse().map_err(corrupt)?, uai, name, academie }))
            .collect()
    }

    pub async fn create_establishment(&self, e: &Establishment) -> Result<()> {
        insert_establishment(&mut *self.pool.acquire().await?, e).await
    }

    /// Writes the whole demo school in one transaction, class rooms included; every account gets
    /// `password_hash`.
    pub async fn insert_demo(&self, s: &DemoSchool, password_hash: &str, now: Millis) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_establishment(&mut tx, &s.establishment).await?;
        for p in &s.people {
            let new = NewPerson {
                id: p.id.clone(),
                establishment_id: &p.establishment_id,
                login: &p.login,
                first_name: &p.first_name,
                last_name: &p.last_name,
                roles: p.roles,
                password_hash: Some(password_hash),
                now,
            };
            insert_person(&mut tx, &new).await?;
        }
        for sub in &s.subjects {
            sqlx::query("INSERT INTO subjects (id, establishment_id, code, name) VALUES (?, ?, ?, ?)")
                .bind(sub.id.as_str())
                .bind(sub.establishment_id.as_str())
                .bind(&sub.code)
                .bind(&sub.name)
                .execute(&mut *tx)
                .await?;
        }
        for d in &s.divisions {
            sqlx::query("INSERT INTO divisions (id, establishment_id, name, level, head_teacher_id) VALUES (?, ?, ?, ?, ?)")
                .bind(d.id.as_str())
                .bind(d.establishment_id.as_str())
                .bind(&d.name)
                .bind(&d.level)
                .bind(d.head_teacher_id.as_ref().map(|h| h.as_str()))
                .execute(&mut *tx)
                .await?;
        }
        for g in &s.groups {
            sqlx::query("INSERT INTO teaching_groups (id, establishment_id, name) VALUES (?, ?, ?)")
                .bind(g.id.as_str())
                .bind(g.establishment_id.as_str())
                .bind(&g.name)
                .execute(&mut *tx)
                .await?;
        }
        for (pupil, division) in &s.enrolments {
            sqlx::query("INSERT INTO enrolments (pupil_id, division_id) VALUES (?, ?)")
                .bind(pupil.as_str())
                .bind(division.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for (group, pupil) in &s.group_members {
            sqlx::query("INSERT INTO group_members (group_id, pupil_id) VALUES (?, ?)")
                .bind(group.as_str())
                .bind(pupil.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for (parent, pupil) in &s.parent_links {
            sqlx::query("INSERT INTO parent_links (parent_id, pupil_id) VALUES (?, ?)")
                .bind(parent.as_str())
                .bind(pupil.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for a in &s.assignments {
            let (division, group) = match &a.audience {
                Audience::Division(d) => (Some(d.as_str()), None),
                Audience::Group(g) => (None, Some(g.as_str())),
            };
            sqlx::query("INSERT INTO teaching_assignments (teacher_id, subject_id, division_id, group_id) VALUES (?, ?, ?, ?)")
                .bind(a.teacher_id.as_str())
                .bind(a.subject_id.as_str())
                .bind(division)
                .bind(group)
                .execute(&mut *tx)
                .await?;
        }
        // Every division and group has its permanent virtual classroom from the start.
        crate::rooms::insert_rooms(&mut tx, &s.rooms, now).await?;
        for c in &s.courses {
            crate::timetable::insert_course(&mut tx, &s.establishment.id, c).await?;
        }
        for h in &s.homework {
            crate::homework::insert_homework(&mut tx, h, &s.establishment.id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person as the policy sees them when they act: every relation in one query (a
    /// pupil's divisions and groups, a parent's children and their divisions and groups, a teacher's
    /// divisions and groups — head teacher included).
    pub async fn actor(&self, p: &Person) -> Result<Actor> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT 'own_division', division_id FROM enrolments WHERE pupil_id = ?1 \
             UNION ALL SELECT 'own_group', group_id FROM group_members WHERE pupil_id = ?1 \
             UNION ALL SELECT 'child', pupil_id FROM parent_links WHERE parent_id = ?1 \
             UNION ALL SELECT DISTINCT 'child_division', e.division_id FROM parent_links l \
                 JOIN enrolments e ON e.pupil_id = l.pupil_id WHERE l.parent_id = ?1 \
             UNION SELECT 'child_group', m.group_id FROM parent_links l \
                 JOIN group_members m ON m.pupil_id = l.pupil_id WHERE l.parent_id = ?1 \
             UNION SELECT 'taught_division', division_id FROM teaching_assignments \
                 WHERE teacher_id = ?1 AND division_id IS NOT NULL \
             UNION SELECT 'taught_division', id FROM divisions WHERE head_teacher_id = ?1 \
             UNION SELECT 'taught_group', group_id FROM teaching_assignments \
                 WHERE teacher_id = ?1 AND group_id IS NOT NULL",
        )
        .bind(p.id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut a = Actor {
            person_id: p.id.clone(),
            establishment_id: p.establishment_id.clone(),
            roles: p.roles,
            children: vec![],
            children_divisions: vec![],
            children_groups: vec![],
            own_divisions: vec![],
            own_groups: vec![],
            taught_divisions: vec![],
            taught_groups: vec![],
        };
        for (kind, id) in rows {
            match kind.as_str() {
                "own_division" => a.own_divisions.push(id.parse().map_err(corrupt)?),
                "own_group" => a.own_groups.push(id.parse().map_err(corrupt)?),
                "child" => a.children.push(id.parse().map_err(corrupt)?),
                "child_division" => a.children_divisions.push(id.parse().map_err(corrupt)?),
                "child_group" => a.children_groups.push(id.parse().map_err(corrupt)?),
                "taught_division" => a.taught_divisions.push(id.parse().map_err(corrupt)?),
                "taught_group" => a.taught_groups.push(id.parse().map_err(corrupt)?),
                other => return Err(corrupt(format!("relation kind {other}"))),
            }
        }
        Ok(a)
    }

    /// The person as the policy sees them when they are looked at.
    pub async fn person_facts(&self, p: &Person) -> Result<PersonFacts> {
        let a = self.actor(p).await?;
        Ok(PersonFacts {
            id: a.person_id,
            establishment_id: a.establishment_id,
            roles: a.roles,
            divisions: a.own_divisions,
            groups: a.own_groups,
            children_divisions: a.children_divisions,
            taught_divisions: a.taught_divisions,
            taught_groups: a.taught_groups,
        })
    }

    pub async fn division(&self, id: &DivisionId) -> Result<Option<Division>> {
        let sql = format!("SELECT {DIVISION_COLUMNS} FROM divisions d WHERE d.id = ?");
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(division_from_row).transpose()
    }

    /// Divisions of an establishment with head counts and head teachers, by name.
    pub async fn division_summaries(&self, establishment: &EstablishmentId) -> Result<Vec<DivisionSummary>> {
        Ok(self.search_divisions(establishment, "", 0, i64::MAX).await?.0)
    }

    /// The divisions directory: divisions whose name or level contains `query`, with head counts
    /// and head teachers, one page at a time; and how many match in all.
    pub async fn search_divisions(
        &self,
        establishment: &EstablishmentId,
        query: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DivisionSummary>, i64)> {
        let pattern = like_pattern(query);
        let filter = "d.establishment_id = ?1 AND (d.name LIKE ?2 ESCAPE '\\' OR d.level LIKE ?2 ESCAPE '\\')";
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM divisions d WHERE {filter}"))
            .bind(establishment.as_str())
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {DIVISION_COLUMNS}, (SELECT count(*) FROM enrolments e WHERE e.division_id = d.id) AS pupils \
             FROM divisions d WHERE {filter} ORDER BY d.name LIMIT ?3 OFFSET ?4"
        );
        let rows = sqlx::query(&sql).bind(establishment.as_str()).bind(&pattern).bind(limit).bind(offset.max(0)).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let division = division_from_row(row)?;
            let head_teacher = match &division.head_teacher_id {
                Some(h) => self.person(h).await?,
                None => None,
            };
            out.push(DivisionSummary { division, pupils: row.try_get("pupils")?, head_teacher });
        }
        Ok((out, total))
    }

    /// Head counts of an establishment by role.
    pub async fn head_counts(&self, establishment: &EstablishmentId) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT r.role, count(*) FROM person_roles r JOIN people p ON p.id = r.person_id \
             WHERE p.establishment_id = ? AND p.disabled = 0 GROUP BY r.role",
        )
        .bind(establishment.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Pupils of a division, by name.
    pub async fn division_pupils(&self, id: &DivisionId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN enrolments e ON e.pupil_id = p.id \
             WHERE e.division_id = ? ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql).bind(id.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Pupils of a teaching group, by name.
    pub async fn group_pupils(&self, id: &GroupId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN group_members m ON m.pupil_id = p.id \
             WHERE m.group_id = ? ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql).bind(id.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The teaching team of a division: each teacher with the subject taught, by subject.
    pub async fn division_team(&self, id: &DivisionId) -> Result<Vec<(Person, String)>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, s.name AS subject FROM teaching_assignments a \
             JOIN people p ON p.id = a.teacher_id JOIN subjects s ON s.id = a.subject_id \
             WHERE a.division_id = ? ORDER BY s.name"
        );
        let rows = sqlx::query(&sql).bind(id.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((person_from_row(r)?, r.try_get("subject")?))).collect()
    }

    /// A teacher's service: every subject they teach to a division or group, with head counts.
    pub async fn teaching_of(&self, teacher: &PersonId) -> Result<Vec<TeachingLine>> {
        let rows = sqlx::query(
            "SELECT s.name AS subject, a.division_id, a.group_id, coalesce(d.name, g.name) AS audience_name, \
                CASE WHEN a.division_id IS NOT NULL \
                  THEN (SELECT count(*) FROM enrolments e WHERE e.division_id = a.division_id) \
                  ELSE (SELECT count(*) FROM group_members m WHERE m.group_id = a.group_id) END AS pupils \
             FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id \
             LEFT JOIN divisions d ON d.id = a.division_id LEFT JOIN teaching_groups g ON g.id = a.group_id \
             WHERE a.teacher_id = ? ORDER BY audience_name, s.name",
        )
        .bind(teacher.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let audience = crate::audience_of(r)?;
                Ok(TeachingLine {
                    subject: r.try_get("subject")?,
                    audience,
                    audience_name: r.try_get("audience_name")?,
                    pupils: r.try_get("pupils")?,
                })
            })
            .collect()
    }

    /// Divisions a person is head teacher of.
    pub async fn head_teacher_of(&self, teacher: &PersonId) -> Result<Vec<Division>> {
        let sql = format!("SELECT {DIVISION_COLUMNS} FROM divisions d WHERE d.head_teacher_id = ? ORDER BY d.name");
        let rows = sqlx::query(&sql).bind(teacher.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(division_from_row).collect()
    }

    /// The divisions a pupil belongs to.
    pub async fn divisions_of_pupil(&self, pupil: &PersonId) -> Result<Vec<Division>> {
        let sql = format!(
            "SELECT {DIVISION_COLUMNS} FROM divisions d JOIN enrolments e ON e.division_id = d.id \
             WHERE e.pupil_id = ? ORDER BY d.name"
        );
        let rows = sqlx::query(&sql).bind(pupil.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(division_from_row).collect()
    }

    /// The pupils a parent is responsible for, by first name.
    pub async fn children_of(&self, parent: &PersonId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN parent_links l ON l.pupil_id = p.id \
             WHERE l.parent_id = ? ORDER BY p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql).bind(parent.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The active parents of a division's pupils, by name, each with their children in it
    /// ("Prénom Nom, Prénom Nom").
    pub async fn parents_in_division(&self, id: &DivisionId) -> Result<Vec<(Person, String)>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, group_concat(c.first_name || ' ' || c.last_name, ', ') AS children \
             FROM enrolments e JOIN parent_links l ON l.pupil_id = e.pupil_id \
             JOIN people p ON p.id = l.parent_id JOIN people c ON c.id = e.pupil_id \
             WHERE e.division_id = ? AND p.disabled = 0 \
             GROUP BY p.id ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql).bind(id.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((person_from_row(r)?, r.try_get("children")?))).collect()
    }

    /// The parents of a pupil.
    pub async fn parents_of(&self, pupil: &PersonId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN parent_links l ON l.parent_id = p.id \
             WHERE l.pupil_id = ? ORDER BY p.last_name, p.first_name"
        );
        let rows = sqlx::query(&sql).bind(pupil.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }
}
