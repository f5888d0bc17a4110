//! The timetable (« emploi du temps »): weekly courses of a division or a group — subject,
//! teacher, room, weekday, hours, every week or week A or B — and the day's lessons they give,
//! a lesson cancelled or held as a virtual class on a given date. The CSV template the
//! administration imports is read here too (its syntax; names are resolved by the caller).

pub use jiff::civil::{Date, Time, Weekday};

use crate::school::Audience;
use crate::{CourseId, PersonId, SubjectId};

/// Which weeks a course is held: every week, or week A or B. Week A is an odd ISO week number,
/// week B an even one (the calendar most French schools print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weeks {
    All,
    A,
    B,
}

impl Weeks {
    pub fn as_str(self) -> &'static str {
        match self {
            Weeks::All => "",
            Weeks::A => "A",
            Weeks::B => "B",
        }
    }

    pub fn parse(s: &str) -> Option<Weeks> {
        match s.trim().to_ascii_uppercase().as_str() {
            "" => Some(Weeks::All),
            "A" => Some(Weeks::A),
            "B" => Some(Weeks::B),
            _ => None,
        }
    }

    /// Whether the course is held in the week of `date`.
    pub fn holds(self, date: Date) -> bool {
        let odd = date.iso_week_date().week() % 2 == 1;
        match self {
            Weeks::All => true,
            Weeks::A => odd,
            Weeks::B => !odd,
        }
    }
}

/// A weekly course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: CourseId,
    pub subject: SubjectId,
    pub teacher: PersonId,
    pub audience: Audience,
    pub room: String,
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
    pub weeks: Weeks,
}

/// What became of one lesson of a course, on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Cancelled,
    /// Held in the class's virtual classroom instead.
    Virtual,
}

impl Change {
    /// Its name in forms and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Cancelled => "cancelled",
            Change::Virtual => "virtual",
        }
    }

    pub fn parse(s: &str) -> Option<Change> {
        [Change::Cancelled, Change::Virtual].into_iter().find(|c| c.as_str() == s)
    }
}

/// A course's lesson on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson<'a> {
    pub course: &'a Course,
    pub date: Date,
    pub change: Option<Change>,
}

/// The lessons of `courses` on `date`, by start time; `changes` are (course, date, change).
pub fn lessons_on<'a>(courses: &'a [Course], date: Date, changes: &[(CourseId, Date, Change)]) -> Vec<Lesson<'a>> {
    let mut out: Vec<Lesson<'a>> = courses
        .iter()
        .filter(|c| c.weekday == date.weekday() && c.weeks.holds(date))
        .map(|c| Lesson { course: c, date, change: changes.iter().find(|(id, d, _)| *id == c.id && *d == date).map(|(_, _, ch)| *ch) })
        .collect();
    out.sort_by_key(|l| (l.course.start, l.course.end));
    out
}

/// The French name of a weekday, as the template writes it ("lundi"…).
pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "lundi",
        Weekday::Tuesday => "mardi",
        Weekday::Wednesday => "mercredi",
        Weekday::Thursday => "jeudi",
        Weekday::Friday => "vendredi",
        Weekday::Saturday => "samedi",
        Weekday::Sunday => "dimanche",
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_lowercase();
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday]
        .into_iter()
        .find(|d| weekday_name(*d) == s)
}

/// "8:00", "08:00", "8h00", "8h".
pub fn parse_time(s: &str) -> Option<Time> {
    let s = s.trim().to_lowercase().replace('h', ":");
    let (h, m) = s.split_once(':').unwrap_or((&s, "0"));
    let m = if m.is_empty() { "0" } else { m };
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok().filter(|t| t.hour() < 24)
}

/// The columns of the CSV template, in order.
pub const CSV_COLUMNS: [&str; 8] = ["matiere", "professeur", "classe", "salle", "jour", "debut", "fin", "semaine"];

/// One line of the CSV, checked for its syntax: names left for the caller to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLine {
    /// Its line number in the file (1 is the header).
    pub line: usize,
    /// A subject's code or name.
    pub subject: String,
    /// A teacher's login.
    pub teacher: String,
    /// A division's or group's name.
    pub audience: String,
    pub room: String,
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
    pub weeks: Weeks,
}

/// What is wrong with a line: its number and the message id of the reason (with the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub reason: &'static str,
    pub value: String,
}

/// Most lines one import takes.
pub const MAX_LINES: usize = 5000;

