//! Class resources (« ressources »): for each class or group and subject, folders of documents
//! its pupils (and their parents) read and download, and its teachers (and the staff) add to —
//! judged by content, within the upload limit and the establishment's quota —, rename and
//! delete.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use preau_core::files::FileKind;
use preau_core::policy::{Action, Target, may};
use preau_core::school::{Audience, Role};
use preau_core::{FolderId, SubjectId};
use preau_store::files::Role as FileRole;
use preau_store::resources::Folder;

use super::homework::{FileLink, links, read_form, refused_page, send_file, size_text};
use super::parse_id;
use crate::SharedState;
use crate::clock::random_u128;
use crate::errors::{AppError, AppResult};
use crate::view::{Chrome, Viewer, render};

/// Longest folder name.
const MAX_FOLDER: usize = 80;

fn audience_key(a: &Audience) -> String {
    match a {
        Audience::Division(d) => format!("d-{d}"),
        Audience::Group(g) => format!("g-{g}"),
    }
}

fn parse_audience(s: &str) -> Result<Audience, AppError> {
    match s.split_once('-') {
        Some(("d", id)) => Ok(Audience::Division(parse_id(id)?)),
        Some(("g", id)) => Ok(Audience::Group(parse_id(id)?)),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "resources.html")]
struct ListPage {
    c: Chrome,
    /// (address, "6e A — Mathématiques")
    shelves: Vec<(String, String)>,
}

pub async fn list(State(state): State<SharedState>, viewer: Viewer) -> AppResult {
    let tr = viewer.tr;
    let a = &viewer.actor;
    let mut audiences: Vec<Audience> = vec![];
    audiences.extend(a.own_audiences());
    audiences.extend(a.children_audiences());
    // The staff keep every class's.
    if a.roles.is_establishment_wide() {
        audiences.extend(state.store.timetable_names(&a.establishment_id).await?.audiences.into_iter().map(|(x, _)| x));
    }
    let teacher = viewer.person.roles.contains(Role::Teacher).then_some(&viewer.person.id);
    let shelves = state
        .store
        .shelves(&audiences, teacher)
        .await?
        .into_iter()
        .filter(|s| may(a, Action::ViewResources, Target::Audience { audience: &s.audience, establishment_id: &a.establishment_id }).is_allowed())
        .map(|s| (format!("/resources/{}/{}", audience_key(&s.audience), s.subject), format!("{} — {}", s.audience_name, s.subject_name)))
        .collect();
    render(StatusCode::OK, &ListPage { c: Chrome::new(tr, "resources", tr.t("resources-title"), Some(&viewer)), shelves })
}

struct FolderView {
    id: String,
    /// The subject's own documents, not a folder one may delete.
    root: bool,
    name: String,
    files: Vec<(FileLink, String)>,
}

#[derive(Template)]
#[template(path = "resources_shelf.html")]
struct ShelfPage {
    c: Chrome,
    csrf: String,
    heading: String,
    base: String,
    folders: Vec<FolderView>,
    manage: bool,
    used: String,
    quota: String,
    max_upload: String,
}

/// The class and subject of the address — of the viewer's establishment, or not found — with
/// their names, if the viewer may do `action` on them.
async fn shelf_of(state: &SharedState, viewer: &Viewer, audience: &str, subject: &str, action: Action) -> AppResult<(Audience, SubjectId, String)> {
    let audience = parse_audience(audience)?;
    let subject: SubjectId = parse_id(subject)?;
    let est = &viewer.actor.establishment_id;
    let names = state.store.timetable_names(est).await?;
    let subject_name = names.subjects.iter().find(|(id, _, _)| *id == subject).map(|(_, _, n)| n.clone()).ok_or(AppError::NotFound)?;
    let audience_name = names.audiences.iter().find(|(a, _)| *a == audience).map(|(_, n)| n.clone()).ok_or(AppError::NotFound)?;
    if !may(&viewer.actor, action, Target::Audience { audience: &audience, establishment_id: est }).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok((audience, subject, format!("{audience_name} — {subject_name}")))
}

pub async fn shelf(State(state): State<SharedState>, viewer: Viewer, Path((audience, subject)): Path<(String, String)>) -> AppResult {
    let tr = viewer.tr;
    let (audience, subject, heading) = shelf_of(&state, &viewer, &audience, &subject, Action::ViewResources).await?;
    let est = &viewer.actor.establishment_id;
    let manage = may(&viewer.actor, Action::ManageResources, Target::Audience { audience: &audience, establishment_id: est }).is_allowed();
    let mut folders = vec![];
    for f in state.store.folders(est, &audience, &subject).await? {
        let base = format!("/resources/folders/{}", f.id);
        let files = links(&tr, &base, &state.store.attachments(&f.id, FileRole::Resource).await?)
            .into_iter()
            .map(|l| {
                let sha = l.href.rsplit('/').next().unwrap_or("").to_owned();
                (l, sha)
            })
            .collect();
        folders.push(FolderView { id: f.id.clone(), root: f.name.is_empty(), name: if f.name.is_empty() { tr.t("resources-root") } else { f.name.clone() }, files });
    }
    let page = ShelfPage {
        c: Chrome::new(tr, "resources-shelf", heading.clone(), Some(&viewer)),
        csrf: viewer.csrf.clone(),
        heading,
        base: format!("/resources/{}/{}", audience_key(&audience), subject),
        folders,
        manage,
        used: size_text(&tr, state.store.resources_used(est).await?),
        quota: size_text(&tr, state.config.resources_quota_bytes),
        max_upload: size_text(&tr, state.config.max_upload_bytes as i64),
    };
    render(StatusCode::OK, &page)
}

