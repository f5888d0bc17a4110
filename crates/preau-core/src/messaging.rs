//! Messaging: conversations between people of one establishment, and its communication rules —
//! who may write to whom, as the administrator set them (Open ENT NG's "communication rules"):
//! the staff write to anyone; pupils and parents to those the rules open to them.

use crate::policy::{Actor, PersonFacts};
use crate::school::{Role, RoleSet};

/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest message, in characters.
pub const MAX_BODY: usize = 10_000;
/// Most people a message is sent to, lists expanded (a class's parents fit).
pub const MAX_RECIPIENTS: usize = 200;

/// Who pupils and parents may write to, per establishment. Teachers and the staff write to
/// anyone of the establishment; anyone may answer a conversation they are part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommunicationRules {
    /// Pupils to the teachers of their classes and groups.
    pub pupils_to_teachers: bool,
    /// Pupils to the pupils of their classes and groups.
    pub pupils_to_classmates: bool,
    /// Pupils to the education staff, the principal and the administrators.
    pub pupils_to_staff: bool,
    /// Parents to the teachers of their children's classes and groups.
    pub parents_to_teachers: bool,
    /// Parents to the education staff, the principal and the administrators.
    pub parents_to_staff: bool,
    /// Parents to the other parents of their children's classes.
    pub parents_to_parents: bool,
}

impl Default for CommunicationRules {
    /// What most schools start with: classmates and parents do not write to each other.
    fn default() -> Self {
        CommunicationRules {
            pupils_to_teachers: true,
            pupils_to_classmates: false,
            pupils_to_staff: true,
            parents_to_teachers: true,
            parents_to_staff: true,
            parents_to_parents: false,
        }
    }
}

/// Why a message may not go to someone: the message id of the explanation shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not of this establishment, a disabled or guest account, or oneself.
    NotReachable,
    /// The rules of the establishment close this way (the message id names which).
    Closed(&'static str),
    /// No relation opens a way: not one of one's teachers, classmates…
    NoRelation,
}

fn overlaps<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.iter().any(|x| b.contains(x))
}

