//! Recordings of audio conferences: their files, kept as the rooms report them (see
//! [`crate::signal::Report`]), closed when a stop of the server or a failure cut them short,
//! forgotten after their keeping time (rows, files, and files whose row could not be written),
//! and served to those who manage the meeting.
//!
//! A recording's file is `recordings/<id>.opus` in the data directory (outside any web root),
//! named by its id alone; its row in the store says which meeting it belongs to.

use std::path::{Path as FsPath, PathBuf};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::{Millis, RecordingId};
use preau_core::policy::Action;

use crate::errors::{AppError, AppResult};
use crate::i18n::Tr;
use crate::view::Viewer;
use crate::SharedState;

/// Where recordings go, how long they are kept, and whether hosts may make new ones (those
/// already made are kept, served and deleted on time either way).
#[derive(Debug, Clone)]
pub struct RecordingsConfig {
    pub dir: PathBuf,
    pub keep_days: u32,
    pub allowed: bool,
}

/// A recording never lasts longer than a meeting's room is open (12 hours and a half): a row
/// older than this without an end was left by a failure and is closed.
const LONGEST_MS: Millis = 24 * 3_600_000;

pub fn file(dir: &FsPath, id: &RecordingId) -> PathBuf {
    dir.join(format!("{id}.opus"))
}

fn file_size(path: &FsPath) -> i64 {
    std::fs::metadata(path).map_or(0, |m| m.len() as i64)
}

/// A recording began: its row.
pub(crate) async fn started(state: &SharedState, id: &RecordingId, booking: &preau_core::BookingId, by: &str, at: Millis) {
    if let Err(e) = state.store.recording_started(id, booking, by, at).await {
        // Its file has no row: the hourly pass deletes it at the end of its keeping time.
        tracing::error!(recording = %id, error = %e, "a recording could not be listed");
    }
}

/// A recording was stopped: waits (off the runtime) for its file to be complete, then notes
/// its length.
pub(crate) async fn finish(state: SharedState, id: RecordingId, recording: preau_media::record::Recording) {
    let Some(config) = &state.config.recordings else { return };
    let finished = tokio::task::spawn_blocking(move || recording.finish()).await;
    let (duration, bytes) = match finished {
        Ok(Ok(summary)) => {
            tracing::info!(recording = %id, seconds = summary.duration.as_secs(), bytes = summary.bytes, dropped = summary.dropped, "recording kept");
            (Some(summary.duration.as_millis() as i64), summary.bytes as i64)
        }
        Ok(Err(e)) => {
            tracing::error!(recording = %id, error = %e, "a recording could not be finished: its file plays up to the error");
            (None, file_size(&file(&config.dir, &id)))
        }
        Err(e) => {
            tracing::error!(recording = %id, error = %e, "a recording could not be finished");
            (None, file_size(&file(&config.dir, &id)))
        }
    };
    if let Err(e) = state.store.recording_ended(&id, state.clock.now(), duration, bytes).await {
        // Left open: the hourly pass closes it.
        tracing::error!(recording = %id, error = %e, "the end of a recording could not be noted");
    }
}

/// Closes the recordings a stop of the server cut short (begun before `boot`), then every
/// hour closes those a failure left open, and deletes those past their keeping time — rows and
/// files, and files without a row. Runs whether or not new recordings are allowed.
pub async fn run(state: SharedState) {
    let boot = state.clock.now();
    let Some(config) = state.config.recordings.clone() else { return };
    close_unfinished(&state, &config.dir, boot).await;
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        hourly_pass(&state).await;
    }
}

/// What the hourly pass does: closes rows a failure left open, deletes what is past its
/// keeping time.
pub async fn hourly_pass(state: &SharedState) {
    let Some(config) = &state.config.recordings else { return };
    let now = state.clock.now();
    close_unfinished(state, &config.dir, now - LONGEST_MS).await;
    let before = now - i64::from(config.keep_days) * 86_400_000;
    if let Err(e) = forget_before(state, &config.dir, before).await {
        tracing::error!(error = %e, "old recordings could not be deleted");
    }
    forget_unlisted(&config.dir, before).await;
}

/// Closes the rows without an end of recordings begun before `before` (cut short).
async fn close_unfinished(state: &SharedState, dir: &FsPath, before: Millis) {
    match state.store.unfinished_recordings().await {
        Ok(cut) => {
            for r in cut.iter().filter(|r| r.started_at < before) {
                tracing::warn!(recording = %r.id, "a recording was cut short");
                if let Err(e) = state.store.recording_ended(&r.id, r.started_at, None, file_size(&file(dir, &r.id))).await {
                    tracing::error!(recording = %r.id, error = %e, "a recording cut short could not be closed");
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "the recordings cut short could not be read"),
    }
}

/// Deletes recording files that no row lists (their row could not be written) once they are
/// past the keeping time: a recording's id, its file's name, says when it began.
async fn forget_unlisted(dir: &FsPath, before: Millis) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else { return };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".opus").and_then(|i| i.parse::<RecordingId>().ok()) else { continue };
        if id.timestamp_ms() < before {
            match tokio::fs::remove_file(entry.path()).await {
                Ok(()) => tracing::info!(recording = %id, "recording file deleted at the end of its keeping time"),
                Err(e) => tracing::error!(recording = %id, error = %e, "an old recording's file could not be removed"),
            }
        }
    }
}

