//! Messaging (« messagerie »): the inbox and its archive, writing a message (to people, or to a
//! whole class or its parents), a conversation with its answers and files, and the
//! administrator's communication rules. Every recipient is checked against the rules
//! (`preau_core::messaging::may_write`) when the message is sent; a refusal names who and why,
//! and nothing is sent.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use preau_core::messaging::{self, CommunicationRules, Refusal};
use preau_core::policy::{Action, Target, may};
use preau_core::school::{Person, Role};
use preau_core::{ConversationId, DivisionId, MessageId, PersonId};
use preau_store::files::Role as FileRole;
use preau_store::messaging::{Conversation, Message};
use serde::Deserialize;

use super::homework::{FileLink, links, read_form, send_file};
use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::{Chrome, Viewer, render};

const INBOX_LIMIT: i64 = 200;
/// People found by a search on the form.
const SEARCH_LIMIT: i64 = 30;

// ---- The inbox -------------------------------------------------------------------------------

struct Line {
    id: String,
    subject: String,
    others: String,
    when: String,
    unread: i64,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct InboxPage {
    c: Chrome,
    archived: bool,
    lines: Vec<Line>,
    unread: i64,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    archived: Option<String>,
}

pub async fn inbox(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<InboxQuery>) -> AppResult {
    let tr = viewer.tr;
    let archived = q.archived.as_deref() == Some("1");
    let lines = state
        .store
        .conversations_of(&viewer.person.id, archived, INBOX_LIMIT)
        .await?
        .into_iter()
        .map(|l| Line { id: l.id.to_string(), subject: l.subject, others: l.others.join(", "), when: tr.datetime(l.last_at), unread: l.unread })
        .collect();
    let page = InboxPage {
        c: Chrome::new(tr, "messages", tr.t(if archived { "messages-archive-title" } else { "messages-title" }), Some(&viewer)),
        archived,
        lines,
        unread: state.store.unread_messages(&viewer.person.id).await?,
    };
    render(StatusCode::OK, &page)
}

// ---- Writing ----------------------------------------------------------------------------------

/// A person one may pick: (id, name, checked).
type Pick = (String, String, bool);

struct PickGroup {
    heading: String,
    people: Vec<Pick>,
}

#[derive(Template)]
#[template(path = "message_new.html")]
struct NewPage {
    c: Chrome,
    csrf: String,
    subject: String,
    body: String,
    /// For pupils and parents: everyone they may write to, by kind.
    groups: Vec<PickGroup>,
    /// For the staff: the search typed and what it found (with those already picked).
    staff: bool,
    q: String,
    found: Vec<Pick>,
    /// Classes one may write to as a whole: (id, name, pupils checked, parents checked).
    divisions: Vec<(String, String, bool, bool)>,
    errors: Vec<String>,
    max_subject: usize,
    max_body: usize,
    max_upload: String,
}

/// What the form had: subject, text, the people picked and the classes.
#[derive(Default)]
struct Draft {
    subject: String,
    body: String,
    to: BTreeSet<String>,
    pupils_of: BTreeSet<String>,
    parents_of: BTreeSet<String>,
    q: String,
}

impl Draft {
    fn from_fields(fields: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in fields {
            match k.as_str() {
                "subject" => d.subject = v.chars().take(messaging::MAX_SUBJECT + 50).collect(),
                "body" => d.body = v.chars().take(messaging::MAX_BODY + 100).collect(),
                "to" => drop(d.to.insert(v.clone())),
                "pupils_of" => drop(d.pupils_of.insert(v.clone())),
                "parents_of" => drop(d.parents_of.insert(v.clone())),
                "q" => d.q = v.chars().take(100).collect(),
                _ => {}
            }
        }
        d
    }
}

fn is_staff(viewer: &Viewer) -> bool {
    viewer.person.roles.is_staff()
}

/// Everyone a pupil or a parent may write to, by kind, under the rules.
async fn groups_for(state: &SharedState, viewer: &Viewer, rules: &CommunicationRules, picked: &BTreeSet<String>) -> AppResult<Vec<PickGroup>> {
    let tr = viewer.tr;
    let a = &viewer.actor;
    let roles = viewer.person.roles;
    // Each person once, in the first group that has them.
    let mut seen: BTreeSet<PersonId> = BTreeSet::new();
    let mut pick = |people: Vec<Person>| -> Vec<Pick> {
        people
            .into_iter()
            .filter(|p| p.id != viewer.person.id && !p.disabled && seen.insert(p.id.clone()))
            .map(|p| {
                let id = p.id.to_string();
                let checked = picked.contains(&id);
                (id, p.display_name(), checked)
            })
            .collect()
    };
    let mut groups = vec![];
    let mut add = |key: &str, people: Vec<Pick>| {
        if !people.is_empty() {
            groups.push(PickGroup { heading: tr.t(key), people });
        }
    };
    if roles.contains(Role::Parent) {
        add("messages-to-children", pick(state.store.children_of(&viewer.person.id).await?));
        if rules.parents_to_teachers {
            add("messages-to-children-teachers", pick(state.store.teachers_of(&a.children_divisions, &a.children_groups).await?));
        }
        if rules.parents_to_parents {
            let mut parents = vec![];
            for d in &a.children_divisions {
                parents.extend(state.store.parents_in_division(d).await?.into_iter().map(|(p, _)| p));
            }
            parents.sort_by(|x, y| (x.last_name.to_lowercase(), &x.id).cmp(&(y.last_name.to_lowercase(), &y.id)));
            parents.dedup_by(|x, y| x.id == y.id);
            add("messages-to-parents", pick(parents));
        }
    }
    if roles.contains(Role::Pupil) {
        if rules.pupils_to_teachers {
            add("messages-to-teachers", pick(state.store.teachers_of(&a.own_divisions, &a.own_groups).await?));
        }
        if rules.pupils_to_classmates {
            let mut mates = vec![];
            for d in &a.own_divisions {
                mates.extend(state.store.division_pupils(d).await?);
            }
            add("messages-to-classmates", pick(mates));
        }
    }
    if (roles.contains(Role::Pupil) && rules.pupils_to_staff) || (roles.contains(Role::Parent) && rules.parents_to_staff) {
        add("messages-to-office", pick(state.store.school_office_of(&a.establishment_id).await?));
    }
    Ok(groups)
}

async fn new_page(state: &SharedState, viewer: &Viewer, d: &Draft, errors: Vec<String>) -> AppResult<NewPage> {
    let tr = viewer.tr;
    let staff = is_staff(viewer);
    let rules = state.store.communication_rules(&viewer.actor.establishment_id).await?;
    let groups = if staff { vec![] } else { groups_for(state, viewer, &rules, &d.to).await? };
    let mut found: Vec<Pick> = vec![];
    if staff {
        // Those already picked stay on the form; the search adds its finds.
        for id in &d.to {
            if let Ok(pid) = id.parse::<PersonId>()
                && let Some(p) = state.store.person(&pid).await?
                && p.establishment_id == viewer.actor.establishment_id
            {
                found.push((id.clone(), p.display_name(), true));
            }
        }
        if !d.q.trim().is_empty() {
            let page = state.store.search_people(&viewer.actor.establishment_id, d.q.trim(), 0, SEARCH_LIMIT).await?;
            for p in page.people.into_iter().filter(|p| p.id != viewer.person.id && !p.disabled) {
                let id = p.id.to_string();
                if !d.to.contains(&id) {
                    found.push((id, format!("{} ({})", p.display_name(), super::roles_label(&tr, p.roles)), false));
                }
            }
        }
    }
    let divisions = if staff {
        state
            .store
            .division_summaries(&viewer.actor.establishment_id)
            .await?
            .into_iter()
            .filter(|s| may(&viewer.actor, Action::MessageDivision, Target::Division { id: &s.division.id, establishment_id: &viewer.actor.establishment_id }).is_allowed())
            .map(|s| {
                let id = s.division.id.to_string();
                let (pupils, parents) = (d.pupils_of.contains(&id), d.parents_of.contains(&id));
                (id, s.division.name, pupils, parents)
            })
            .collect()
    } else {
        vec![]
    };
    Ok(NewPage {
        c: Chrome::new(tr, "message-new", tr.t("messages-new-title"), Some(viewer)),
        csrf: viewer.csrf.clone(),
        subject: d.subject.clone(),
        body: d.body.clone(),
        groups,
        staff,
        q: d.q.clone(),
        found,
        divisions,
        errors,
        max_subject: messaging::MAX_SUBJECT,
        max_body: messaging::MAX_BODY,
        max_upload: super::homework::size_text(&tr, state.config.max_upload_bytes as i64),
    })
}

pub async fn new_form(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    render(StatusCode::OK, &new_page(&state, &viewer, &Draft::default(), vec![]).await?)
}

/// The explanation of a refusal, naming the person.
fn refusal_text(tr: &Tr, name: &str, r: Refusal) -> String {
    match r {
        Refusal::NotReachable => tr.t1("messages-refused-unreachable", "name", name),
        Refusal::NoRelation => tr.t1("messages-refused-no-relation", "name", name),
        Refusal::Closed(rule) => tr.t2("messages-refused-rule", "name", name, "rule", tr.t(&format!("messages-{rule}"))),
    }
}

/// `POST /messages/new`: searches the directory (staff), or sends.
pub async fn send(State(state): State<SharedState>, viewer: Viewer, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let sent = read_form(&tr, form).await?;
    let d = Draft::from_fields(&sent.fields);
    if sent.get("action") == "search" {
        return render(StatusCode::OK, &new_page(&state, &viewer, &d, vec![]).await?);
    }
    let mut errors = sent.errors.clone();
    let subject = messaging::clean_subject(&d.subject);
    if subject.is_none() {
        errors.push(tr.t("messages-error-subject"));
    }
    let body = messaging::clean_body(&d.body);
    if body.is_none() {
        errors.push(tr.t("messages-error-body"));
    }
    // Everyone it goes to: the people picked, each checked against the rules, and the classes
    // (pupils or parents) one may write to as a whole.
    let est = viewer.actor.establishment_id.clone();
    let rules = state.store.communication_rules(&est).await?;
    let mut to: BTreeSet<PersonId> = BTreeSet::new();
    // Whether everyone it goes to is staff (who may all write to each other).
    let mut all_staff = true;
    let mut refused = vec![];
    for id in &d.to {
        // Someone of another establishment is as unknown as a made-up id: no name shown.
        let Some(p) = (match id.parse::<PersonId>() {
            Ok(pid) => state.store.person(&pid).await?.filter(|p| p.establishment_id == viewer.actor.establishment_id),
            Err(_) => None,
        }) else {
            refused.push(tr.t1("messages-refused-unknown", "name", id.chars().take(40).collect::<String>()));
            continue;
        };
        let facts = state.store.person_facts(&p).await?;
        let reachable = if p.disabled { Err(Refusal::NotReachable) } else { messaging::may_write(&rules, &viewer.actor, &facts) };
        match reachable {
            Ok(()) => {
                all_staff &= p.roles.is_staff();
                to.insert(p.id);
            }
            Err(r) => refused.push(refusal_text(&tr, &p.display_name(), r)),
        }
    }
    for (ids, parents) in [(&d.pupils_of, false), (&d.parents_of, true)] {
        for id in ids {
            let division: DivisionId = parse_id(id).map_err(|_| AppError::BadRequest("error-400-text"))?;
            let Some(div) = state.store.division(&division).await? else { return Err(AppError::BadRequest("error-400-text")) };
            if !may(&viewer.actor, Action::MessageDivision, Target::Division { id: &division, establishment_id: &div.establishment_id }).is_allowed() {
                refused.push(tr.t1("messages-refused-division", "name", &div.name));
                continue;
            }
            let people: Vec<Person> = if parents {
                state.store.parents_in_division(&division).await?.into_iter().map(|(p, _)| p).collect()
            } else {
                state.store.division_pupils(&division).await?
            };
            all_staff = false;
            to.extend(people.into_iter().filter(|p| !p.disabled).map(|p| p.id));
        }
    }
    to.remove(&viewer.person.id);
    if !refused.is_empty() {
        // Nothing leaves: the person sees who may not be written to, and why.
        errors.insert(0, tr.t("messages-refused-intro"));
        errors.extend(refused);
        return render(StatusCode::FORBIDDEN, &new_page(&state, &viewer, &d, errors).await?);
    }
    if to.is_empty() {
        errors.push(tr.t("messages-error-nobody"));
    } else if to.len() > messaging::MAX_RECIPIENTS {
        errors.push(tr.tn("messages-error-too-many", "max", messaging::MAX_RECIPIENTS as i64));
    }
    let (Some(subject), Some(body), true) = (subject, body, errors.is_empty()) else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&state, &viewer, &d, errors).await?);
    };
    let now = state.clock.now();
    // The staff writing to pupils or parents (a class, its parents, several families): one
    // conversation each, so that no one answers everyone — pupils and parents write only to
    // whom the rules open to them — nor sees who else received it. Otherwise, one together.
    let groups: Vec<Vec<PersonId>> = if viewer.person.roles.is_staff() && !all_staff && to.len() > 1 {
        to.into_iter().map(|p| vec![p]).collect()
    } else {
        vec![to.into_iter().collect()]
    };
    let mut last = None;
    for recipients in &groups {
        let mut members: Vec<PersonId> = vec![viewer.person.id.clone()];
        members.extend(recipients.iter().cloned());
        let c = Conversation { id: ConversationId::new(now, random_u128()), establishment_id: est.clone(), subject: subject.clone(), started_by: viewer.person.id.clone(), members };
        let first = Message { id: MessageId::new(now, random_u128()), author: viewer.person.id.clone(), body: body.clone(), sent_at: now };
        state.store.start_conversation(&c, &subject, &first, &sent.files, now).await?;
        super::notifications::tell(&state, recipients, preau_store::notifications::MESSAGE, &subject, &format!("/messages/{}", c.id), now).await;
        last = Some(c.id);
    }
    tracing::info!(conversations = groups.len(), files = sent.files.len(), "message sent");
    match (groups.len(), last) {
        (1, Some(id)) => Ok(Redirect::to(&format!("/messages/{id}")).into_response()),
        _ => Ok(Redirect::to("/messages").into_response()),
    }
}