/// Reads the CSV template (`;` or `,` separated, UTF-8, header line first): every line, or
/// every error — an import takes all its lines or none.
pub fn parse_csv(text: &str) -> Result<Vec<CsvLine>, Vec<CsvError>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let err = |line: usize, reason: &'static str, value: &str| CsvError { line, reason, value: value.chars().take(60).collect() };
    let Some((_, header)) = lines.next() else { return Err(vec![err(1, "timetable-csv-empty", "")]) };
    let sep = if header.contains(';') { ';' } else { ',' };
    let names: Vec<String> = header.split(sep).map(|h| h.trim().to_lowercase()).collect();
    if names != CSV_COLUMNS {
        return Err(vec![err(1, "timetable-csv-header", header)]);
    }
    let (mut out, mut errors) = (vec![], vec![]);
    for (i, raw) in lines {
        let n = i + 1;
        if out.len() + errors.len() >= MAX_LINES {
            errors.push(err(n, "timetable-csv-too-long", ""));
            break;
        }
        let cells: Vec<&str> = raw.split(sep).map(str::trim).collect();
        if cells.len() != CSV_COLUMNS.len() {
            errors.push(err(n, "timetable-csv-columns", raw));
            continue;
        }
        if cells.iter().any(|c| c.chars().any(char::is_control)) {
            errors.push(err(n, "timetable-csv-control", raw));
            continue;
        }
        for (k, what) in [(0, "timetable-csv-subject"), (1, "timetable-csv-teacher"), (2, "timetable-csv-class")] {
            if cells[k].is_empty() {
                errors.push(err(n, what, ""));
            }
        }
        let weekday = parse_weekday(cells[4]);
        if weekday.is_none() {
            errors.push(err(n, "timetable-csv-day", cells[4]));
        }
        let (start, end) = (parse_time(cells[5]), parse_time(cells[6]));
        if start.is_none() {
            errors.push(err(n, "timetable-csv-time", cells[5]));
        }
        if end.is_none() {
            errors.push(err(n, "timetable-csv-time", cells[6]));
        }
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            errors.push(err(n, "timetable-csv-order", &format!("{} – {}", cells[5], cells[6])));
        }
        let weeks = Weeks::parse(cells[7]);
        if weeks.is_none() {
            errors.push(err(n, "timetable-csv-week", cells[7]));
        }
        if cells[3].chars().count() > 40 {
            errors.push(err(n, "timetable-csv-room", cells[3]));
        }
        if let (Some(weekday), Some(start), Some(end), Some(weeks), false) =
            (weekday, start, end, weeks, cells[..3].iter().any(|c| c.is_empty()))
            && end > start
            && cells[3].chars().count() <= 40
        {
            out.push(CsvLine {
                line: n,
                subject: cells[0].to_owned(),
                teacher: cells[1].to_owned(),
                audience: cells[2].to_owned(),
                room: cells[3].to_owned(),
                weekday,
                start,
                end,
                weeks,
            });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionId;
    use jiff::civil::{date, time};

    fn course(n: u128, weekday: Weekday, start: Time, weeks: Weeks) -> Course {
        Course {
            id: CourseId::new(1, n),
            subject: SubjectId::new(1, 2),
            teacher: PersonId::new(1, 3),
            audience: Audience::Division(DivisionId::new(1, 4)),
            room: "B12".into(),
            weekday,
            start,
            end: start + jiff::Span::new().hours(1),
            weeks,
        }
    }

    #[test]
    fn a_days_lessons_follow_the_weekday_week_a_or_b_and_the_changes() {
        let courses = [
            course(1, Weekday::Monday, time(10, 0, 0, 0), Weeks::All),
            course(2, Weekday::Monday, time(8, 0, 0, 0), Weeks::A),
            course(3, Weekday::Monday, time(9, 0, 0, 0), Weeks::B),
            course(4, Weekday::Tuesday, time(8, 0, 0, 0), Weeks::All),
        ];
        // Monday 7 September 2026 is in ISO week 37 (odd: week A); the 14th in week 38 (B).
        let (a, b) = (date(2026, 9, 7), date(2026, 9, 14));
        let ids = |ls: &[Lesson<'_>]| ls.iter().map(|l| l.course.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&lessons_on(&courses, a, &[])), [CourseId::new(1, 2), CourseId::new(1, 1)], "by start time");
        assert_eq!(ids(&lessons_on(&courses, b, &[])), [CourseId::new(1, 3), CourseId::new(1, 1)]);
        let changes = [(CourseId::new(1, 1), a, Change::Cancelled), (CourseId::new(1, 1), b, Change::Virtual)];
        assert_eq!(lessons_on(&courses, a, &changes)[1].change, Some(Change::Cancelled));
        assert_eq!(lessons_on(&courses, b, &changes)[1].change, Some(Change::Virtual));
        assert!(lessons_on(&courses, date(2026, 9, 13), &changes).is_empty(), "Sunday");
    }

    #[test]
    fn the_csv_template_is_read_whole_or_every_error_is_named() {
        let good = "\u{feff}matiere;professeur;classe;salle;jour;debut;fin;semaine\n\
                    MATHS;m.martin;6e A;B12;lundi;8:00;9h;\n\
                    \n\
                    Anglais;a.durand;Latin 5e;;Mardi;10h30;11:30;a\n";
        let lines = parse_csv(good).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].line, lines[0].weekday, lines[0].start, lines[0].end), (2, Weekday::Monday, time(8, 0, 0, 0), time(9, 0, 0, 0)));
        assert_eq!((lines[1].line, lines[1].weeks, lines[1].room.as_str()), (4, Weeks::A, ""));
        let bad = "matiere,professeur,classe,salle,jour,debut,fin,semaine\n\
                   MATHS,m.martin,6e A,B12,dimanche,8:00,9:00,\n\
                   MATHS,m.martin,6e A,B12,lundi,9:00,8:00,C\n\
                   MATHS,,6e A,B12,lundi,25:00,9:00,\n\
                   MATHS,m.martin,6e A\n";
        let errors = parse_csv(bad).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.reason)).collect();
        assert_eq!(got, [
            (2, "timetable-csv-day"),
            (3, "timetable-csv-order"),
            (3, "timetable-csv-week"),
            (4, "timetable-csv-teacher"),
            (4, "timetable-csv-time"),
            (5, "timetable-csv-columns"),
        ]);
        assert_eq!(parse_csv("jour;debut\n").unwrap_err()[0].reason, "timetable-csv-header");
        assert_eq!(parse_csv("").unwrap_err()[0].reason, "timetable-csv-empty");
    }
}
