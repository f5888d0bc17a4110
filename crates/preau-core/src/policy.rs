//! The one authorization policy: "may this person do this action on this object?"
//!
//! Every route of the web crate names an [`Action`]; handlers that touch a specific object
//! load its [`Target`] facts and ask [`may`] before reading anything else about it. The answer
//! depends on the actor's roles and on a scope: the actor themself, their own child, a division
//! or group they belong to or teach, their own establishment.

use crate::ids::*;
use crate::school::{Audience, Role, RoleSet, RoomAudience};

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See one's own dashboard.
    ViewDashboard,
    /// Change one's own language or password, list and revoke one's own sessions.
    ManageOwnAccount,
    /// See a person's profile page.
    ViewPerson,
    /// See a division's page: its name, level, head teacher and teaching team.
    ViewDivision,
    /// See the list of pupils of a division.
    ViewDivisionRoster,
    /// See the establishment overview: divisions and head counts.
    ViewEstablishment,
    /// Create and disable accounts, reset passwords (route level: one's establishment).
    AdministerPeople,
    /// Administer one given account: see its login, reset its password, disable it.
    AdministerPerson,
    /// Open an ad-hoc virtual classroom (route level: one's establishment).
    CreateRoom,
    /// Enter a virtual classroom.
    JoinRoom,
    /// Lead a virtual classroom: mute, lower hands, remove participants, end the session.
    HostRoom,
    /// Book a meeting room, see the rooms' calendars (route level: one's establishment).
    BookMeeting,
    /// Add meeting rooms and set their capacity (route level: one's establishment).
    ManageMeetingRooms,
    /// See a booking and download its invitation.
    ViewBooking,
    /// Cancel a booking.
    CancelBooking,
    /// Enter a booking's live meeting.
    JoinMeeting,
    /// Lead a booking's live meeting: admit or refuse guests, lock it, mute, remove, end.
    HostMeeting,
    /// Invite the parents of a division's pupils to a meeting.
    InviteParents,
    /// Set homework (route level: one's establishment; then on the division or group).
    SetHomework,
    /// See a homework: its instructions and attachments.
    ViewHomework,
    /// Change or delete a homework, see everything handed in for it, return feedback.
    ManageHomework,
    /// Hand in work for a homework, and tick it done.
    HandIn,
    /// See what one pupil handed in for a homework, and the feedback on it.
    ViewSubmission,
    /// Use the messaging: read one's conversations, write (each recipient is then checked
    /// against the communication rules, `messaging::may_write`).
    UseMessaging,
    /// Write to a whole division, or to its parents, at once.
    MessageDivision,
    /// Read a conversation and answer it.
    ReadConversation,
    /// Set the establishment's communication rules.
    ManageCommunication,
    /// Keep the timetable: add and remove courses, import it (route level: one's establishment).
    ManageTimetable,
    /// Cancel a lesson of a course, or hold it as a virtual class.
    ChangeLesson,
    /// Publish an announcement: to the whole establishment (`Target::Establishment`: the
    /// staff), or to a division (its teachers, the staff).
    Announce,
    /// Withdraw an announcement.
    WithdrawAnnouncement,
    /// Read a class's or group's resources (`Target::Audience`).
    ViewResources,
    /// Add, rename and delete a class's or group's resources and folders (`Target::Audience`).
    ManageResources,
}

/// Who is asking, with the relations the policy needs, loaded by the caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person_id: PersonId,
    pub establishment_id: EstablishmentId,
    pub roles: RoleSet,
    /// As a parent: the pupils one is responsible for.
    pub children: Vec<PersonId>,
    /// As a parent: the divisions of those children.
    pub children_divisions: Vec<DivisionId>,
    /// As a parent: the teaching groups of those children.
    pub children_groups: Vec<GroupId>,
    /// As a pupil: one's division(s) and groups.
    pub own_divisions: Vec<DivisionId>,
    pub own_groups: Vec<GroupId>,
    /// As a teacher: divisions and groups one teaches or is head teacher of.
    pub taught_divisions: Vec<DivisionId>,
    pub taught_groups: Vec<GroupId>,
}

fn audiences(divisions: &[DivisionId], groups: &[GroupId]) -> Vec<Audience> {
    divisions.iter().cloned().map(Audience::Division).chain(groups.iter().cloned().map(Audience::Group)).collect()
}

impl Actor {
    /// As a pupil: one's classes and groups.
    pub fn own_audiences(&self) -> Vec<Audience> {
        audiences(&self.own_divisions, &self.own_groups)
    }
    /// As a parent: one's children's classes and groups.
    pub fn children_audiences(&self) -> Vec<Audience> {
        audiences(&self.children_divisions, &self.children_groups)
    }
    /// As a teacher: the classes and groups one teaches.
    pub fn taught_audiences(&self) -> Vec<Audience> {
        audiences(&self.taught_divisions, &self.taught_groups)
    }
}

/// What a person is to the school, as far as the policy is concerned.
#[derive(Debug, Clone)]
pub struct PersonFacts {
    pub id: PersonId,
    pub establishment_id: EstablishmentId,
    pub roles: RoleSet,
    /// As a pupil: divisions and groups.
    pub divisions: Vec<DivisionId>,
    pub groups: Vec<GroupId>,
    /// As a parent: the divisions of their children.
    pub children_divisions: Vec<DivisionId>,
    /// As a teacher: the divisions and groups they teach.
    pub taught_divisions: Vec<DivisionId>,
    pub taught_groups: Vec<GroupId>,
}

/// What the policy needs to know about a virtual classroom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomFacts {
    pub id: RoomId,
    pub establishment_id: EstablishmentId,
    pub audience: RoomAudience,
}

/// What the policy needs to know about a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFacts {
    pub establishment_id: EstablishmentId,
    pub organizer: PersonId,
    pub invitees: Vec<PersonId>,
    /// Held in a staff-only room: whoever is not staff stays out, invited or not.
    pub staff_only: bool,
}

