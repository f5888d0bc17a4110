//! The school model: roles and the plain records the rest of Préau passes around.

use crate::ids::*;
use std::fmt;

/// What a person is in the school. A person may hold several roles (a teacher who is also a
/// parent of a pupil, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Pupil,
    Parent,
    Teacher,
    /// Education staff: CPE, vie scolaire, secretariat.
    Staff,
    Principal,
    Admin,
    Guest,
}

impl Role {
    pub const ALL: [Role; 7] =
        [Role::Pupil, Role::Parent, Role::Teacher, Role::Staff, Role::Principal, Role::Admin, Role::Guest];

    /// The stable spelling used in the database, the CLI and the demo listing.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Parent => "parent",
            Role::Teacher => "teacher",
            Role::Staff => "staff",
            Role::Principal => "principal",
            Role::Admin => "admin",
            Role::Guest => "guest",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rôle inconnu « {0} » (attendu : pupil, parent, teacher, staff, principal, admin ou guest)")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A small set of roles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RoleSet(u8);

impl RoleSet {
    pub fn of(roles: &[Role]) -> Self {
        roles.iter().copied().collect()
    }
    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }
    pub fn insert(&mut self, role: Role) {
        self.0 |= role.bit();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
    /// Roles that see the whole establishment.
    pub fn is_establishment_wide(self) -> bool {
        self.contains(Role::Staff) || self.contains(Role::Principal) || self.contains(Role::Admin)
    }
    /// The staff: teachers and the establishment-wide roles (who open rooms, book meetings and
    /// are invited to them).
    pub fn is_staff(self) -> bool {
        self.contains(Role::Teacher) || self.is_establishment_wide()
    }
    /// The role whose dashboard a person lands on, the most encompassing first.
    pub fn primary(self) -> Option<Role> {
        [Role::Admin, Role::Principal, Role::Staff, Role::Teacher, Role::Parent, Role::Pupil, Role::Guest]
            .into_iter()
            .find(|r| self.contains(*r))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::default();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

/// The level of a division in a collège or lycée.
pub const LEVELS: [&str; 7] = ["6e", "5e", "4e", "3e", "2de", "1re", "Tle"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    pub id: EstablishmentId,
    /// The national code: seven digits and a letter, e.g. 0750001A.
    pub uai: String,
    pub name: String,
    pub academie: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub establishment_id: EstablishmentId,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: RoleSet,
    pub disabled: bool,
    /// Preferred interface language ("fr", "en"); None follows the browser.
    pub locale: Option<String>,
}

impl Person {
    /// "Prénom NOM", as French schools write names.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name.to_uppercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub id: DivisionId,
    pub establishment_id: EstablishmentId,
    pub name: String,
    pub level: String,
    pub head_teacher_id: Option<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeachingGroup {
    pub id: GroupId,
    pub establishment_id: EstablishmentId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub id: SubjectId,
    pub establishment_id: EstablishmentId,
    pub code: String,
    pub name: String,
}

/// Whom a teaching assignment is for: a whole division or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Division(DivisionId),
    Group(GroupId),
}

/// A teacher teaches a subject to a division or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeachingAssignment {
    pub teacher_id: PersonId,
    pub subject_id: SubjectId,
    pub audience: Audience,
}

/// Whom a virtual classroom is for. Each division and each teaching group has one permanent
/// room; teachers and staff open ad-hoc rooms besides.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoomAudience {
    Division(DivisionId),
    Group(GroupId),
    /// Opened by a teacher or staff member, for anyone of the establishment given the link.
    AdHoc { created_by: PersonId },
}

impl RoomAudience {
    /// The stable spelling of the kind, as the database stores it.
    pub fn kind(&self) -> &'static str {
        match self {
            RoomAudience::Division(_) => "division",
            RoomAudience::Group(_) => "group",
            RoomAudience::AdHoc { .. } => "adhoc",
        }
    }
}

/// A virtual classroom (« classe virtuelle »).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub establishment_id: EstablishmentId,
    pub audience: RoomAudience,
    /// A class room's title is its division's or group's name; an ad-hoc room's is typed.
    pub title: String,
}

impl Room {
    /// What the policy needs to know about the room.
    pub fn facts(&self) -> crate::policy::RoomFacts {
        crate::policy::RoomFacts {
            id: self.id.clone(),
            establishment_id: self.establishment_id.clone(),
            audience: self.audience.clone(),
        }
    }
}

/// The longest title of an ad-hoc room, in characters.
pub const ROOM_TITLE_MAX: usize = 100;

/// A typed room title, trimmed; None when empty, too long or holding control characters.
pub fn clean_room_title(title: &str) -> Option<String> {
    let t = title.trim();
    (!t.is_empty() && t.chars().count() <= ROOM_TITLE_MAX && !t.chars().any(char::is_control)).then(|| t.to_owned())
}

/// Checks a UAI: seven digits then a letter (the national check letter is not verified).
pub fn valid_uai(uai: &str) -> bool {
    let b = uai.as_bytes();
    b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase()
}

/// Checks a login: 2 to 64 characters among lower-case letters, digits, '.', '-' and '_'.
pub fn valid_login(login: &str) -> bool {
    (2..=64).contains(&login.len())
        && login.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b".-_".contains(&c))
        && login.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_primary() {
        assert_eq!("teacher".parse::<Role>().unwrap(), Role::Teacher);
        assert!("root".parse::<Role>().is_err());
        let set = RoleSet::of(&[Role::Parent, Role::Teacher]);
        assert_eq!(set.primary(), Some(Role::Teacher));
        assert!(!set.is_establishment_wide());
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![Role::Parent, Role::Teacher]);
    }

    #[test]
    fn uai_and_login_rules() {
        assert!(valid_uai("0750001A"));
        assert!(!valid_uai("075001A"));
        assert!(!valid_uai("0750001a"));
        assert!(valid_login("marie.dupont2"));
        assert!(!valid_login("Marie"));
        assert!(!valid_login(".x"));
        assert!(!valid_login("a b"));
    }

    #[test]
    fn room_titles_are_trimmed_and_bounded() {
        assert_eq!(clean_room_title("  Conseil de classe 4e B ").as_deref(), Some("Conseil de classe 4e B"));
        assert_eq!(clean_room_title(&"é".repeat(ROOM_TITLE_MAX)).map(|t| t.chars().count()), Some(ROOM_TITLE_MAX));
        for bad in ["", "   ", "a\u{0}b", "ligne\nsuivante"] {
            assert!(clean_room_title(bad).is_none(), "{bad:?}");
        }
        assert!(clean_room_title(&"x".repeat(ROOM_TITLE_MAX + 1)).is_none());
    }
}
