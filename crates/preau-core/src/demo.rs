//! The demo school: a realistic collège generated deterministically from a fixed seed, so every
//! `preau demo` shows the same school and tests can name its people.

use crate::ids::*;
use crate::school::*;

/// Every record of the demo school, ready for the store.
#[derive(Debug, Clone)]
pub struct DemoSchool {
    pub establishment: Establishment,
    pub subjects: Vec<Subject>,
    pub divisions: Vec<Division>,
    pub groups: Vec<TeachingGroup>,
    /// Everyone, in the order the demo listing prints them.
    pub people: Vec<Person>,
    pub enrolments: Vec<(PersonId, DivisionId)>,
    pub group_members: Vec<(GroupId, PersonId)>,
    /// (parent, pupil)
    pub parent_links: Vec<(PersonId, PersonId)>,
    pub assignments: Vec<TeachingAssignment>,
    /// The weekly timetable: two lessons a week of each class subject, one of each group's.
    pub courses: Vec<crate::timetable::Course>,
    /// A few homework for the coming days, published.
    pub homework: Vec<crate::homework::Homework>,
    /// The permanent virtual classroom of every division and group.
    pub rooms: Vec<Room>,
}

/// SplitMix64: a tiny, well-known generator; enough for a reproducible demo.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn id128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
}

const FIRST_NAMES: &[&str] = &[
    "Emma", "Léa", "Chloé", "Manon", "Camille", "Inès", "Jade", "Louise", "Zoé", "Lina", "Sarah", "Alice",
    "Lucie", "Anna", "Rose", "Juliette", "Ambre", "Agathe", "Margaux", "Nour", "Maëlys", "Lola", "Clara",
    "Mila", "Yasmine", "Lucas", "Hugo", "Louis", "Gabriel", "Nathan", "Jules", "Léo", "Arthur", "Raphaël",
    "Adam", "Paul", "Tom", "Noah", "Ethan", "Maël", "Sacha", "Mohamed", "Théo", "Enzo", "Nolan", "Timéo",
    "Aaron", "Rayan", "Baptiste", "Mathis", "Axel", "Bastien", "Youssef", "Kylian", "Samuel",
];
const ADULT_FIRST_NAMES: &[&str] = &[
    "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie", "Céline", "Stéphanie", "Karima",
    "Sophie", "Aurélie", "Hélène", "Claire", "Fatima", "Émilie", "Philippe", "Stéphane", "Christophe",
    "Laurent", "Frédéric", "Nicolas", "Olivier", "Sébastien", "Karim", "Jérôme", "Thierry", "David",
    "Julien", "Franck", "Mehdi", "Pascal", "Éric",
];
const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure",
    "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard",
    "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
    "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Haddad",
    "Benali", "Nguyen", "Diallo", "Traoré", "Kaya", "Ferreira", "Da Silva",
];

/// (code, name) of the subjects; the first twelve each have one teacher.
const SUBJECTS: &[(&str, &str)] = &[
    ("FRANC", "Français"),
    ("MATHS", "Mathématiques"),
    ("HIGEO", "Histoire-géographie"),
    ("ANGL", "Anglais"),
    ("ESP", "Espagnol"),
    ("ALL", "Allemand"),
    ("SVT", "Sciences de la vie et de la Terre"),
    ("PHCH", "Physique-chimie"),
    ("TECHN", "Technologie"),
    ("ARPL", "Arts plastiques"),
    ("EDMUS", "Éducation musicale"),
    ("EPS", "Éducation physique et sportive"),
    ("LCALA", "Latin"),
];

/// Subjects every division has as a whole class (indices into SUBJECTS).
const WHOLE_CLASS_SUBJECTS: &[usize] = &[0, 1, 2, 3, 6, 7, 8, 9, 10, 11];

/// Folds a name to the ASCII letters of a login: "Léa Da Silva" → "lea", "dasilva".
pub fn login_part(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let folded = match c {
                'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
                'î' | 'ï' | 'Î' => 'i',
                'ô' | 'ö' | 'Ô' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ÿ' => 'y',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(folded)
        })
        .collect()
}

struct Builder {
    rng: Rng,
    now: crate::Millis,
    school: DemoSchool,
    logins: std::collections::HashSet<String>,
}

impl Builder {
    fn person(&mut self, first: &str, last: &str, roles: &[Role]) -> PersonId {
        let base = format!("{}.{}", login_part(first), login_part(last));
        let mut login = base.clone();
        let mut n = 2;
        while !self.logins.insert(login.clone()) {
            login = format!("{base}{n}");
            n += 1;
        }
        let id = PersonId::new(self.now, self.rng.id128());
        self.school.people.push(Person {
            id: id.clone(),
            establishment_id: self.school.establishment.id.clone(),
            login,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            roles: RoleSet::of(roles),
            disabled: false,
            locale: None,
        });
        id
    }
}