/// The object an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// One's own account.
    Myself,
    Establishment(&'a EstablishmentId),
    Person(&'a PersonFacts),
    Division { id: &'a DivisionId, establishment_id: &'a EstablishmentId },
    Room(&'a RoomFacts),
    Booking(&'a BookingFacts),
    /// Setting homework for a division or a group.
    Audience { audience: &'a Audience, establishment_id: &'a EstablishmentId },
    Homework(&'a HomeworkFacts),
    /// One pupil's work for a homework.
    Submission { homework: &'a HomeworkFacts, pupil: &'a PersonId },
    /// A conversation, by who is in it.
    Conversation { establishment_id: &'a EstablishmentId, members: &'a [PersonId] },
    /// An announcement: its author and where it was published (`None`: the establishment).
    Announcement { establishment_id: &'a EstablishmentId, author: &'a PersonId },
    /// A course of the timetable: who teaches it, to whom.
    Course { establishment_id: &'a EstablishmentId, teacher: &'a PersonId, audience: &'a Audience },
}

/// What the policy needs to know about a homework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeworkFacts {
    pub establishment_id: EstablishmentId,
    pub audience: Audience,
    /// Who set it.
    pub teacher: PersonId,
    /// Pupils and parents see it once it is published.
    pub published: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

impl From<bool> for Decision {
    fn from(b: bool) -> Self {
        if b { Decision::Allow } else { Decision::Deny }
    }
}

fn overlaps<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.iter().any(|x| b.contains(x))
}

/// The policy. Denies anything it does not explicitly allow.
pub fn may(actor: &Actor, action: Action, target: Target<'_>) -> Decision {
    let roles = actor.roles;
    let allowed = match (action, target) {
        (Action::ViewDashboard | Action::ManageOwnAccount, Target::Myself) => !roles.is_empty(),
        (Action::ViewEstablishment, Target::Establishment(e)) => {
            *e == actor.establishment_id && roles.is_establishment_wide()
        }
        (Action::AdministerPeople, Target::Establishment(e)) => {
            *e == actor.establishment_id && roles.contains(Role::Admin)
        }
        (Action::ViewPerson, Target::Person(p)) => may_view_person(actor, p),
        (Action::AdministerPerson, Target::Person(p)) => {
            p.establishment_id == actor.establishment_id && roles.contains(Role::Admin)
        }
        (Action::ViewDivision, Target::Division { id, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide()
                    || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(id))
                    || (roles.contains(Role::Pupil) && actor.own_divisions.contains(id))
                    || (roles.contains(Role::Parent) && actor.children_divisions.contains(id)))
        }
        // Parents are invited by their children's teachers (head teacher included) and the staff.
        (Action::InviteParents, Target::Division { id, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide()
                    || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(id)))
        }
        (Action::ViewDivisionRoster, Target::Division { id, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide()
                    || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(id)))
        }
        (Action::CreateRoom, Target::Establishment(e)) => {
            *e == actor.establishment_id && roles.is_staff()
        }
        // Meetings are the staff's: teachers, education staff, the principal, the administrator.
        (Action::BookMeeting, Target::Establishment(e)) => {
            *e == actor.establishment_id && roles.is_staff()
        }
        (Action::ManageMeetingRooms, Target::Establishment(e)) => {
            *e == actor.establishment_id && (roles.contains(Role::Admin) || roles.contains(Role::Principal))
        }
        (Action::ViewBooking, Target::Booking(b)) => {
            b.establishment_id == actor.establishment_id
                && (b.organizer == actor.person_id
                    || b.invitees.contains(&actor.person_id)
                    || roles.contains(Role::Principal)
                    || roles.contains(Role::Admin))
        }
        (Action::CancelBooking, Target::Booking(b)) => {
            b.establishment_id == actor.establishment_id
                && (b.organizer == actor.person_id || roles.contains(Role::Principal) || roles.contains(Role::Admin))
        }
        // Those who see a meeting enter it; a staff-only room admits the staff alone.
        (Action::JoinMeeting, Target::Booking(b)) => {
            may(actor, Action::ViewBooking, Target::Booking(b)).is_allowed() && (!b.staff_only || roles.is_staff())
        }
        // The organizer leads: the principal and the administrator may enter and watch, not lead.
        (Action::HostMeeting, Target::Booking(b)) => {
            b.organizer == actor.person_id && may(actor, Action::JoinMeeting, Target::Booking(b)).is_allowed()
        }
        (Action::SetHomework, Target::Establishment(e)) => *e == actor.establishment_id && roles.contains(Role::Teacher),
        // Teachers set homework to the classes and groups they teach.
        (Action::SetHomework, Target::Audience { audience, establishment_id }) => {
            *establishment_id == actor.establishment_id && roles.contains(Role::Teacher) && teaches(actor, audience)
        }
        (Action::ViewHomework, Target::Homework(h)) => {
            h.establishment_id == actor.establishment_id
                && (may_manage_homework(actor, h)
                    || roles.is_establishment_wide()
                    || (h.published && roles.contains(Role::Pupil) && belongs(actor, &h.audience))
                    || (h.published && roles.contains(Role::Parent) && child_belongs(actor, &h.audience)))
        }
        (Action::ManageHomework, Target::Homework(h)) => may_manage_homework(actor, h),
        (Action::HandIn, Target::Homework(h)) => {
            h.establishment_id == actor.establishment_id && h.published && roles.contains(Role::Pupil) && belongs(actor, &h.audience)
        }
        // A pupil's work is seen by the pupil, their parents and the class's teachers; not by
        // other pupils or other parents, nor by the staff at large.
        (Action::ViewSubmission, Target::Submission { homework, pupil }) => {
            homework.establishment_id == actor.establishment_id
                && (may_manage_homework(actor, homework)
                    || (roles.contains(Role::Pupil) && *pupil == actor.person_id && belongs(actor, &homework.audience))
                    || (homework.published && roles.contains(Role::Parent) && actor.children.contains(pupil)))
        }
        (Action::UseMessaging, Target::Establishment(e)) => {
            *e == actor.establishment_id && roles.iter().any(|r| r != Role::Guest)
        }
        // Teachers write to their classes (and their parents), the staff to any class.
        (Action::MessageDivision, Target::Division { id, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide() || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(id)))
        }
        (Action::ReadConversation, Target::Conversation { establishment_id, members }) => {
            *establishment_id == actor.establishment_id && members.contains(&actor.person_id)
        }
        (Action::ManageCommunication, Target::Establishment(e)) => {
            *e == actor.establishment_id && (roles.contains(Role::Admin) || roles.contains(Role::Principal))
        }
        (Action::Announce, Target::Establishment(e)) => *e == actor.establishment_id && roles.is_establishment_wide(),
        (Action::Announce, Target::Division { id, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide() || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(id)))
        }
        // Its author, or the principal and the administrator.
        (Action::WithdrawAnnouncement, Target::Announcement { establishment_id, author }) => {
            *establishment_id == actor.establishment_id
                && (*author == actor.person_id || roles.contains(Role::Principal) || roles.contains(Role::Admin))
        }
        (Action::ViewResources, Target::Audience { audience, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide()
                    || (roles.contains(Role::Teacher) && teaches(actor, audience))
                    || (roles.contains(Role::Pupil) && belongs(actor, audience))
                    || (roles.contains(Role::Parent) && child_belongs(actor, audience)))
        }
        (Action::ManageResources, Target::Audience { audience, establishment_id }) => {
            *establishment_id == actor.establishment_id
                && (roles.is_establishment_wide() || (roles.contains(Role::Teacher) && teaches(actor, audience)))
        }
        (Action::ManageTimetable, Target::Establishment(e)) => *e == actor.establishment_id && roles.is_establishment_wide(),
        // Its teacher, or the staff, change a lesson: not another teacher of the class.
        (Action::ChangeLesson, Target::Course { establishment_id, teacher, .. }) => {
            *establishment_id == actor.establishment_id
                && ((roles.contains(Role::Teacher) && *teacher == actor.person_id) || roles.is_establishment_wide())
        }
        (Action::JoinRoom, Target::Room(room)) => may_join_room(actor, room),
        (Action::HostRoom, Target::Room(room)) => may_host_room(actor, room),
        _ => false,
    };
    allowed.into()
}