// ---- A conversation ---------------------------------------------------------------------------

struct MessageView {
    author: String,
    mine: bool,
    when: String,
    body: String,
    files: Vec<FileLink>,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    c: Chrome,
    csrf: String,
    id: String,
    subject: String,
    members: String,
    messages: Vec<MessageView>,
    archived: bool,
    max_body: usize,
    max_upload: String,
}

/// The conversation, if the viewer is in it.
async fn load(state: &SharedState, viewer: &Viewer, id: &str) -> AppResult<Conversation> {
    let id: ConversationId = parse_id(id)?;
    let c = state.store.conversation(&id).await?.ok_or(AppError::NotFound)?;
    let target = Target::Conversation { establishment_id: &c.establishment_id, members: &c.members };
    if !may(&viewer.actor, Action::ReadConversation, target).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

pub async fn show(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let tr = viewer.tr;
    let c = load(&state, &viewer, &id).await?;
    let mut names = std::collections::HashMap::new();
    for m in &c.members {
        if let Some(p) = state.store.person(m).await? {
            names.insert(m.clone(), p.display_name());
        }
    }
    let base = format!("/messages/{}", c.id);
    let mut messages = vec![];
    let mut last = 0;
    for m in state.store.messages(&c.id).await? {
        last = last.max(m.sent_at);
        messages.push(MessageView {
            author: names.get(&m.author).cloned().unwrap_or_default(),
            mine: m.author == viewer.person.id,
            when: tr.datetime(m.sent_at),
            body: m.body,
            files: links(&tr, &base, &state.store.attachments(m.id.as_str(), FileRole::Message).await?),
        });
    }
    state.store.mark_read(&c.id, &viewer.person.id, last).await?;
    let archived = state.store.is_archived(&c.id, &viewer.person.id).await?;
    let mut members: Vec<String> = c.members.iter().filter(|m| **m != viewer.person.id).filter_map(|m| names.get(m).cloned()).collect();
    members.sort();
    let page = ConversationPage {
        c: Chrome::new(tr, "conversation", c.subject.clone(), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        id: c.id.to_string(),
        subject: c.subject,
        members: members.join(", "),
        messages,
        archived,
        max_body: messaging::MAX_BODY,
        max_upload: super::homework::size_text(&tr, state.config.max_upload_bytes as i64),
    };
    render(StatusCode::OK, &page)
}

/// `POST /messages/{id}/reply`: anyone in the conversation answers everyone in it.
pub async fn reply(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let c = load(&state, &viewer, &id).await?;
    let sent = read_form(&tr, form).await?;
    if let Some(e) = sent.errors.first() {
        return super::homework::refused_page(&tr, &viewer, format!("/messages/{}", c.id), e.clone());
    }
    let Some(body) = messaging::clean_body(sent.get("body")) else {
        return super::homework::refused_page(&tr, &viewer, format!("/messages/{}", c.id), tr.t("messages-error-body"));
    };
    let now = state.clock.now();
    let m = Message { id: MessageId::new(now, random_u128()), author: viewer.person.id.clone(), body, sent_at: now };
    state.store.reply(&c.id, &m, &sent.files, now).await?;
    let others: Vec<PersonId> = c.members.iter().filter(|x| **x != viewer.person.id).cloned().collect();
    super::notifications::tell(&state, &others, preau_store::notifications::MESSAGE, &c.subject, &format!("/messages/{}", c.id), now).await;
    Ok(Redirect::to(&format!("/messages/{}#last", c.id)).into_response())
}

/// `POST /messages/{id}/archive`: into the archive, or back to the inbox.
pub async fn archive(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let c = load(&state, &viewer, &id).await?;
    let archived = form.iter().any(|(k, v)| k == "archived" && v == "1");
    state.store.set_archived(&c.id, &viewer.person.id, archived).await?;
    Ok(Redirect::to(if archived { "/messages" } else { "/messages?archived=1" }).into_response())
}

/// `GET /messages/{id}/files/{sha}`: a file attached to one of the conversation's messages.
pub async fn file(State(state): State<SharedState>, viewer: Viewer, Path((id, sha)): Path<(String, String)>) -> AppResult {
    let c = load(&state, &viewer, &id).await?;
    for m in state.store.messages(&c.id).await? {
        if let Some(a) = state.store.attachments(m.id.as_str(), FileRole::Message).await?.iter().find(|a| a.sha256 == sha) {
            return send_file(&state, a).await;
        }
    }
    Err(AppError::NotFound)
}

// ---- The rules --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_communication.html")]
struct RulesPage {
    c: Chrome,
    csrf: String,
    /// (field, label, checked)
    rules: Vec<(&'static str, String, bool)>,
    saved: bool,
}

fn rule_fields(r: &CommunicationRules) -> [(&'static str, bool); 6] {
    [
        ("pupils_to_teachers", r.pupils_to_teachers),
        ("pupils_to_classmates", r.pupils_to_classmates),
        ("pupils_to_staff", r.pupils_to_staff),
        ("parents_to_teachers", r.parents_to_teachers),
        ("parents_to_staff", r.parents_to_staff),
        ("parents_to_parents", r.parents_to_parents),
    ]
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn rules_form(State(state): State<SharedState>, viewer: Viewer, Query(q): Query<SavedQuery>) -> AppResult {
    let tr = viewer.tr;
    let r = state.store.communication_rules(&viewer.actor.establishment_id).await?;
    let page = RulesPage {
        c: Chrome::new(tr, "admin-communication", tr.t("rules-title"), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        rules: rule_fields(&r).into_iter().map(|(k, on)| (k, tr.t(&format!("messages-rule-{}", k.replace('_', "-"))), on)).collect(),
        saved: q.saved.is_some(),
    };
    render(StatusCode::OK, &page)
}

pub async fn save_rules(State(state): State<SharedState>, viewer: Viewer, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let on = |k: &str| form.iter().any(|(f, v)| f == k && v == "on");
    let r = CommunicationRules {
        pupils_to_teachers: on("pupils_to_teachers"),
        pupils_to_classmates: on("pupils_to_classmates"),
        pupils_to_staff: on("pupils_to_staff"),
        parents_to_teachers: on("parents_to_teachers"),
        parents_to_staff: on("parents_to_staff"),
        parents_to_parents: on("parents_to_parents"),
    };
    state.store.set_communication_rules(&viewer.actor.establishment_id, &r, state.clock.now()).await?;
    tracing::info!(by = %viewer.person.id, ?r, "communication rules changed");
    Ok(Redirect::to("/admin/communication?saved=1").into_response())
}