/// `POST /resources/{audience}/{subject}`: adds documents to a folder (made if new; none named:
/// the root).
pub async fn add(State(state): State<SharedState>, viewer: Viewer, Path((audience, subject)): Path<(String, String)>, form: Multipart) -> AppResult {
    let tr = viewer.tr;
    let (audience, subject, _) = shelf_of(&state, &viewer, &audience, &subject, Action::ManageResources).await?;
    let back = format!("/resources/{}/{}", audience_key(&audience), subject);
    let sent = read_form(&tr, form).await?;
    if let Some(e) = sent.errors.first() {
        return refused_page(&tr, &viewer, back, e.clone());
    }
    let name: String = sent.get("folder").trim().to_owned();
    if name.chars().count() > MAX_FOLDER || name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return refused_page(&tr, &viewer, back, tr.t("resources-error-folder"));
    }
    let now = state.clock.now();
    let wanted = Folder { id: FolderId::new(now, random_u128()).to_string(), establishment_id: viewer.actor.establishment_id.clone(), audience, subject, name };
    let folder = state.store.ensure_folder(&wanted, &viewer.person.id, now).await?;
    if sent.files.is_empty() {
        // A folder made, empty.
        return Ok(Redirect::to(&back).into_response());
    }
    match state.store.add_resources(&folder, &sent.files, state.config.resources_quota_bytes, now).await? {
        Ok(()) => {
            tracing::info!(folder = %folder.id, files = sent.files.len(), "resources added");
            Ok(Redirect::to(&back).into_response())
        }
        Err(over) => {
            let message = tr.t2("resources-error-quota", "used", size_text(&tr, over.used), "quota", size_text(&tr, state.config.resources_quota_bytes));
            refused_page(&tr, &viewer, back, message)
        }
    }
}

/// The folder of the address, if the viewer may do `action` on its class.
async fn folder_for(state: &SharedState, viewer: &Viewer, id: &str, action: Action) -> AppResult<Folder> {
    let _: FolderId = parse_id(id)?;
    let f = state.store.folder(id).await?.ok_or(AppError::NotFound)?;
    if !may(&viewer.actor, action, Target::Audience { audience: &f.audience, establishment_id: &f.establishment_id }).is_allowed() {
        return Err(AppError::Forbidden);
    }
    Ok(f)
}

fn back_of(f: &Folder) -> String {
    format!("/resources/{}/{}", audience_key(&f.audience), f.subject)
}

/// `GET /resources/folders/{id}/files/{sha}`.
pub async fn file(State(state): State<SharedState>, viewer: Viewer, Path((id, sha)): Path<(String, String)>) -> AppResult {
    let f = folder_for(&state, &viewer, &id, Action::ViewResources).await?;
    let files = state.store.attachments(&f.id, FileRole::Resource).await?;
    let a = files.iter().find(|a| a.sha256 == sha).ok_or(AppError::NotFound)?;
    send_file(&state, a).await
}

/// `POST /resources/folders/{id}/files/{sha}/rename`: a new name, with the file's kind's extension.
pub async fn rename(State(state): State<SharedState>, viewer: Viewer, Path((id, sha)): Path<(String, String)>, axum::Form(form): axum::Form<Vec<(String, String)>>) -> AppResult {
    let tr = viewer.tr;
    let f = folder_for(&state, &viewer, &id, Action::ManageResources).await?;
    let files = state.store.attachments(&f.id, FileRole::Resource).await?;
    let a = files.iter().find(|a| a.sha256 == sha).ok_or(AppError::NotFound)?;
    let raw = form.iter().find(|(k, _)| k == "name").map_or("", |(_, v)| v.as_str());
    // The kind, from the file's first bytes, as when it was added.
    let mut head = vec![0u8; 4096];
    let n = {
        use tokio::io::AsyncReadExt;
        let mut file = tokio::fs::File::open(state.store.file_path(&a.sha256).ok_or(AppError::NotFound)?).await.map_err(|e| AppError::Internal(e.to_string()))?;
        file.read(&mut head).await.map_err(|e| AppError::Internal(e.to_string()))?
    };
    let kind = FileKind::sniff(&head[..n]);
    let Some(name) = kind.and_then(|k| k.name(raw)) else { return refused_page(&tr, &viewer, back_of(&f), tr.t1("files-error-name", "name", raw.chars().take(80).collect::<String>())) };
    state.store.rename_resource(&f, &sha, &name).await?;
    Ok(Redirect::to(&back_of(&f)).into_response())
}

/// `POST /resources/folders/{id}/files/{sha}/delete`.
pub async fn delete_file(State(state): State<SharedState>, viewer: Viewer, Path((id, sha)): Path<(String, String)>) -> AppResult {
    let f = folder_for(&state, &viewer, &id, Action::ManageResources).await?;
    if !state.store.delete_resource(&f, &sha).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&back_of(&f)).into_response())
}

/// `POST /resources/folders/{id}/delete`: a folder and what it holds (not the root).
pub async fn delete_folder(State(state): State<SharedState>, viewer: Viewer, Path(id): Path<String>) -> AppResult {
    let f = folder_for(&state, &viewer, &id, Action::ManageResources).await?;
    if !state.store.delete_folder(&f).await? {
        return Err(AppError::BadRequest("error-400-text"));
    }
    Ok(Redirect::to(&back_of(&f)).into_response())
}