/// Whether a teacher teaches that division (head teacher included) or group.
fn teaches(actor: &Actor, audience: &Audience) -> bool {
    match audience {
        Audience::Division(d) => actor.taught_divisions.contains(d),
        Audience::Group(g) => actor.taught_groups.contains(g),
    }
}

/// Whether a pupil is in that division or group.
fn belongs(actor: &Actor, audience: &Audience) -> bool {
    match audience {
        Audience::Division(d) => actor.own_divisions.contains(d),
        Audience::Group(g) => actor.own_groups.contains(g),
    }
}

/// Whether one of a parent's children is in that division or group.
fn child_belongs(actor: &Actor, audience: &Audience) -> bool {
    match audience {
        Audience::Division(d) => actor.children_divisions.contains(d),
        Audience::Group(g) => actor.children_groups.contains(g),
    }
}

/// Homework is managed by whoever set it, and by the teachers of its class or group (a
/// colleague who takes over, a co-teacher).
fn may_manage_homework(actor: &Actor, h: &HomeworkFacts) -> bool {
    h.establishment_id == actor.establishment_id
        && actor.roles.contains(Role::Teacher)
        && (h.teacher == actor.person_id || teaches(actor, &h.audience))
}

/// A class room is for its pupils, its teachers (head teacher included) and the staff; an
/// ad-hoc room for anyone of the establishment with the link. Guests come with meetings.
fn may_join_room(actor: &Actor, room: &RoomFacts) -> bool {
    if room.establishment_id != actor.establishment_id {
        return false;
    }
    let roles = actor.roles;
    if roles.is_establishment_wide() {
        return true;
    }
    match &room.audience {
        RoomAudience::Division(d) => {
            (roles.contains(Role::Pupil) && actor.own_divisions.contains(d))
                || (roles.contains(Role::Teacher) && actor.taught_divisions.contains(d))
        }
        RoomAudience::Group(g) => {
            (roles.contains(Role::Pupil) && actor.own_groups.contains(g))
                || (roles.contains(Role::Teacher) && actor.taught_groups.contains(g))
        }
        RoomAudience::AdHoc { .. } => roles.iter().any(|r| r != Role::Guest),
    }
}

/// A class room is led by its teachers and the staff; an ad-hoc room by whoever opened it
/// and the staff.
fn may_host_room(actor: &Actor, room: &RoomFacts) -> bool {
    if room.establishment_id != actor.establishment_id {
        return false;
    }
    let roles = actor.roles;
    if roles.is_establishment_wide() {
        return true;
    }
    match &room.audience {
        RoomAudience::Division(d) => roles.contains(Role::Teacher) && actor.taught_divisions.contains(d),
        RoomAudience::Group(g) => roles.contains(Role::Teacher) && actor.taught_groups.contains(g),
        RoomAudience::AdHoc { created_by } => {
            *created_by == actor.person_id && roles.iter().any(|r| r != Role::Guest)
        }
    }
}

