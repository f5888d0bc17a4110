//! The timetable: courses (replaced whole by an import, or added and removed one by one) and
//! changes to single lessons.

use preau_core::booking::Date;
use preau_core::school::Audience;
use preau_core::timetable::{Change, Course, Weeks};
use preau_core::{CourseId, DivisionId, EstablishmentId, GroupId, Millis, PersonId, SubjectId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{Result, Store, corrupt};

/// A course with the names a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseLine {
    pub course: Course,
    pub subject_name: String,
    pub audience_name: String,
    pub teacher_name: String,
}

/// What the import resolves names against: subjects (id, code, name), classes and groups
/// (audience, name), teachers (id, login).
#[derive(Debug, Clone, Default)]
pub struct TimetableNames {
    pub subjects: Vec<(SubjectId, String, String)>,
    pub audiences: Vec<(Audience, String)>,
    pub teachers: Vec<(PersonId, String)>,
}

const COLUMNS: &str = "c.id, c.subject_id, c.teacher_id, c.division_id, c.group_id, c.room, c.weekday, c.start_time, c.end_time, c.weeks, \
     s.name AS subject_name, coalesce(d.name, g.name) AS audience_name, p.first_name || ' ' || p.last_name AS teacher_name";
const FROM: &str = "FROM courses c JOIN subjects s ON s.id = c.subject_id JOIN people p ON p.id = c.teacher_id \
     LEFT JOIN divisions d ON d.id = c.division_id LEFT JOIN teaching_groups g ON g.id = c.group_id";

fn weekday(n: i64) -> Result<preau_core::timetable::Weekday> {
    preau_core::timetable::Weekday::from_monday_one_offset(n as i8).map_err(corrupt)
}

fn line_from_row(r: &SqliteRow) -> Result<CourseLine> {
    let id: String = r.try_get("id")?;
    let subject: String = r.try_get("subject_id")?;
    let teacher: String = r.try_get("teacher_id")?;
    let audience = crate::audience_of(r)?;
    let start: String = r.try_get("start_time")?;
    let end: String = r.try_get("end_time")?;
    let weeks: String = r.try_get("weeks")?;
    Ok(CourseLine {
        course: Course {
            id: id.parse().map_err(corrupt)?,
            subject: subject.parse().map_err(corrupt)?,
            teacher: teacher.parse().map_err(corrupt)?,
            audience,
            room: r.try_get("room")?,
            weekday: weekday(r.try_get("weekday")?)?,
            start: start.parse().map_err(corrupt)?,
            end: end.parse().map_err(corrupt)?,
            weeks: Weeks::parse(&weeks).ok_or_else(|| corrupt(format!("weeks {weeks}")))?,
        },
        subject_name: r.try_get("subject_name")?,
        audience_name: r.try_get("audience_name")?,
        teacher_name: r.try_get("teacher_name")?,
    })
}

