//! The homework diary: homework, pupils' ticks, what they hand in and the feedback on it. Each
//! change and its files are written together: the files first (see `files.rs`), then one
//! transaction with every row.

use preau_core::booking::{Date, DateTime};
use preau_core::homework::{HandIn, Homework, Submission};
use preau_core::school::{Audience, TeachingAssignment};
use preau_core::{EstablishmentId, HomeworkId, Millis, PersonId, SubmissionId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::files::{self, Role, Upload};
use crate::{Result, Store, StoreError, corrupt};

/// Why a hand-in was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandInRefused {
    /// The teacher already returned feedback on the work handed in.
    AlreadyReturned,
}

/// A teacher's assignment with the names a form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentLine {
    pub assignment: TeachingAssignment,
    pub audience_name: String,
    pub subject_name: String,
}

/// A homework as lists show it: with its subject's and class's names, and whether the pupil
/// asking ticked it or handed it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeworkLine {
    pub homework: Homework,
    pub subject_name: String,
    pub audience_name: String,
    pub done: bool,
    pub handed_in: bool,
}

const COLUMNS: &str = "h.id, h.division_id, h.group_id, h.subject_id, h.teacher_id, h.set_on, h.due_local, h.instructions, \
     h.minutes, h.publish_at, h.hand_in, h.late_allowed";

fn homework_from_row(r: &SqliteRow) -> Result<Homework> {
    let id: String = r.try_get("id")?;
    let audience = crate::audience_of(r)?;
    let subject: String = r.try_get("subject_id")?;
    let teacher: String = r.try_get("teacher_id")?;
    let set_on: String = r.try_get("set_on")?;
    let due: String = r.try_get("due_local")?;
    let minutes: Option<i64> = r.try_get("minutes")?;
    Ok(Homework {
        id: id.parse().map_err(corrupt)?,
        audience,
        subject: subject.parse().map_err(corrupt)?,
        teacher: teacher.parse().map_err(corrupt)?,
        set_on: set_on.parse::<Date>().map_err(corrupt)?,
        instructions: r.try_get("instructions")?,
        due: due.parse::<DateTime>().map_err(corrupt)?,
        minutes: minutes.map(|m| u16::try_from(m).map_err(corrupt)).transpose()?,
        publish_at: r.try_get("publish_at")?,
        hand_in: match (r.try_get::<bool, _>("hand_in")?, r.try_get::<bool, _>("late_allowed")?) {
            (false, _) => HandIn::No,
            (true, late_allowed) => HandIn::Yes { late_allowed },
        },
    })
}

fn submission_from_row(r: &SqliteRow) -> Result<Submission> {
    let id: String = r.try_get("id")?;
    let homework: String = r.try_get("homework_id")?;
    let pupil: String = r.try_get("pupil_id")?;
    Ok(Submission {
        id: id.parse().map_err(corrupt)?,
        homework: homework.parse().map_err(corrupt)?,
        pupil: pupil.parse().map_err(corrupt)?,
        text: r.try_get("text")?,
        submitted_at: r.try_get("submitted_at")?,
        late: r.try_get("late")?,
        feedback: r.try_get("feedback")?,
        returned_at: r.try_get("returned_at")?,
    })
}

/// The `hand_in` and `late_allowed` columns.
fn hand_in_columns(h: HandIn) -> (bool, bool) {
    match h {
        HandIn::No => (false, false),
        HandIn::Yes { late_allowed } => (true, late_allowed),
    }
}