/// Deletes the recordings begun before `before`: each row, then its file.
async fn forget_before(state: &SharedState, dir: &FsPath, before: Millis) -> Result<(), preau_store::StoreError> {
    for r in state.store.recordings_before(before).await? {
        forget(state, dir, &r.id).await?;
        tracing::info!(recording = %r.id, "recording deleted at the end of its keeping time");
    }
    Ok(())
}

/// Deletes one recording: its row, then its file (a file left behind by a failure to remove
/// it is named in the log; it is no longer served).
async fn forget(state: &SharedState, dir: &FsPath, id: &RecordingId) -> Result<bool, preau_store::StoreError> {
    let had = state.store.delete_recording(id).await?;
    match tokio::fs::remove_file(file(dir, id)).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!(recording = %id, error = %e, "a deleted recording's file could not be removed"),
    }
    Ok(had)
}

/// A recording as the meeting's page lists it.
pub(crate) struct RecordingView {
    pub(crate) id: String,
    /// "Le 30/11/2026 à 14:05, lancé par M. Martin".
    pub(crate) line: String,
    /// The delete button's accessible name, which says which recording.
    pub(crate) delete_label: String,
    /// "12 min, 2,9 Mo", "en cours", or "interrompu".
    pub(crate) what: String,
    pub(crate) ready: bool,
}

pub(crate) async fn views(state: &SharedState, tr: &Tr, booking: &preau_core::BookingId) -> AppResult<Vec<RecordingView>> {
    Ok(state
        .store
        .recordings(booking)
        .await?
        .into_iter()
        .map(|r| {
            let mb = format!("{:.1}", r.bytes.unwrap_or(0) as f64 / 1e6);
            let size = tr.t1("recording-size", "mb", if tr.lang == crate::i18n::Lang::Fr { mb.replace('.', ",") } else { mb });
            let what = match (r.ended_at, r.duration_ms) {
                (None, _) => tr.t("recording-running"),
                (Some(_), Some(ms)) => format!("{}, {size}", crate::pages::meetings::duration_text(ms)),
                (Some(_), None) => format!("{}, {size}", tr.t("recording-cut-short")),
            };
            let when = tr.datetime(r.started_at);
            RecordingView {
                id: r.id.to_string(),
                line: tr.t2("recording-line", "when", &when, "by", &r.started_by),
                delete_label: tr.t1("recording-delete-label", "when", &when),
                what,
                ready: r.ended_at.is_some(),
            }
        })
        .collect())
}

/// The recording `rid` of the meeting `id`, for one who manages the meeting.
async fn load(state: &SharedState, viewer: &Viewer, id: &str, rid: &str) -> AppResult<(preau_core::BookingId, RecordingId, PathBuf, bool)> {
    let (b, _room) = crate::pages::meetings::load(state, viewer, id, Action::CancelBooking).await?;
    let rid: RecordingId = crate::pages::parse_id(rid)?;
    let config = state.config.recordings.as_ref().ok_or(AppError::NotFound)?;
    match state.store.recording(&rid).await? {
        Some(r) if r.booking == b.id => Ok((b.id, rid, file(&config.dir, &r.id), r.ended_at.is_some())),
        _ => Err(AppError::NotFound),
    }
}

/// `GET /meetings/{id}/recordings/{rid}`: the file, as a download.
pub async fn download(State(state): State<SharedState>, viewer: Viewer, Path((id, rid)): Path<(String, String)>) -> AppResult {
    let (_, rid, path, ended) = load(&state, &viewer, &id, &rid).await?;
    if !ended {
        // Still being written: its end is not there yet.
        return Err(AppError::NotFound);
    }
    let file = tokio::fs::File::open(&path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound,
        _ => AppError::Internal(e.to_string()),
    })?;
    let length = file.metadata().await.map_err(|e| AppError::Internal(e.to_string()))?.len();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/ogg"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    // The id is a ULID (letters and digits): nothing to escape in the file name.
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"enregistrement-{rid}.opus\""))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    Ok(response)
}

/// `POST /meetings/{id}/recordings/{rid}/delete`.
pub async fn delete(State(state): State<SharedState>, viewer: Viewer, Path((id, rid)): Path<(String, String)>) -> AppResult {
    let (booking, rid, _, ended) = load(&state, &viewer, &id, &rid).await?;
    let Some(config) = &state.config.recordings else { return Err(AppError::NotFound) };
    if !ended {
        // Still being written: stopped first, from the room.
        return Err(AppError::BadRequest("recording-error-running"));
    }
    if forget(&state, &config.dir, &rid).await? {
        tracing::info!(recording = %rid, by = %viewer.person.id, "recording deleted");
    }
    Ok(Redirect::to(&format!("/meetings/{booking}#recordings")).into_response())
}