pub(crate) async fn insert_course(tx: &mut sqlx::SqliteConnection, establishment: &EstablishmentId, c: &Course) -> Result<()> {
    let (division, group) = crate::audience_columns(&c.audience);
    sqlx::query(
        "INSERT INTO courses (id, establishment_id, subject_id, teacher_id, division_id, group_id, room, weekday, start_time, end_time, weeks) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.id.as_str())
    .bind(establishment.as_str())
    .bind(c.subject.as_str())
    .bind(c.teacher.as_str())
    .bind(division)
    .bind(group)
    .bind(&c.room)
    .bind(i64::from(c.weekday.to_monday_one_offset()))
    .bind(c.start.strftime("%H:%M").to_string())
    .bind(c.end.strftime("%H:%M").to_string())
    .bind(c.weeks.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// The names an import resolves against.
    pub async fn timetable_names(&self, establishment: &EstablishmentId) -> Result<TimetableNames> {
        let e = establishment.as_str();
        let subjects: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, code, name FROM subjects WHERE establishment_id = ?").bind(e).fetch_all(&self.pool).await?;
        let divisions: Vec<(String, String)> =
            sqlx::query_as("SELECT id, name FROM divisions WHERE establishment_id = ?").bind(e).fetch_all(&self.pool).await?;
        let groups: Vec<(String, String)> =
            sqlx::query_as("SELECT id, name FROM teaching_groups WHERE establishment_id = ?").bind(e).fetch_all(&self.pool).await?;
        let teachers: Vec<(String, String)> = sqlx::query_as(
            "SELECT p.id, p.login FROM people p JOIN person_roles r ON r.person_id = p.id WHERE p.establishment_id = ? AND r.role = 'teacher'",
        )
        .bind(e)
        .fetch_all(&self.pool)
        .await?;
        let mut names = TimetableNames::default();
        for (id, code, name) in subjects {
            names.subjects.push((id.parse().map_err(corrupt)?, code, name));
        }
        for (id, name) in divisions {
            names.audiences.push((Audience::Division(id.parse::<DivisionId>().map_err(corrupt)?), name));
        }
        for (id, name) in groups {
            names.audiences.push((Audience::Group(id.parse::<GroupId>().map_err(corrupt)?), name));
        }
        for (id, login) in teachers {
            names.teachers.push((id.parse().map_err(corrupt)?, login));
        }
        Ok(names)
    }

    /// Replaces the establishment's whole timetable (an import): all or nothing.
    pub async fn replace_timetable(&self, establishment: &EstablishmentId, courses: &[Course]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM courses WHERE establishment_id = ?").bind(establishment.as_str()).execute(&mut *tx).await?;
        for c in courses {
            insert_course(&mut tx, establishment, c).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_course(&self, establishment: &EstablishmentId, c: &Course) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_course(&mut tx, establishment, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a course of the establishment; answers whether there was one.
    pub async fn delete_course(&self, establishment: &EstablishmentId, id: &CourseId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM courses WHERE id = ? AND establishment_id = ?")
            .bind(id.as_str())
            .bind(establishment.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A course and its establishment.
    pub async fn course(&self, id: &CourseId) -> Result<Option<(CourseLine, EstablishmentId)>> {
        let sql = format!("SELECT {COLUMNS}, c.establishment_id {FROM} WHERE c.id = ?");
        let Some(r) = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await? else { return Ok(None) };
        let e: String = r.try_get("establishment_id")?;
        Ok(Some((line_from_row(&r)?, e.parse().map_err(corrupt)?)))
    }

    /// The establishment's courses, by class, weekday and hour.
    pub async fn courses_of_establishment(&self, establishment: &EstablishmentId) -> Result<Vec<CourseLine>> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE c.establishment_id = ? ORDER BY audience_name, c.weekday, c.start_time");
        sqlx::query(&sql).bind(establishment.as_str()).fetch_all(&self.pool).await?.iter().map(line_from_row).collect()
    }

    /// The courses of these classes and groups, or taught by `teacher`.
    pub async fn courses_for(&self, audiences: &[Audience], teacher: Option<&PersonId>) -> Result<Vec<CourseLine>> {
        let (divisions, groups) = crate::json_audiences(audiences);
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE c.division_id IN (SELECT value FROM json_each(?1)) OR c.group_id IN (SELECT value FROM json_each(?2)) \
             OR c.teacher_id = ?3 ORDER BY c.weekday, c.start_time"
        );
        sqlx::query(&sql)
            .bind(divisions)
            .bind(groups)
            .bind(teacher.map(|t| t.as_str()))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(line_from_row)
            .collect()
    }

    /// Cancels a lesson, holds it as a virtual class, or (None) puts it back as planned.
    pub async fn set_lesson_change(&self, course: &CourseId, date: Date, change: Option<Change>, by: &PersonId, now: Millis) -> Result<()> {
        match change {
            None => {
                sqlx::query("DELETE FROM lesson_changes WHERE course_id = ? AND lesson_date = ?")
                    .bind(course.as_str())
                    .bind(date.to_string())
                    .execute(&self.pool)
                    .await?;
            }
            Some(c) => {
                sqlx::query(
                    "INSERT INTO lesson_changes (course_id, lesson_date, change, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (course_id, lesson_date) DO UPDATE SET change = ?3, changed_by = ?4, changed_at = ?5",
                )
                .bind(course.as_str())
                .bind(date.to_string())
                .bind(c.as_str())
                .bind(by.as_str())
                .bind(now)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// The changes to these courses' lessons from `from` to `to` (dates, inclusive).
    pub async fn lesson_changes(&self, courses: &[CourseId], from: Date, to: Date) -> Result<Vec<(CourseId, Date, Change)>> {
        Ok(self.lesson_notes(courses, from, to).await?.0)
    }

    /// What was noted of these courses' lessons from `from` to `to` (dates, inclusive), in one
    /// query: their changes, and what they covered.
    #[allow(clippy::type_complexity)]
    pub async fn lesson_notes(&self, courses: &[CourseId], from: Date, to: Date) -> Result<(Vec<(CourseId, Date, Change)>, Vec<(CourseId, Date, String)>)> {
        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT course_id, lesson_date, change, NULL FROM lesson_changes \
                 WHERE course_id IN (SELECT value FROM json_each(?1)) AND lesson_date BETWEEN ?2 AND ?3 \
             UNION ALL SELECT course_id, lesson_date, NULL, content FROM lesson_contents \
                 WHERE course_id IN (SELECT value FROM json_each(?1)) AND lesson_date BETWEEN ?2 AND ?3",
        )
        .bind(crate::json_ids(courses.iter().map(|c| c.as_str())))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let (mut changes, mut contents) = (vec![], vec![]);
        for (c, d, change, content) in rows {
            let (course, date): (CourseId, Date) = (c.parse().map_err(corrupt)?, d.parse().map_err(corrupt)?);
            match (change, content) {
                (Some(c), _) => changes.push((course, date, Change::parse(&c).ok_or_else(|| corrupt(format!("lesson change {c}")))?)),
                (None, Some(text)) => contents.push((course, date, text)),
                (None, None) => return Err(corrupt("a lesson note without content")),
            }
        }
        Ok((changes, contents))
    }

    /// Writes what a lesson covered (empty: nothing recorded any more).
    pub async fn set_lesson_content(&self, course: &CourseId, date: Date, content: &str, by: &PersonId, now: Millis) -> Result<()> {
        if content.is_empty() {
            sqlx::query("DELETE FROM lesson_contents WHERE course_id = ? AND lesson_date = ?").bind(course.as_str()).bind(date.to_string()).execute(&self.pool).await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO lesson_contents (course_id, lesson_date, content, written_by, written_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (course_id, lesson_date) DO UPDATE SET content = ?3, written_by = ?4, written_at = ?5",
        )
        .bind(course.as_str())
        .bind(date.to_string())
        .bind(content)
        .bind(by.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