/// The demo collège: four divisions (6e A to 3e A) of 24 to 26 pupils, each pupil with one or
/// two parents (some parents with two children in different divisions), twelve teachers with
/// their subjects, a head teacher per division, three teaching groups, a CPE, a principal and
/// an administrator. `now` stamps the ids; the rest depends only on the fixed seed.
pub fn demo_school(now: crate::Millis) -> DemoSchool {
    let mut rng = Rng(0x5052_4541_55); // "PREAU"
    let establishment = Establishment {
        id: EstablishmentId::new(now, rng.id128()),
        uai: "0693001K".into(),
        name: "Collège Lucie Aubrac".into(),
        academie: "Lyon".into(),
    };
    let mut b = Builder {
        rng,
        now,
        school: DemoSchool {
            establishment,
            subjects: vec![],
            divisions: vec![],
            groups: vec![],
            people: vec![],
            enrolments: vec![],
            group_members: vec![],
            parent_links: vec![],
            assignments: vec![],
            rooms: vec![],
            courses: vec![],
            homework: vec![],
        },
        logins: Default::default(),
    };
    let est = b.school.establishment.id.clone();

    for (code, name) in SUBJECTS {
        let id = SubjectId::new(now, b.rng.id128());
        b.school.subjects.push(Subject { id, establishment_id: est.clone(), code: (*code).into(), name: (*name).into() });
    }

    b.person("Martine", "Lefort", &[Role::Principal]);
    b.person("Karim", "Belkacem", &[Role::Staff]);
    b.person("Alexandre", "Ménard", &[Role::Admin]);

    let teacher_names = [
        ("Anne", "Vasseur"),
        ("Bruno", "Ferrand"),
        ("Claire", "Jacquet"),
        ("Daniel", "Kieffer"),
        ("Elena", "Ortiz"),
        ("Frank", "Weber"),
        ("Géraldine", "Poulain"),
        ("Hervé", "Lebon"),
        ("Ingrid", "Carpentier"),
        ("Jacques", "Mollard"),
        ("Katia", "Roussel"),
        ("Ludovic", "Besson"),
    ];
    let teachers: Vec<PersonId> = teacher_names.iter().map(|(f, l)| b.person(f, l, &[Role::Teacher])).collect();

    let head_teachers = [1, 0, 2, 3]; // maths for 6e, français for 5e, histoire for 4e, anglais for 3e
    for (i, level) in ["6e", "5e", "4e", "3e"].into_iter().enumerate() {
        let id = DivisionId::new(now, b.rng.id128());
        b.school.divisions.push(Division {
            id,
            establishment_id: est.clone(),
            name: format!("{level} A"),
            level: level.into(),
            head_teacher_id: Some(teachers[head_teachers[i]].clone()),
        });
    }
    for name in ["Espagnol LV2", "Allemand LV2", "Latin"] {
        let id = GroupId::new(now, b.rng.id128());
        b.school.groups.push(TeachingGroup { id, establishment_id: est.clone(), name: name.into() });
    }

    let divisions = b.school.divisions.clone();
    let subjects = b.school.subjects.clone();
    for d in &divisions {
        for &s in WHOLE_CLASS_SUBJECTS {
            b.school.assignments.push(TeachingAssignment {
                teacher_id: teachers[s].clone(),
                subject_id: subjects[s].id.clone(),
                audience: Audience::Division(d.id.clone()),
            });
        }
    }
    // Group teaching: Spanish, German, and Latin taught by the French teacher.
    for (g, (teacher, subject)) in [(4, 4), (5, 5), (0, 12)].into_iter().enumerate() {
        b.school.assignments.push(TeachingAssignment {
            teacher_id: teachers[teacher].clone(),
            subject_id: subjects[subject].id.clone(),
            audience: Audience::Group(b.school.groups[g].id.clone()),
        });
    }

    // Pupils and their parents. Every seventh family has a second child in another division.
    let mut families: Vec<(String, Vec<PersonId>)> = vec![];
    let groups = b.school.groups.clone();
    for (di, d) in divisions.iter().enumerate() {
        let size = 24 + (di % 3);
        for n in 0..size {
            let sibling_of = (n % 7 == 3 && !families.is_empty()).then(|| b.rng.below(families.len()));
            let last = match sibling_of {
                Some(f) => families[f].0.clone(),
                None => b.rng.pick(LAST_NAMES).to_owned(),
            };
            let first = b.rng.pick(FIRST_NAMES).to_owned();
            let pupil = b.person(&first, &last, &[Role::Pupil]);
            b.school.enrolments.push((pupil.clone(), d.id.clone()));
            if di >= 1 {
                // From 5e: a second modern language, half and half; some take Latin.
                let lv2 = if n % 2 == 0 { &groups[0] } else { &groups[1] };
                b.school.group_members.push((lv2.id.clone(), pupil.clone()));
                if n % 4 == 1 {
                    b.school.group_members.push((groups[2].id.clone(), pupil.clone()));
                }
            }
            let parents = match sibling_of {
                Some(f) => families[f].1.clone(),
                None => {
                    let count = if b.rng.below(10) < 7 { 2 } else { 1 };
                    let mut parents = vec![];
                    for p in 0..count {
                        let parent_last =
                            if p == 1 && b.rng.below(4) == 0 { b.rng.pick(LAST_NAMES).to_owned() } else { last.clone() };
                        let parent_first = b.rng.pick(ADULT_FIRST_NAMES).to_owned();
                        parents.push(b.person(&parent_first, &parent_last, &[Role::Parent]));
                    }
                    families.push((last.clone(), parents.clone()));
                    parents
                }
            };
            for parent in parents {
                b.school.parent_links.push((parent, pupil.clone()));
            }
        }
    }
    // Drawn last, so that adding rooms left every other demo id as it was.
    for d in &divisions {
        let id = RoomId::new(now, b.rng.id128());
        let audience = RoomAudience::Division(d.id.clone());
        b.school.rooms.push(Room { id, establishment_id: est.clone(), audience, title: d.name.clone() });
    }
    for g in &groups {
        let id = RoomId::new(now, b.rng.id128());
        let audience = RoomAudience::Group(g.id.clone());
        b.school.rooms.push(Room { id, establishment_id: est.clone(), audience, title: g.name.clone() });
    }
    timetable_and_homework(&mut b);
    b.school
}