/// Whether `sender` may start a conversation with `to` under `rules`.
pub fn may_write(rules: &CommunicationRules, sender: &Actor, to: &PersonFacts) -> Result<(), Refusal> {
    if to.establishment_id != sender.establishment_id || to.id == sender.person_id || to.roles.is_empty() || to.roles == RoleSet::of(&[Role::Guest]) {
        return Err(Refusal::NotReachable);
    }
    let roles = sender.roles;
    if roles.is_staff() {
        return Ok(());
    }
    let to_staff = to.roles.is_establishment_wide();
    let to_teacher = to.roles.contains(Role::Teacher);
    let to_pupil = to.roles.contains(Role::Pupil);
    let to_parent = to.roles.contains(Role::Parent);
    // Each way that exists between the two, with the rule that opens it.
    let mut ways: Vec<(bool, &'static str)> = vec![];
    if roles.contains(Role::Pupil) {
        if to_staff {
            ways.push((rules.pupils_to_staff, "rule-pupils-to-staff"));
        }
        if to_teacher && (overlaps(&to.taught_divisions, &sender.own_divisions) || overlaps(&to.taught_groups, &sender.own_groups)) {
            ways.push((rules.pupils_to_teachers, "rule-pupils-to-teachers"));
        }
        if to_pupil && (overlaps(&to.divisions, &sender.own_divisions) || overlaps(&to.groups, &sender.own_groups)) {
            ways.push((rules.pupils_to_classmates, "rule-pupils-to-classmates"));
        }
    }
    if roles.contains(Role::Parent) {
        if sender.children.contains(&to.id) {
            ways.push((true, ""));
        }
        if to_staff {
            ways.push((rules.parents_to_staff, "rule-parents-to-staff"));
        }
        if to_teacher
            && (overlaps(&to.taught_divisions, &sender.children_divisions) || overlaps(&to.taught_groups, &sender.children_groups))
        {
            ways.push((rules.parents_to_teachers, "rule-parents-to-teachers"));
        }
        if to_parent && overlaps(&to.children_divisions, &sender.children_divisions) {
            ways.push((rules.parents_to_parents, "rule-parents-to-parents"));
        }
    }
    if ways.iter().any(|(open, _)| *open) {
        return Ok(());
    }
    match ways.first() {
        Some((_, rule)) => Err(Refusal::Closed(rule)),
        None => Err(Refusal::NoRelation),
    }
}

/// Checks a subject: trimmed, one line, 1 to [`MAX_SUBJECT`] characters.
pub fn clean_subject(raw: &str) -> Option<String> {
    let s = raw.trim();
    (!s.is_empty() && s.chars().count() <= MAX_SUBJECT && !s.chars().any(char::is_control)).then(|| s.to_owned())
}

/// Checks a message's text: trimmed, 1 to [`MAX_BODY`] characters.
pub fn clean_body(raw: &str) -> Option<String> {
    let s = raw.trim();
    (!s.is_empty() && s.chars().count() <= MAX_BODY).then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DivisionId, GroupId};

    fn id<T: std::str::FromStr>(n: u128) -> T
    where
        T::Err: std::fmt::Debug,
    {
        crate::PersonId::new(1, n).as_str().parse().unwrap()
    }

    fn actor(n: u128, roles: &[Role]) -> Actor {
        Actor {
            person_id: id(n),
            establishment_id: id(1),
            roles: RoleSet::of(roles),
            children: vec![],
            children_divisions: vec![],
            children_groups: vec![],
            own_divisions: vec![],
            own_groups: vec![],
            taught_divisions: vec![],
            taught_groups: vec![],
        }
    }

    fn facts(a: &Actor) -> PersonFacts {
        PersonFacts {
            id: a.person_id.clone(),
            establishment_id: a.establishment_id.clone(),
            roles: a.roles,
            divisions: a.own_divisions.clone(),
            groups: a.own_groups.clone(),
            children_divisions: a.children_divisions.clone(),
            taught_divisions: a.taught_divisions.clone(),
            taught_groups: a.taught_groups.clone(),
        }
    }

    #[test]
    fn who_may_write_to_whom_follows_the_rules_and_the_relations() {
        let (d6a, d5a): (DivisionId, DivisionId) = (id(10), id(11));
        let latin: GroupId = id(12);
        let mut pupil = actor(100, &[Role::Pupil]);
        pupil.own_divisions = vec![d6a.clone()];
        let mut classmate = actor(101, &[Role::Pupil]);
        classmate.own_divisions = vec![d6a.clone()];
        let mut elsewhere = actor(102, &[Role::Pupil]);
        elsewhere.own_divisions = vec![d5a.clone()];
        elsewhere.own_groups = vec![latin.clone()];
        let mut teacher = actor(200, &[Role::Teacher]);
        teacher.taught_divisions = vec![d6a.clone()];
        let mut latin_teacher = actor(201, &[Role::Teacher]);
        latin_teacher.taught_groups = vec![latin.clone()];
        let cpe = actor(300, &[Role::Staff]);
        let mut parent = actor(400, &[Role::Parent]);
        parent.children = vec![pupil.person_id.clone()];
        parent.children_divisions = vec![d6a.clone()];
        let mut other_parent = actor(401, &[Role::Parent]);
        other_parent.children = vec![classmate.person_id.clone()];
        other_parent.children_divisions = vec![d6a.clone()];
        let mut stranger = actor(500, &[Role::Teacher]);
        stranger.establishment_id = id(2);
        let rules = CommunicationRules::default();
        let w = |rules: &CommunicationRules, from: &Actor, to: &Actor| may_write(rules, from, &facts(to));

        // Pupils: their teachers and the staff; not classmates, not another class's teachers.
        assert_eq!(w(&rules, &pupil, &teacher), Ok(()));
        assert_eq!(w(&rules, &pupil, &cpe), Ok(()));
        assert_eq!(w(&rules, &pupil, &classmate), Err(Refusal::Closed("rule-pupils-to-classmates")));
        assert_eq!(w(&rules, &pupil, &latin_teacher), Err(Refusal::NoRelation));
        assert_eq!(w(&rules, &pupil, &elsewhere), Err(Refusal::NoRelation));
        assert_eq!(w(&rules, &elsewhere, &latin_teacher), Ok(()), "a group's teacher");
        // Parents: their child, the child's teachers, the staff; not other parents by default.
        assert_eq!(w(&rules, &parent, &pupil), Ok(()));
        assert_eq!(w(&rules, &parent, &teacher), Ok(()));
        assert_eq!(w(&rules, &parent, &cpe), Ok(()));
        assert_eq!(w(&rules, &parent, &other_parent), Err(Refusal::Closed("rule-parents-to-parents")));
        assert_eq!(w(&rules, &parent, &classmate), Err(Refusal::NoRelation));
        // The staff write to anyone of the establishment, no one elsewhere, never to themselves.
        for to in [&pupil, &parent, &classmate, &elsewhere, &cpe] {
            assert_eq!(w(&rules, &teacher, to), Ok(()));
        }
        assert_eq!(w(&rules, &teacher, &stranger), Err(Refusal::NotReachable));
        assert_eq!(w(&rules, &teacher, &teacher), Err(Refusal::NotReachable));
        // Rules opened and closed by the administrator.
        let open = CommunicationRules { pupils_to_classmates: true, parents_to_parents: true, ..rules };
        assert_eq!(w(&open, &pupil, &classmate), Ok(()));
        assert_eq!(w(&open, &parent, &other_parent), Ok(()));
        let closed = CommunicationRules { pupils_to_teachers: false, pupils_to_staff: false, parents_to_teachers: false, ..rules };
        assert_eq!(w(&closed, &pupil, &teacher), Err(Refusal::Closed("rule-pupils-to-teachers")));
        assert_eq!(w(&closed, &pupil, &cpe), Err(Refusal::Closed("rule-pupils-to-staff")));
        assert_eq!(w(&closed, &parent, &teacher), Err(Refusal::Closed("rule-parents-to-teachers")));
        assert_eq!(w(&closed, &parent, &pupil), Ok(()), "a parent to their own child");
    }

    #[test]
    fn subjects_and_bodies_are_checked() {
        assert_eq!(clean_subject("  Sortie au musée "), Some("Sortie au musée".into()));
        assert_eq!(clean_subject(""), None);
        assert_eq!(clean_subject("a\nb"), None);
        assert_eq!(clean_subject(&"x".repeat(MAX_SUBJECT + 1)), None);
        assert_eq!(clean_body(" Bonjour,\n\nmerci. "), Some("Bonjour,\n\nmerci.".into()));
        assert_eq!(clean_body(" \n "), None);
        assert_eq!(clean_body(&"x".repeat(MAX_BODY + 1)), None);
    }
}