impl Store {
    /// What a teacher teaches, to which class or group, with the names a form shows.
    pub async fn assignments_of(&self, teacher: &PersonId) -> Result<Vec<AssignmentLine>> {
        let rows = sqlx::query(
            "SELECT a.subject_id, a.division_id, a.group_id, s.name AS subject_name, coalesce(d.name, g.name) AS audience_name \
             FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id \
             LEFT JOIN divisions d ON d.id = a.division_id LEFT JOIN teaching_groups g ON g.id = a.group_id \
             WHERE a.teacher_id = ? ORDER BY audience_name, s.name",
        )
        .bind(teacher.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let subject: String = r.try_get("subject_id")?;
                let audience = crate::audience_of(r)?;
                Ok(AssignmentLine {
                    assignment: TeachingAssignment { teacher_id: teacher.clone(), subject_id: subject.parse().map_err(corrupt)?, audience },
                    audience_name: r.try_get("audience_name")?,
                    subject_name: r.try_get("subject_name")?,
                })
            })
            .collect()
    }

    /// Sets a homework (checked by the caller) with its files, all or nothing.
    pub async fn add_homework(&self, h: &Homework, establishment: &EstablishmentId, uploads: &[Upload], now: Millis) -> Result<()> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin().await?;
        insert_homework(&mut tx, h, establishment, now).await?;
        files::attach(&mut tx, h.id.as_str(), Role::Homework, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a homework (checked by the caller; its class, subject and teacher stay) and adds
    /// files to it, all or nothing.
    pub async fn update_homework(&self, h: &Homework, uploads: &[Upload], now: Millis) -> Result<()> {
        let hashes = self.put_files(uploads).await?;
        let due_at = h.due_at().map_err(|e| corrupt(e.to_string()))?;
        let (hand_in, late_allowed) = hand_in_columns(h.hand_in);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE homework SET set_on = ?, due_local = ?, due_at = ?, instructions = ?, minutes = ?, publish_at = ?, hand_in = ?, late_allowed = ? \
             WHERE id = ?",
        )
        .bind(h.set_on.to_string())
        .bind(h.due.to_string())
        .bind(due_at)
        .bind(&h.instructions)
        .bind(h.minutes.map(i64::from))
        .bind(h.publish_at)
        .bind(hand_in)
        .bind(late_allowed)
        .bind(h.id.as_str())
        .execute(&mut *tx)
        .await?;
        files::attach(&mut tx, h.id.as_str(), Role::Homework, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a homework nobody handed in yet (false, and nothing changes, once someone has:
    /// their work is theirs), with its files' attachments and the notifications about it.
    pub async fn delete_homework(&self, id: &HomeworkId) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let handed: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM submissions WHERE homework_id = ?)").bind(id.as_str()).fetch_one(&mut *tx).await?;
        if handed {
            return Ok(false);
        }
        files::detach(&mut tx, id.as_str(), Role::Homework).await?;
        sqlx::query("DELETE FROM notifications WHERE link = ?").bind(format!("/homework/{id}")).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM homework WHERE id = ?").bind(id.as_str()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The names of a homework's subject and class or group, as they are now.
    pub async fn homework_names(&self, h: &Homework) -> Result<(String, String)> {
        let (division, group) = crate::audience_columns(&h.audience);
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT s.name, coalesce((SELECT name FROM divisions WHERE id = ?2), (SELECT name FROM teaching_groups WHERE id = ?3), '') \
             FROM subjects s WHERE s.id = ?1",
        )
        .bind(h.subject.as_str())
        .bind(division)
        .bind(group)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// A homework and the establishment it belongs to.
    pub async fn homework(&self, id: &HomeworkId) -> Result<Option<(Homework, EstablishmentId)>> {
        let sql = format!("SELECT {COLUMNS}, h.establishment_id FROM homework h WHERE h.id = ?");
        let Some(row) = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await? else { return Ok(None) };
        let establishment: String = row.try_get("establishment_id")?;
        Ok(Some((homework_from_row(&row)?, establishment.parse().map_err(corrupt)?)))
    }

    /// The homework of these divisions and groups due from `from` on, soonest first: for
    /// pupils and parents only what is published at `published_at`, for teachers (`None`)
    /// everything. `pupil` says which ones that pupil ticked or handed in.
    pub async fn homework_due(
        &self,
        audiences: &[Audience],
        from: Millis,
        published_at: Option<Millis>,
        pupil: Option<&PersonId>,
        limit: i64,
    ) -> Result<Vec<HomeworkLine>> {
        let (divisions, groups) = crate::json_audiences(audiences);
        let sql = format!(
            "SELECT {COLUMNS}, s.name AS subject_name, coalesce(d.name, g.name) AS audience_name, \
                EXISTS (SELECT 1 FROM homework_done x WHERE x.homework_id = h.id AND x.pupil_id = ?5) AS done, \
                EXISTS (SELECT 1 FROM submissions x WHERE x.homework_id = h.id AND x.pupil_id = ?5) AS handed_in \
             FROM homework h JOIN subjects s ON s.id = h.subject_id \
             LEFT JOIN divisions d ON d.id = h.division_id LEFT JOIN teaching_groups g ON g.id = h.group_id \
             WHERE (h.division_id IN (SELECT value FROM json_each(?1)) OR h.group_id IN (SELECT value FROM json_each(?2))) \
               AND h.due_at >= ?3 AND (?4 IS NULL OR h.publish_at <= ?4) \
             ORDER BY h.due_at, s.name, h.id LIMIT ?6"
        );
        let rows = sqlx::query(&sql)
            .bind(divisions)
            .bind(groups)
            .bind(from)
            .bind(published_at)
            .bind(pupil.map(|p| p.as_str()))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(HomeworkLine {
                    homework: homework_from_row(r)?,
                    subject_name: r.try_get("subject_name")?,
                    audience_name: r.try_get("audience_name")?,
                    done: r.try_get("done")?,
                    handed_in: r.try_get("handed_in")?,
                })
            })
            .collect()
    }

    /// A pupil ticks a homework done, or takes the tick back.
    pub async fn set_homework_done(&self, homework: &HomeworkId, pupil: &PersonId, done: bool, now: Millis) -> Result<()> {
        let q = if done {
            sqlx::query("INSERT INTO homework_done (homework_id, pupil_id, done_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
        } else {
            sqlx::query("DELETE FROM homework_done WHERE homework_id = ?1 AND pupil_id = ?2 AND ?3 IS NOT NULL")
        };
        q.bind(homework.as_str()).bind(pupil.as_str()).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn homework_done(&self, homework: &HomeworkId, pupil: &PersonId) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM homework_done WHERE homework_id = ? AND pupil_id = ?")
            .bind(homework.as_str())
            .bind(pupil.as_str())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Takes a pupil's work (checked by the caller: the homework takes it now, `s.late` says
    /// whether late) with its files, replacing what they handed in before — unless the teacher
    /// already returned feedback on it. The work handed in counts as the homework done.
    pub async fn hand_in(&self, s: &Submission, uploads: &[Upload], now: Millis) -> Result<Result<SubmissionId, HandInRefused>> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin().await?;
        // One statement decides, so a feedback returned meanwhile cannot be overwritten: the
        // work is replaced only while nothing was returned on it.
        let written = sqlx::query(
            "INSERT INTO submissions (id, homework_id, pupil_id, text, submitted_at, late) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (homework_id, pupil_id) DO UPDATE SET text = ?4, submitted_at = ?5, late = ?6 WHERE returned_at IS NULL",
        )
        .bind(s.id.as_str())
        .bind(s.homework.as_str())
        .bind(s.pupil.as_str())
        .bind(&s.text)
        .bind(s.submitted_at)
        .bind(s.late)
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() == 0 {
            return Ok(Err(HandInRefused::AlreadyReturned));
        }
        let id: String = sqlx::query_scalar("SELECT id FROM submissions WHERE homework_id = ? AND pupil_id = ?")
            .bind(s.homework.as_str())
            .bind(s.pupil.as_str())
            .fetch_one(&mut *tx)
            .await?;
        files::detach(&mut tx, &id, Role::Work).await?;
        files::attach(&mut tx, &id, Role::Work, uploads, &hashes, now).await?;
        sqlx::query("INSERT INTO homework_done (homework_id, pupil_id, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(s.homework.as_str())
            .bind(s.pupil.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(id.parse().map_err(corrupt)?))
    }

    /// What a pupil handed in for a homework, if anything.
    pub async fn submission_of(&self, homework: &HomeworkId, pupil: &PersonId) -> Result<Option<Submission>> {
        let row = sqlx::query("SELECT * FROM submissions WHERE homework_id = ? AND pupil_id = ?")
            .bind(homework.as_str())
            .bind(pupil.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    pub async fn submission(&self, id: &SubmissionId) -> Result<Option<Submission>> {
        let row = sqlx::query("SELECT * FROM submissions WHERE id = ?").bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(submission_from_row).transpose()
    }

    /// Everything handed in for a homework, first handed in first.
    pub async fn submissions(&self, homework: &HomeworkId) -> Result<Vec<Submission>> {
        let rows = sqlx::query("SELECT * FROM submissions WHERE homework_id = ? ORDER BY submitted_at, id")
            .bind(homework.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(submission_from_row).collect()
    }

    /// The teacher returns feedback on a submission (text and files; returned again, it is
    /// replaced) — on the work handed in at `seen` (what the teacher read): if the pupil handed
    /// in again since, nothing is written. Answers whether it was written.
    pub async fn return_feedback(&self, id: &SubmissionId, seen: Millis, text: &str, uploads: &[Upload], now: Millis) -> Result<bool> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE submissions SET feedback = ?, returned_at = ? WHERE id = ? AND submitted_at = ?")
            .bind(text)
            .bind(now)
            .bind(id.as_str())
            .bind(seen)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        files::detach(&mut tx, id.as_str(), Role::Feedback).await?;
        files::attach(&mut tx, id.as_str(), Role::Feedback, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The pupils a homework is for, by name.
    pub async fn pupils_of(&self, audience: &Audience) -> Result<Vec<preau_core::school::Person>> {
        match audience {
            Audience::Division(d) => self.division_pupils(d).await,
            Audience::Group(g) => self.group_pupils(g).await,
        }
    }
}

/// Writes a homework's row (in the caller's transaction); an id taken is an error.
pub(crate) async fn insert_homework(tx: &mut sqlx::SqliteConnection, h: &Homework, establishment: &EstablishmentId, now: Millis) -> Result<()> {
    let due_at = h.due_at().map_err(|e| corrupt(e.to_string()))?;
    let (division, group) = crate::audience_columns(&h.audience);
    let (hand_in, late_allowed) = hand_in_columns(h.hand_in);
    let inserted = sqlx::query(
        "INSERT INTO homework (id, establishment_id, division_id, group_id, subject_id, teacher_id, set_on, due_local, due_at, \
             instructions, minutes, publish_at, hand_in, late_allowed, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(h.id.as_str())
    .bind(establishment.as_str())
    .bind(division)
    .bind(group)
    .bind(h.subject.as_str())
    .bind(h.teacher.as_str())
    .bind(h.set_on.to_string())
    .bind(h.due.to_string())
    .bind(due_at)
    .bind(&h.instructions)
    .bind(h.minutes.map(i64::from))
    .bind(h.publish_at)
    .bind(hand_in)
    .bind(late_allowed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::IdTaken(h.id.to_string()));
    }
    Ok(())
}