/// The week's courses — greedy, no class or teacher in two places at once, the groups' slots
/// kept free of class lessons — and a few homework due in two days. Drawn after everything else.
fn timetable_and_homework(b: &mut Builder) {
    use crate::timetable::{Course, Weekday, Weeks};
    let days = [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];
    let hours = [8, 9, 10, 11, 13, 14, 15, 16];
    let group_slots = [(Weekday::Friday, 15), (Weekday::Friday, 16), (Weekday::Wednesday, 11)];
    let mut busy: Vec<(String, Weekday, i8)> = vec![];
    let assignments = b.school.assignments.clone();
    for a in &assignments {
        let (who, lessons): (String, usize) = match &a.audience {
            Audience::Division(d) => (d.to_string(), 2),
            Audience::Group(g) => (g.to_string(), 1),
        };
        let mut placed = 0;
        for (day, hour) in days.iter().flat_map(|d| hours.iter().map(move |h| (*d, *h))) {
            if placed == lessons {
                break;
            }
            // A subject's two lessons on two days.
            let group = matches!(a.audience, Audience::Group(_));
            let slot_is_groups = group_slots.contains(&(day, hour));
            let taken = |x: &String| busy.iter().any(|(w, d, h)| w == x && *d == day && *h == hour);
            let same_day = busy.iter().any(|(w, d, _)| *w == format!("{who}/{}", a.subject_id) && *d == day);
            if group != slot_is_groups || taken(&who) || taken(&a.teacher_id.to_string()) || same_day {
                continue;
            }
            busy.push((format!("{who}/{}", a.subject_id), day, hour));
            busy.push((who.clone(), day, hour));
            busy.push((a.teacher_id.to_string(), day, hour));
            let id = crate::CourseId::new(b.now, b.rng.id128());
            b.school.courses.push(Course {
                id,
                subject: a.subject_id.clone(),
                teacher: a.teacher_id.clone(),
                audience: a.audience.clone(),
                room: format!("B{}", 10 + b.school.courses.len() % 12),
                weekday: day,
                start: jiff::civil::time(hour, 0, 0, 0),
                end: jiff::civil::time(hour + 1, 0, 0, 0),
                weeks: Weeks::All,
            });
            placed += 1;
        }
    }
    // Homework: three subjects of each class, due in two days at 08:00, published an hour ago.
    let Ok(today) = crate::booking::local(b.now).map(|d| d.date()) else { return };
    let Ok(due) = today.checked_add(jiff::Span::new().days(2)) else { return };
    let texts = ["Exercices 3 et 4 page 52.", "Lire le chapitre 2 et répondre aux questions 1 à 5.", "Apprendre la leçon sur les fractions."];
    let mut per_class: Vec<(String, usize)> = vec![];
    for a in assignments.iter().filter(|a| matches!(a.audience, Audience::Division(_))) {
        let who = format!("{:?}", a.audience);
        let n = match per_class.iter_mut().find(|(w, _)| *w == who) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                per_class.push((who, 0));
                0
            }
        };
        if n >= texts.len() {
            continue;
        }
        let id = crate::HomeworkId::new(b.now, b.rng.id128());
        b.school.homework.push(crate::homework::Homework {
            id,
            audience: a.audience.clone(),
            subject: a.subject_id.clone(),
            teacher: a.teacher_id.clone(),
            set_on: today,
            instructions: texts[n].into(),
            due: due.at(8, 0, 0, 0),
            minutes: Some(20 + 10 * n as u16),
            publish_at: b.now - 3_600_000,
            hand_in: if n == 0 { crate::homework::HandIn::Yes { late_allowed: true } } else { crate::homework::HandIn::No },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_school_has_the_promised_shape() {
        let s = demo_school(1_800_000_000_000);
        assert!(valid_uai(&s.establishment.uai));
        assert_eq!(s.divisions.len(), 4);
        for d in &s.divisions {
            let pupils = s.enrolments.iter().filter(|(_, div)| *div == d.id).count();
            assert!((24..=26).contains(&pupils), "{}: {pupils}", d.name);
            assert!(d.head_teacher_id.is_some());
        }
        let count = |r: Role| s.people.iter().filter(|p| p.roles.contains(r)).count();
        assert_eq!(count(Role::Teacher), 12);
        assert_eq!(count(Role::Staff), 1);
        assert_eq!(count(Role::Principal), 1);
        assert_eq!(count(Role::Admin), 1);
        // Every pupil has one or two parents.
        for p in s.people.iter().filter(|p| p.roles.contains(Role::Pupil)) {
            let parents = s.parent_links.iter().filter(|(_, c)| *c == p.id).count();
            assert!((1..=2).contains(&parents), "{}: {parents} parents", p.login);
        }
        // Some parents have two children, so the parent dashboard's switch is exercised.
        let parent = s.parent_links.iter().find(|(par, _)| s.parent_links.iter().filter(|(p, _)| p == par).count() > 1);
        assert!(parent.is_some());
        // Logins are unique and valid.
        let logins: std::collections::HashSet<_> = s.people.iter().map(|p| &p.login).collect();
        assert_eq!(logins.len(), s.people.len());
        assert!(s.people.iter().all(|p| valid_login(&p.login)), "logins valid");
        // One permanent room per division and per group.
        assert_eq!(s.rooms.len(), s.divisions.len() + s.groups.len());
        for d in &s.divisions {
            assert_eq!(s.rooms.iter().filter(|r| r.audience == RoomAudience::Division(d.id.clone())).count(), 1);
        }
        for g in &s.groups {
            assert_eq!(s.rooms.iter().filter(|r| r.audience == RoomAudience::Group(g.id.clone())).count(), 1);
        }
    }

    #[test]
    fn the_demo_school_is_deterministic() {
        let a = demo_school(1);
        let b = demo_school(1);
        assert_eq!(a.people, b.people);
        assert_eq!(a.parent_links, b.parent_links);
        assert_eq!(a.rooms, b.rooms);
    }

    #[test]
    fn login_parts_fold_accents_and_spaces() {
        assert_eq!(login_part("Léa"), "lea");
        assert_eq!(login_part("Da Silva"), "dasilva");
        assert_eq!(login_part("Maëlys"), "maelys");
    }

    #[test]
    fn the_demo_timetable_puts_no_class_and_no_teacher_in_two_places_and_homework_is_due_soon() {
        let s = demo_school(1_800_000_000_000);
        let whole_class = s.assignments.iter().filter(|a| matches!(a.audience, Audience::Division(_))).count();
        let groups = s.assignments.len() - whole_class;
        assert_eq!(s.courses.len(), 2 * whole_class + groups, "every lesson placed");
        for (i, a) in s.courses.iter().enumerate() {
            for b in &s.courses[i + 1..] {
                let same_slot = a.weekday == b.weekday && a.start == b.start;
                assert!(!(same_slot && (a.audience == b.audience || a.teacher == b.teacher)), "{a:?} and {b:?}");
            }
        }
        assert_eq!(s.homework.len(), 3 * s.divisions.len());
        for mut h in s.homework.clone() {
            assert_eq!(h.check(), Ok(()));
        }
    }
}