fn may_view_person(actor: &Actor, p: &PersonFacts) -> bool {
    if p.id == actor.person_id {
        return true;
    }
    if p.establishment_id != actor.establishment_id {
        return false;
    }
    let roles = actor.roles;
    if roles.is_establishment_wide() {
        return true;
    }
    // The school's staff are known to everyone in it.
    if p.roles.is_establishment_wide() && !roles.contains(Role::Guest) {
        return true;
    }
    let target_teaches_actor = p.roles.contains(Role::Teacher)
        && ((roles.contains(Role::Pupil)
            && (overlaps(&p.taught_divisions, &actor.own_divisions)
                || overlaps(&p.taught_groups, &actor.own_groups)))
            || (roles.contains(Role::Parent) && overlaps(&p.taught_divisions, &actor.children_divisions)));
    if target_teaches_actor {
        return true;
    }
    if roles.contains(Role::Parent) && actor.children.contains(&p.id) {
        return true;
    }
    if roles.contains(Role::Teacher) {
        // Colleagues.
        if p.roles.contains(Role::Teacher) {
            return true;
        }
        // Pupils one teaches, and their parents.
        if p.roles.contains(Role::Pupil)
            && (overlaps(&p.divisions, &actor.taught_divisions) || overlaps(&p.groups, &actor.taught_groups))
        {
            return true;
        }
        if p.roles.contains(Role::Parent) && overlaps(&p.children_divisions, &actor.taught_divisions) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<T: std::str::FromStr>(n: u128) -> T
    where
        T::Err: std::fmt::Debug,
    {
        ulid::Ulid::from_parts(1, n).to_string().parse().unwrap()
    }

    struct World {
        school: EstablishmentId,
        other_school: EstablishmentId,
        d6a: DivisionId,
        d5a: DivisionId,
        latin: GroupId,
    }

    fn world() -> World {
        World { school: id(1), other_school: id(2), d6a: id(10), d5a: id(11), latin: id(12) }
    }

    fn actor(w: &World, n: u128, roles: &[Role]) -> Actor {
        Actor {
            person_id: id(n),
            establishment_id: w.school.clone(),
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

    fn facts(w: &World, n: u128, roles: &[Role]) -> PersonFacts {
        PersonFacts {
            id: id(n),
            establishment_id: w.school.clone(),
            roles: RoleSet::of(roles),
            divisions: vec![],
            groups: vec![],
            children_divisions: vec![],
            taught_divisions: vec![],
            taught_groups: vec![],
        }
    }

    fn view(a: &Actor, p: &PersonFacts) -> bool {
        may(a, Action::ViewPerson, Target::Person(p)).is_allowed()
    }

    fn division<'a>(w: &'a World, d: &'a DivisionId) -> Target<'a> {
        Target::Division { id: d, establishment_id: &w.school }
    }

    #[test]
    fn a_pupil_sees_only_themself_and_their_teachers() {
        let w = world();
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        let mut me = facts(&w, 100, &[Role::Pupil]);
        me.divisions = vec![w.d6a.clone()];
        let mut classmate = facts(&w, 101, &[Role::Pupil]);
        classmate.divisions = vec![w.d6a.clone()];
        let mut my_teacher = facts(&w, 200, &[Role::Teacher]);
        my_teacher.taught_divisions = vec![w.d6a.clone()];
        let mut other_teacher = facts(&w, 201, &[Role::Teacher]);
        other_teacher.taught_divisions = vec![w.d5a.clone()];
        let cpe = facts(&w, 300, &[Role::Staff]);

        assert!(view(&pupil, &me));
        assert!(!view(&pupil, &classmate), "a pupil must not open another pupil's profile");
        assert!(view(&pupil, &my_teacher));
        assert!(!view(&pupil, &other_teacher));
        assert!(view(&pupil, &cpe));
        assert!(may(&pupil, Action::ViewDivision, division(&w, &w.d6a)).is_allowed());
        assert!(!may(&pupil, Action::ViewDivision, division(&w, &w.d5a)).is_allowed());
        assert!(!may(&pupil, Action::ViewDivisionRoster, division(&w, &w.d6a)).is_allowed());
        assert!(!may(&pupil, Action::ViewEstablishment, Target::Establishment(&w.school)).is_allowed());
        assert!(!may(&pupil, Action::AdministerPeople, Target::Establishment(&w.school)).is_allowed());
    }

    #[test]
    fn a_parent_sees_only_their_own_children() {
        let w = world();
        let mut parent = actor(&w, 400, &[Role::Parent]);
        parent.children = vec![id(100)];
        parent.children_divisions = vec![w.d6a.clone()];
        let mut child = facts(&w, 100, &[Role::Pupil]);
        child.divisions = vec![w.d6a.clone()];
        let mut other_child = facts(&w, 101, &[Role::Pupil]);
        other_child.divisions = vec![w.d6a.clone()];
        let mut child_teacher = facts(&w, 200, &[Role::Teacher]);
        child_teacher.taught_divisions = vec![w.d6a.clone()];
        let other_parent = facts(&w, 401, &[Role::Parent]);

        assert!(view(&parent, &child));
        assert!(!view(&parent, &other_child));
        assert!(!view(&parent, &other_parent));
        assert!(view(&parent, &child_teacher));
        assert!(may(&parent, Action::ViewDivision, division(&w, &w.d6a)).is_allowed());
        assert!(!may(&parent, Action::ViewDivision, division(&w, &w.d5a)).is_allowed());
    }

    #[test]
    fn a_teacher_sees_only_the_divisions_they_teach() {
        let w = world();
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        teacher.taught_groups = vec![w.latin.clone()];
        let mut taught = facts(&w, 100, &[Role::Pupil]);
        taught.divisions = vec![w.d6a.clone()];
        let mut latinist = facts(&w, 102, &[Role::Pupil]);
        latinist.divisions = vec![w.d5a.clone()];
        latinist.groups = vec![w.latin.clone()];
        let mut untaught = facts(&w, 103, &[Role::Pupil]);
        untaught.divisions = vec![w.d5a.clone()];
        let mut parent_of_taught = facts(&w, 400, &[Role::Parent]);
        parent_of_taught.children_divisions = vec![w.d6a.clone()];
        let mut parent_of_untaught = facts(&w, 401, &[Role::Parent]);
        parent_of_untaught.children_divisions = vec![w.d5a.clone()];

        assert!(may(&teacher, Action::ViewDivision, division(&w, &w.d6a)).is_allowed());
        assert!(may(&teacher, Action::ViewDivisionRoster, division(&w, &w.d6a)).is_allowed());
        assert!(!may(&teacher, Action::ViewDivision, division(&w, &w.d5a)).is_allowed());
        assert!(!may(&teacher, Action::ViewDivisionRoster, division(&w, &w.d5a)).is_allowed());
        assert!(view(&teacher, &taught));
        assert!(view(&teacher, &latinist));
        assert!(!view(&teacher, &untaught));
        assert!(view(&teacher, &parent_of_taught));
        assert!(!view(&teacher, &parent_of_untaught));
        assert!(view(&teacher, &facts(&w, 201, &[Role::Teacher])), "colleagues");
        assert!(!may(&teacher, Action::ViewEstablishment, Target::Establishment(&w.school)).is_allowed());
        assert!(!may(&teacher, Action::AdministerPeople, Target::Establishment(&w.school)).is_allowed());
    }

    #[test]
    fn staff_see_their_establishment_and_only_admins_administer() {
        let w = world();
        for role in [Role::Staff, Role::Principal, Role::Admin] {
            let a = actor(&w, 300, &[role]);
            assert!(may(&a, Action::ViewEstablishment, Target::Establishment(&w.school)).is_allowed());
            assert!(!may(&a, Action::ViewEstablishment, Target::Establishment(&w.other_school)).is_allowed());
            assert!(may(&a, Action::ViewDivisionRoster, division(&w, &w.d5a)).is_allowed());
            assert!(view(&a, &facts(&w, 100, &[Role::Pupil])));
            let mut elsewhere = facts(&w, 500, &[Role::Pupil]);
            elsewhere.establishment_id = w.other_school.clone();
            assert!(!view(&a, &elsewhere), "{role}: another school's pupil");
            let admin = may(&a, Action::AdministerPeople, Target::Establishment(&w.school)).is_allowed();
            assert_eq!(admin, role == Role::Admin, "{role}");
        }
        let admin = actor(&w, 300, &[Role::Admin]);
        assert!(!may(&admin, Action::AdministerPeople, Target::Establishment(&w.other_school)).is_allowed());
        let mut elsewhere = facts(&w, 500, &[Role::Pupil]);
        assert!(may(&admin, Action::AdministerPerson, Target::Person(&elsewhere)).is_allowed());
        elsewhere.establishment_id = w.other_school.clone();
        assert!(!may(&admin, Action::AdministerPerson, Target::Person(&elsewhere)).is_allowed());
        let staff = actor(&w, 301, &[Role::Staff, Role::Principal]);
        assert!(!may(&staff, Action::AdministerPerson, Target::Person(&facts(&w, 100, &[Role::Pupil]))).is_allowed());
    }

    #[test]
    fn guests_and_role_less_people_get_nothing_else() {
        let w = world();
        let guest = actor(&w, 600, &[Role::Guest]);
        assert!(may(&guest, Action::ViewDashboard, Target::Myself).is_allowed());
        assert!(!view(&guest, &facts(&w, 300, &[Role::Staff])));
        assert!(!may(&guest, Action::ViewDivision, division(&w, &w.d6a)).is_allowed());
        let nobody = actor(&w, 601, &[]);
        assert!(!may(&nobody, Action::ViewDashboard, Target::Myself).is_allowed());
    }

    struct Rooms {
        d6a: RoomFacts,
        d5a: RoomFacts,
        latin: RoomFacts,
        /// Opened by teacher 200.
        adhoc: RoomFacts,
        /// A division's room in another establishment.
        elsewhere: RoomFacts,
    }

    fn rooms(w: &World) -> Rooms {
        let room = |n: u128, audience: RoomAudience| RoomFacts { id: id(n), establishment_id: w.school.clone(), audience };
        let mut elsewhere = room(24, RoomAudience::Division(id(13)));
        elsewhere.establishment_id = w.other_school.clone();
        Rooms {
            d6a: room(20, RoomAudience::Division(w.d6a.clone())),
            d5a: room(21, RoomAudience::Division(w.d5a.clone())),
            latin: room(22, RoomAudience::Group(w.latin.clone())),
            adhoc: room(23, RoomAudience::AdHoc { created_by: id(200) }),
            elsewhere,
        }
    }

    impl Rooms {
        fn all(&self) -> [&RoomFacts; 5] {
            [&self.d6a, &self.d5a, &self.latin, &self.adhoc, &self.elsewhere]
        }
    }

    fn join(a: &Actor, r: &RoomFacts) -> bool {
        may(a, Action::JoinRoom, Target::Room(r)).is_allowed()
    }

    fn host(a: &Actor, r: &RoomFacts) -> bool {
        may(a, Action::HostRoom, Target::Room(r)).is_allowed()
    }

    /// The rooms `a` may join and host, by name, for compact assertions.
    fn room_rights(a: &Actor, r: &Rooms) -> (Vec<&'static str>, Vec<&'static str>) {
        let names = ["d6a", "d5a", "latin", "adhoc", "elsewhere"];
        let joined = names.iter().zip(r.all()).filter(|(_, f)| join(a, f)).map(|(n, _)| *n).collect();
        let hosted = names.iter().zip(r.all()).filter(|(_, f)| host(a, f)).map(|(n, _)| *n).collect();
        (joined, hosted)
    }

    #[test]
    fn pupils_enter_their_own_class_rooms_and_ad_hoc_rooms_but_host_none() {
        let w = world();
        let r = rooms(&w);
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        assert_eq!(room_rights(&pupil, &r), (vec!["d6a", "adhoc"], vec![]));
        let mut latinist = actor(&w, 102, &[Role::Pupil]);
        latinist.own_divisions = vec![w.d5a.clone()];
        latinist.own_groups = vec![w.latin.clone()];
        assert_eq!(room_rights(&latinist, &r), (vec!["d5a", "latin", "adhoc"], vec![]));
        // Relations count only with the role that gives them: a parent listed in a division does
        // not enter its room as if they were a pupil.
        let mut parent = actor(&w, 400, &[Role::Parent]);
        parent.children_divisions = vec![w.d6a.clone()];
        parent.own_divisions = vec![w.d6a.clone()];
        assert_eq!(room_rights(&parent, &r), (vec!["adhoc"], vec![]), "parents do not enter classrooms");
    }

    #[test]
    fn teachers_enter_and_host_the_rooms_of_what_they_teach_and_their_own_ad_hoc_rooms() {
        let w = world();
        let r = rooms(&w);
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        teacher.taught_groups = vec![w.latin.clone()];
        assert_eq!(room_rights(&teacher, &r), (vec!["d6a", "latin", "adhoc"], vec!["d6a", "latin", "adhoc"]));
        // The store folds "head teacher of" into taught divisions.
        let mut head_of_d5a = actor(&w, 201, &[Role::Teacher]);
        head_of_d5a.taught_divisions = vec![w.d5a.clone()];
        assert_eq!(room_rights(&head_of_d5a, &r), (vec!["d5a", "adhoc"], vec!["d5a"]), "another's ad-hoc room: enter, not host");
        // Pupil relations do not make a teacher a pupil, and the reverse.
        let mut odd = actor(&w, 202, &[Role::Teacher]);
        odd.own_divisions = vec![w.d5a.clone()];
        assert_eq!(room_rights(&odd, &r), (vec!["adhoc"], vec![]));
        let mut pupil = actor(&w, 103, &[Role::Pupil]);
        pupil.taught_divisions = vec![w.d5a.clone()];
        assert_eq!(room_rights(&pupil, &r), (vec!["adhoc"], vec![]));
    }

    #[test]
    fn staff_enter_and_host_every_room_of_their_establishment_only() {
        let w = world();
        let r = rooms(&w);
        for role in [Role::Staff, Role::Principal, Role::Admin] {
            let a = actor(&w, 300, &[role]);
            let all = vec!["d6a", "d5a", "latin", "adhoc"];
            assert_eq!(room_rights(&a, &r), (all.clone(), all), "{role}");
        }
    }

    #[test]
    fn guests_role_less_people_and_other_establishments_get_no_room() {
        let w = world();
        let r = rooms(&w);
        assert_eq!(room_rights(&actor(&w, 600, &[Role::Guest]), &r), (vec![], vec![]));
        assert_eq!(room_rights(&actor(&w, 601, &[]), &r), (vec![], vec![]));
        // Even recorded as an ad-hoc room's creator, a guest-only account neither enters nor hosts.
        let guest_creator = actor(&w, 200, &[Role::Guest]);
        assert_eq!(room_rights(&guest_creator, &r), (vec![], vec![]));
        // The other establishment's people, whatever their relations (and even with the id of our
        // ad-hoc room's creator), enter none of ours.
        for role in [Role::Pupil, Role::Teacher, Role::Staff, Role::Principal, Role::Admin] {
            let mut stranger = actor(&w, 200, &[role]);
            stranger.establishment_id = w.other_school.clone();
            stranger.own_divisions = vec![w.d6a.clone()];
            stranger.taught_divisions = vec![w.d6a.clone()];
            // Only the other establishment's own room, and only for its staff.
            let theirs = if RoleSet::of(&[role]).is_establishment_wide() { vec!["elsewhere"] } else { vec![] };
            assert_eq!(room_rights(&stranger, &r), (theirs.clone(), theirs), "{role}");
        }
    }

    #[test]
    fn hosting_a_room_implies_entering_it() {
        let w = world();
        let r = rooms(&w);
        let mut people = vec![];
        for roles in [&[Role::Pupil][..], &[Role::Parent], &[Role::Teacher], &[Role::Staff], &[Role::Principal], &[Role::Admin], &[Role::Guest], &[Role::Teacher, Role::Parent]] {
            let mut a = actor(&w, 200, roles);
            a.own_divisions = vec![w.d6a.clone()];
            a.own_groups = vec![w.latin.clone()];
            a.taught_divisions = vec![w.d5a.clone()];
            people.push(a);
        }
        for a in &people {
            for room in r.all() {
                assert!(!host(a, room) || join(a, room), "{:?} hosts {:?} without entering it", a.roles, room.audience);
            }
        }
    }

    #[test]
    fn teachers_and_staff_open_ad_hoc_rooms() {
        let w = world();
        let create = |roles: &[Role], school: &EstablishmentId| {
            may(&actor(&w, 700, roles), Action::CreateRoom, Target::Establishment(school)).is_allowed()
        };
        for role in [Role::Teacher, Role::Staff, Role::Principal, Role::Admin] {
            assert!(create(&[role], &w.school), "{role}");
            assert!(!create(&[role], &w.other_school), "{role} in another establishment");
        }
        for role in [Role::Pupil, Role::Parent, Role::Guest] {
            assert!(!create(&[role], &w.school), "{role}");
        }
        let r = rooms(&w);
        let teacher = actor(&w, 200, &[Role::Teacher]);
        assert!(!may(&teacher, Action::CreateRoom, Target::Room(&r.adhoc)).is_allowed());
        assert!(!may(&teacher, Action::JoinRoom, Target::Establishment(&w.school)).is_allowed());
    }

    #[test]
    fn meetings_are_booked_by_staff_and_seen_by_those_invited() {
        let w = world();
        let book = |roles: &[Role], school: &EstablishmentId| {
            may(&actor(&w, 700, roles), Action::BookMeeting, Target::Establishment(school)).is_allowed()
        };
        for role in [Role::Teacher, Role::Staff, Role::Principal, Role::Admin] {
            assert!(book(&[role], &w.school), "{role}");
            assert!(!book(&[role], &w.other_school), "{role} in another establishment");
        }
        for role in [Role::Pupil, Role::Parent, Role::Guest] {
            assert!(!book(&[role], &w.school), "{role}");
        }
        let manage = |roles: &[Role]| {
            may(&actor(&w, 701, roles), Action::ManageMeetingRooms, Target::Establishment(&w.school)).is_allowed()
        };
        assert!(manage(&[Role::Admin]) && manage(&[Role::Principal]));
        assert!(!manage(&[Role::Teacher]) && !manage(&[Role::Staff]) && !manage(&[Role::Pupil]));

        let b = BookingFacts { establishment_id: w.school.clone(), organizer: id(800), invitees: vec![id(801)], staff_only: false };
        let can = |n: u128, roles: &[Role], action: Action, b: &BookingFacts| may(&actor(&w, n, roles), action, Target::Booking(b)).is_allowed();
        assert!(can(800, &[Role::Teacher], Action::ViewBooking, &b) && can(800, &[Role::Teacher], Action::CancelBooking, &b), "the organizer");
        assert!(can(801, &[Role::Teacher], Action::ViewBooking, &b), "an invitee sees it");
        assert!(!can(801, &[Role::Teacher], Action::CancelBooking, &b), "an invitee cannot cancel it");
        assert!(!can(802, &[Role::Teacher], Action::ViewBooking, &b), "another teacher");
        assert!(!can(803, &[Role::Staff], Action::ViewBooking, &b), "the education staff are not all invited");
        assert!(can(804, &[Role::Principal], Action::CancelBooking, &b), "the principal");
        let elsewhere = BookingFacts { establishment_id: w.other_school.clone(), ..b.clone() };
        assert!(!can(800, &[Role::Teacher], Action::ViewBooking, &elsewhere), "never across establishments");
        assert!(!can(804, &[Role::Principal], Action::CancelBooking, &elsewhere));
        assert!(!can(800, &[Role::Teacher], Action::JoinMeeting, &elsewhere));
    }

    #[test]
    fn meetings_are_entered_by_those_invited_and_led_by_their_organizer() {
        let w = world();
        let can = |n: u128, roles: &[Role], action: Action, b: &BookingFacts| may(&actor(&w, n, roles), action, Target::Booking(b)).is_allowed();
        // A pupil on the list (as a parent's meeting could have one) enters a video meeting…
        let video = BookingFacts { establishment_id: w.school.clone(), organizer: id(800), invitees: vec![id(801), id(802)], staff_only: false };
        assert!(can(802, &[Role::Pupil], Action::JoinMeeting, &video));
        // …but never a staff-only one, even invited; the staff on the list do.
        let staff = BookingFacts { staff_only: true, ..video.clone() };
        assert!(!can(802, &[Role::Pupil], Action::JoinMeeting, &staff), "a pupil in a staff-only room");
        assert!(!can(802, &[Role::Parent], Action::JoinMeeting, &staff), "a parent in a staff-only room");
        assert!(can(801, &[Role::Teacher], Action::JoinMeeting, &staff));
        assert!(can(800, &[Role::Teacher], Action::HostMeeting, &staff), "the organizer leads");
        assert!(!can(801, &[Role::Teacher], Action::HostMeeting, &staff), "an invitee does not");
        assert!(can(804, &[Role::Principal], Action::JoinMeeting, &staff), "the principal may enter");
        assert!(!can(804, &[Role::Principal], Action::HostMeeting, &staff), "but does not lead");
        assert!(!can(803, &[Role::Teacher], Action::JoinMeeting, &staff), "a colleague not invited");
        let elsewhere = BookingFacts { establishment_id: w.other_school.clone(), ..staff.clone() };
        assert!(!can(800, &[Role::Teacher], Action::HostMeeting, &elsewhere));
    }

    #[test]
    fn parents_are_invited_by_their_childrens_teachers_and_the_staff() {
        let w = world();
        let mut teacher = actor(&w, 400, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let invite = |a: &Actor, d: &DivisionId| may(a, Action::InviteParents, division(&w, d)).is_allowed();
        assert!(invite(&teacher, &w.d6a));
        assert!(!invite(&teacher, &w.d5a), "not another teacher's class");
        for role in [Role::Staff, Role::Principal, Role::Admin] {
            assert!(invite(&actor(&w, 401, &[role]), &w.d5a), "{role}");
        }
        for role in [Role::Pupil, Role::Parent, Role::Guest] {
            let mut a = actor(&w, 402, &[role]);
            a.own_divisions = vec![w.d6a.clone()];
            a.children_divisions = vec![w.d6a.clone()];
            assert!(!invite(&a, &w.d6a), "{role}");
        }
        let elsewhere = w.other_school.clone();
        assert!(!may(&actor(&w, 403, &[Role::Admin]), Action::InviteParents, Target::Division { id: &w.d6a, establishment_id: &elsewhere }).is_allowed());
    }

    #[test]
    fn mismatched_action_and_target_is_denied() {
        let w = world();
        let admin = actor(&w, 300, &[Role::Admin]);
        assert!(!may(&admin, Action::AdministerPeople, Target::Myself).is_allowed());
        assert!(!may(&admin, Action::ViewPerson, Target::Establishment(&w.school)).is_allowed());
    }

    fn homework(w: &World, audience: Audience, teacher: u128, published: bool) -> HomeworkFacts {
        HomeworkFacts { establishment_id: w.school.clone(), audience, teacher: id(teacher), published }
    }

    #[test]
    fn homework_is_seen_by_its_class_their_parents_and_teachers_and_work_by_its_pupil_parents_and_teachers() {
        let w = world();
        let set = homework(&w, Audience::Division(w.d6a.clone()), 200, true);
        let draft = homework(&w, Audience::Division(w.d6a.clone()), 200, false);
        let latin = homework(&w, Audience::Group(w.latin.clone()), 202, true);
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        let mut classmate = actor(&w, 101, &[Role::Pupil]);
        classmate.own_divisions = vec![w.d6a.clone()];
        let mut elsewhere = actor(&w, 102, &[Role::Pupil]);
        elsewhere.own_divisions = vec![w.d5a.clone()];
        elsewhere.own_groups = vec![w.latin.clone()];
        let mut parent = actor(&w, 300, &[Role::Parent]);
        parent.children = vec![id(100)];
        parent.children_divisions = vec![w.d6a.clone()];
        let mut latin_parent = actor(&w, 302, &[Role::Parent]);
        latin_parent.children = vec![id(102)];
        latin_parent.children_divisions = vec![w.d5a.clone()];
        latin_parent.children_groups = vec![w.latin.clone()];
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let mut colleague = actor(&w, 201, &[Role::Teacher]);
        colleague.taught_divisions = vec![w.d6a.clone(), w.d5a.clone()];
        let mut other_teacher = actor(&w, 203, &[Role::Teacher]);
        other_teacher.taught_divisions = vec![w.d5a.clone()];
        let cpe = actor(&w, 400, &[Role::Staff]);
        let mut stranger = actor(&w, 200, &[Role::Teacher]);
        stranger.establishment_id = w.other_school.clone();
        stranger.taught_divisions = vec![w.d6a.clone()];

        let can = |a: &Actor, action: Action, h: &HomeworkFacts| may(a, action, Target::Homework(h)).is_allowed();
        let sees_work = |a: &Actor, h: &HomeworkFacts, p: u128| may(a, Action::ViewSubmission, Target::Submission { homework: h, pupil: &id(p) }).is_allowed();
        // Seeing it: its class once published, their parents once published, its teachers, the staff.
        for (who, a, published, draft_too) in [
            ("pupil", &pupil, true, false), ("classmate", &classmate, true, false), ("pupil of 5e A", &elsewhere, false, false),
            ("parent", &parent, true, false), ("parent in 5e A", &latin_parent, false, false),
            ("teacher", &teacher, true, true), ("colleague of 6e A", &colleague, true, true), ("teacher of 5e A", &other_teacher, false, false),
            ("CPE", &cpe, true, true), ("teacher elsewhere", &stranger, false, false),
        ] {
            assert_eq!(can(a, Action::ViewHomework, &set), published, "{who} sees it");
            assert_eq!(can(a, Action::ViewHomework, &draft), draft_too, "{who} sees it before it is published");
        }
        // A group's homework: its pupils and their parents, not the rest of their class.
        assert!(can(&elsewhere, Action::ViewHomework, &latin) && can(&latin_parent, Action::ViewHomework, &latin));
        assert!(!can(&pupil, Action::ViewHomework, &latin) && !can(&parent, Action::ViewHomework, &latin));
        // Handing in: the class's pupils, once published.
        assert!(can(&pupil, Action::HandIn, &set) && !can(&pupil, Action::HandIn, &draft));
        for a in [&elsewhere, &parent, &teacher, &cpe] {
            assert!(!can(a, Action::HandIn, &set));
        }
        // Managing: who set it and the class's teachers; not the staff, nor another class's teacher.
        for (a, yes) in [(&teacher, true), (&colleague, true), (&other_teacher, false), (&cpe, false), (&pupil, false), (&stranger, false)] {
            assert_eq!(can(a, Action::ManageHomework, &set), yes);
        }
        // Setting: to the classes and groups one teaches.
        let set_for = |a: &Actor, aud: Audience| may(a, Action::SetHomework, Target::Audience { audience: &aud, establishment_id: &w.school }).is_allowed();
        assert!(set_for(&teacher, Audience::Division(w.d6a.clone())));
        assert!(!set_for(&teacher, Audience::Division(w.d5a.clone())));
        assert!(!set_for(&teacher, Audience::Group(w.latin.clone())));
        assert!(!set_for(&cpe, Audience::Division(w.d6a.clone())), "the staff do not set homework");
        assert!(!set_for(&stranger, Audience::Division(w.d6a.clone())));
        // One pupil's work: the pupil, their parents, the class's teachers — nobody else.
        for (who, a, own, other) in [
            ("pupil", &pupil, true, false), ("classmate", &classmate, false, true), ("parent", &parent, true, false),
            ("teacher", &teacher, true, true), ("teacher of 5e A", &other_teacher, false, false), ("CPE", &cpe, false, false),
            ("teacher elsewhere", &stranger, false, false),
        ] {
            assert_eq!(sees_work(a, &set, 100), own, "{who} sees pupil 100's work");
            assert_eq!(sees_work(a, &set, 101), other, "{who} sees pupil 101's work");
        }
    }

    #[test]
    fn messaging_whole_classes_are_written_to_by_their_teachers_and_conversations_read_by_their_members() {
        let w = world();
        fn div<'a>(d: &'a DivisionId, school: &'a EstablishmentId) -> Target<'a> {
            Target::Division { id: d, establishment_id: school }
        }
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let cpe = actor(&w, 300, &[Role::Staff]);
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        assert!(may(&teacher, Action::MessageDivision, div(&w.d6a, &w.school)).is_allowed());
        assert!(!may(&teacher, Action::MessageDivision, div(&w.d5a, &w.school)).is_allowed());
        assert!(may(&cpe, Action::MessageDivision, div(&w.d5a, &w.school)).is_allowed());
        assert!(!may(&pupil, Action::MessageDivision, div(&w.d6a, &w.school)).is_allowed());
        let members = [id(100), id(200)];
        let conv = Target::Conversation { establishment_id: &w.school, members: &members };
        assert!(may(&pupil, Action::ReadConversation, conv).is_allowed());
        assert!(may(&teacher, Action::ReadConversation, Target::Conversation { establishment_id: &w.school, members: &members }).is_allowed());
        assert!(!may(&cpe, Action::ReadConversation, Target::Conversation { establishment_id: &w.school, members: &members }).is_allowed(), "the staff read only their own");
        assert!(may(&pupil, Action::UseMessaging, Target::Establishment(&w.school)).is_allowed());
        assert!(!may(&actor(&w, 900, &[Role::Guest]), Action::UseMessaging, Target::Establishment(&w.school)).is_allowed());
        assert!(!may(&cpe, Action::ManageCommunication, Target::Establishment(&w.school)).is_allowed());
        assert!(may(&actor(&w, 1, &[Role::Admin]), Action::ManageCommunication, Target::Establishment(&w.school)).is_allowed());
    }

    #[test]
    fn a_lesson_is_changed_by_its_teacher_or_the_staff_and_the_timetable_kept_by_the_staff() {
        let w = world();
        let audience = Audience::Division(w.d6a.clone());
        let teacher_id = id(200);
        let course = Target::Course { establishment_id: &w.school, teacher: &teacher_id, audience: &audience };
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let mut colleague = actor(&w, 201, &[Role::Teacher]);
        colleague.taught_divisions = vec![w.d6a.clone()];
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        let cpe = actor(&w, 300, &[Role::Staff]);
        let course_of = || Target::Course { establishment_id: &w.school, teacher: &teacher_id, audience: &audience };
        assert!(may(&teacher, Action::ChangeLesson, course).is_allowed());
        assert!(!may(&colleague, Action::ChangeLesson, course_of()).is_allowed());
        assert!(!may(&pupil, Action::ChangeLesson, course_of()).is_allowed());
        assert!(may(&cpe, Action::ChangeLesson, course_of()).is_allowed());
        assert!(may(&cpe, Action::ManageTimetable, Target::Establishment(&w.school)).is_allowed());
        assert!(!may(&teacher, Action::ManageTimetable, Target::Establishment(&w.school)).is_allowed());
    }

    #[test]
    fn announcements_go_to_the_establishment_from_the_staff_and_to_a_class_from_its_teachers() {
        let w = world();
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let cpe = actor(&w, 300, &[Role::Staff]);
        let principal = actor(&w, 301, &[Role::Principal]);
        let pupil = actor(&w, 100, &[Role::Pupil]);
        let school = Target::Establishment(&w.school);
        let class = |d| Target::Division { id: d, establishment_id: &w.school };
        assert!(may(&cpe, Action::Announce, school).is_allowed());
        assert!(!may(&teacher, Action::Announce, Target::Establishment(&w.school)).is_allowed());
        assert!(may(&teacher, Action::Announce, class(&w.d6a)).is_allowed());
        assert!(!may(&teacher, Action::Announce, class(&w.d5a)).is_allowed());
        assert!(!may(&pupil, Action::Announce, class(&w.d6a)).is_allowed());
        let author = id(200);
        let mine = || Target::Announcement { establishment_id: &w.school, author: &author };
        assert!(may(&teacher, Action::WithdrawAnnouncement, mine()).is_allowed());
        assert!(!may(&cpe, Action::WithdrawAnnouncement, mine()).is_allowed());
        assert!(may(&principal, Action::WithdrawAnnouncement, mine()).is_allowed());
    }

    #[test]
    fn a_class_reads_its_resources_and_its_teachers_and_the_staff_keep_them() {
        let w = world();
        let d6a = Audience::Division(w.d6a.clone());
        let latin = Audience::Group(w.latin.clone());
        let on = |a: &Actor, action: Action, aud: &Audience| may(a, action, Target::Audience { audience: aud, establishment_id: &w.school }).is_allowed();
        let mut pupil = actor(&w, 100, &[Role::Pupil]);
        pupil.own_divisions = vec![w.d6a.clone()];
        let mut parent = actor(&w, 300, &[Role::Parent]);
        parent.children_groups = vec![w.latin.clone()];
        let mut teacher = actor(&w, 200, &[Role::Teacher]);
        teacher.taught_divisions = vec![w.d6a.clone()];
        let cpe = actor(&w, 400, &[Role::Staff]);
        assert!(on(&pupil, Action::ViewResources, &d6a) && !on(&pupil, Action::ViewResources, &latin));
        assert!(!on(&pupil, Action::ManageResources, &d6a));
        assert!(on(&parent, Action::ViewResources, &latin) && !on(&parent, Action::ViewResources, &d6a));
        assert!(on(&teacher, Action::ManageResources, &d6a) && !on(&teacher, Action::ManageResources, &latin));
        assert!(on(&cpe, Action::ManageResources, &latin) && on(&cpe, Action::ViewResources, &d6a));
    }
}
