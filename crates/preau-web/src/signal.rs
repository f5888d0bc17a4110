//! Room signalling over a WebSocket (`/rooms/{id}/ws`), as documented in docs/signalling.md.
//!
//! [`Live`] is the registry of rooms in session: who is in, hands, chat, who was removed. Each
//! socket runs one task; each participant also has a small task that relays what the media task
//! says about them ([`MediaEvent`]) to whichever socket they currently have, so a participant
//! survives a network blip: after a socket closes they keep their place for [`GRACE`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use base64::Engine;
use preau_core::{BookingId, PersonId, RecordingId, RoomId};
use preau_media::ParticipantId;
use preau_media::driver::{Command, MediaEvent, MediaHandle, Source};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::clock::random_bytes;
use preau_store::conferences::{LiveSession, Presence};

mod lobby;

/// How long a participant whose socket closed keeps their place.
pub const GRACE: Duration = Duration::from_secs(20);
/// A socket silent for this long is closed.
const IDLE: Duration = Duration::from_secs(30);
/// Largest message accepted.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Largest message the socket reads at all. One between [`MAX_MESSAGE`] and this gets a
/// `too_long` error and the socket stays open; a larger one ends the socket.
const MAX_READ: usize = 4 * MAX_MESSAGE;
/// A socket's read buffer to begin with: signalling messages are a few hundred bytes.
const READ_BUFFER: usize = 4 * 1024;
const MAX_CHAT: usize = 1000;
const CHAT_KEPT: usize = 200;
const MAX_PER_SECOND: u32 = 50;
const MAX_BAD_IN_A_ROW: u32 = 20;
/// Recordings one session may start (each is a file, a thread and a row).
const MAX_RECORDINGS: u32 = 20;

/// The rooms in session on this node.
pub struct Live {
    media: Option<MediaHandle>,
    rooms: Mutex<HashMap<RoomId, LiveRoom>>,
    next: AtomicU64,
    ice: IceConfig,
    /// Where the report of each session goes when it ends, and what becomes of recordings
    /// (see [`Live::report_to`]).
    reports: Mutex<Option<mpsc::UnboundedSender<Report>>>,
}

/// What the rooms tell whoever keeps their records.
pub enum Report {
    /// A session ended: who came and went.
    Session(LiveSession),
    /// A recording began: its file is `{id}.opus` in the recordings' directory.
    RecordingStarted { id: RecordingId, booking: BookingId, by: String, at: i64 },
    /// A recording was stopped: its file is complete once `recording` is finished.
    RecordingEnded { id: RecordingId, recording: preau_media::record::Recording },
}

/// A meeting that may be recorded, and where.
#[derive(Debug, Clone)]
pub struct RecordTo {
    pub booking: BookingId,
    /// In the file's tags.
    pub title: String,
    pub dir: std::path::PathBuf,
}

/// The recording running in a room.
struct Running {
    id: RecordingId,
    by: String,
    recording: preau_media::record::Recording,
}

/// ICE servers handed to browsers: STUN/TURN URLs, with TURN credentials in the TURN REST
/// shared-secret scheme (username "expiry:participant", password base64(HMAC-SHA1(secret, username))).
#[derive(Debug, Clone, Default)]
pub struct IceConfig {
    pub urls: Vec<String>,
    pub turn_secret: Option<String>,
    pub ttl: Duration,
}

#[derive(Default)]
struct LiveRoom {
    members: BTreeMap<ParticipantId, Member>,
    hands: Vec<ParticipantId>,
    chat: Vec<ChatLine>,
    removed: HashSet<PersonId>,
    /// Guests waiting for a host's answer, in order of arrival (see `lobby.rs`).
    lobby: Vec<lobby::Knock>,
    /// A locked room lets no one new in but its hosts.
    locked: bool,
    /// A host removed someone without an account: from then on, everyone who comes without one
    /// (a new pass is easy to get again) waits in the lobby.
    gated: bool,
    /// Who came and went since the session began, for its report.
    started_at: i64,
    presences: Vec<Presence>,
    recording: Option<Running>,
    /// Recordings started this session, against [`MAX_RECORDINGS`].
    recordings_made: u32,
}

struct Member {
    person: PersonId,
    name: String,
    host: bool,
    guest: bool,
    state: PeerState,
    resume: String,
    socket: Option<mpsc::UnboundedSender<Out>>,
    /// Bumped at each new socket, so a stale socket's end does not remove a resumed member.
    generation: u64,
    /// Their line in the room's `presences`.
    presence: usize,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
struct PeerState {
    audio: bool,
    video: bool,
    screen: bool,
    hand: bool,
}

#[derive(Debug, Clone, Serialize)]
struct ChatLine {
    from: String,
    name: String,
    text: String,
    at: i64,
}

/// What a socket task sends: a message, or a close with a reason.
#[derive(Debug)]
enum Out {
    Msg(String),
    Close(u16, &'static str),
}

#[derive(Debug, Clone, Serialize)]
struct ParticipantView {
    id: String,
    name: String,
    host: bool,
    guest: bool,
    #[serde(flatten)]
    state: PeerState,
}

fn pid(p: ParticipantId) -> String {
    format!("p{}", p.0)
}

fn parse_pid(s: &str) -> Option<ParticipantId> {
    s.strip_prefix('p')?.parse().ok().map(ParticipantId)
}

/// Server → client messages.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerMsg<'a> {
    Joined {
        you: String,
        resume: &'a str,
        host: bool,
        participants: Vec<ParticipantView>,
        hands: Vec<String>,
        ice_servers: Vec<serde_json::Value>,
        chat: &'a [ChatLine],
        locked: bool,
        /// Who started the recording running, if one is.
        recording: Option<&'a str>,
        /// Whether this host may record the room.
        recordable: bool,
    },
    Answer { sdp: &'a str },
    Tracks { tracks: Vec<serde_json::Value> },
    Renegotiate { audio: usize, video: usize },
    ParticipantJoined { participant: ParticipantView },
    ParticipantLeft { id: String },
    ParticipantState { participant: ParticipantView },
    Hands { queue: Vec<String> },
    Speaker { id: Option<String> },
    Video { mid: &'a str, on: bool },
    Layers { mid: &'a str, max: &'a str },
    Chat(&'a ChatLine),
    Muted { by: &'a str },
    Removed,
    Ended,
    /// To a guest: you are in the lobby, a host will answer.
    Waiting,
    /// To someone not let in: why (`refused` by a host, `locked`, `full`, `ended`).
    Refused { reason: &'a str },
    /// To hosts: the guests waiting, in order of arrival.
    Lobby { waiting: Vec<lobby::Waiting> },
    Locked { locked: bool },
    /// A recording began (`on`, by `by`) or stopped: everyone is told, and the page shows it.
    Recording { on: bool, by: &'a str },
    Error { code: &'a str, message: &'a str },
    Pong,
}

fn encode(msg: &ServerMsg<'_>) -> String {
    #[derive(Serialize)]
    struct Envelope<'a, 'b> {
        v: u8,
        #[serde(flatten)]
        msg: &'a ServerMsg<'b>,
    }
    serde_json::to_string(&Envelope { v: 1, msg }).unwrap_or_default()
}

/// Client → server messages.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientMsg {
    Join {
        #[serde(default)]
        resume: Option<String>,
    },
    Offer {
        sdp: String,
        #[serde(default)]
        sources: HashMap<String, String>,
    },
    View {
        #[serde(default)]
        heights: HashMap<String, u32>,
        #[serde(default)]
        pins: Vec<String>,
        #[serde(default)]
        audio_only: bool,
    },
    State {
        audio: bool,
        video: bool,
        #[serde(default)]
        screen: bool,
    },
    Chat { text: String },
    Hand { raised: bool },
    Mute { participant: String },
    LowerHand { participant: String },
    Remove { participant: String },
    MuteAll,
    Admit { guest: String },
    Refuse { guest: String },
    Lock { locked: bool },
    Record { on: bool },
    End,
    Ping,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    v: u8,
    #[serde(flatten)]
    msg: ClientMsg,
}

/// Parses one client message; the error says why, for the `error` reply.
fn parse(text: &str) -> Result<ClientMsg, &'static str> {
    if text.len() > MAX_MESSAGE {
        return Err("too_long");
    }
    let env: Envelope = serde_json::from_str(text).map_err(|_| "bad_message")?;
    if env.v != 1 {
        return Err("bad_version");
    }
    Ok(env.msg)
}

/// Checks one client message as the socket would: the entry point of the fuzz target.
pub fn check_client_message(text: &str) -> Result<(), &'static str> {
    parse(text).map(|_| ())
}

/// Who is joining, as the route established it.
pub struct Joiner {
    pub person: PersonId,
    pub name: String,
    pub host: bool,
    /// From outside the school (no account), by a meeting's link or a conference's PIN.
    pub guest: bool,
    /// Waits in the lobby until a host admits them (a guest by link; not one with a PIN).
    pub lobby: bool,
    /// An audio conference: offers may carry audio only.
    pub audio_only: bool,
    pub lang: crate::i18n::Tr,
    /// Most people in the room; a host comes in past it.
    pub capacity: usize,
    /// The meeting may be recorded (by its hosts): an audio conference, where the
    /// configuration allows it.
    pub record: Option<RecordTo>,
}

impl Live {
    pub fn new(media: Option<MediaHandle>, ice: IceConfig) -> Live {
        Live { media, rooms: Mutex::new(HashMap::new()), next: AtomicU64::new(1), ice, reports: Mutex::new(None) }
    }

    /// Sends the report of every session that ends to `to`.
    pub fn report_to(&self, to: mpsc::UnboundedSender<Report>) {
        *self.reports.lock().unwrap() = Some(to);
    }

    /// At shutdown: ends every session in progress, reporting each, and stops reporting (the
    /// receiver then sees its channel close once it has taken every report).
    pub fn end_all(&self) {
        let rooms: Vec<(RoomId, LiveRoom)> = self.rooms.lock().unwrap().drain().collect();
        let now = now_ms();
        for (id, mut room) in rooms {
            self.stop_recording(&id, &mut room);
            for m in room.members.values() {
                if let Some(p) = room.presences.get_mut(m.presence) {
                    p.left_at = now;
                }
            }
            self.report(&id, room);
        }
        *self.reports.lock().unwrap() = None;
    }

    /// People currently in a room (sockets in their grace period included).
    pub fn count(&self, room: &RoomId) -> usize {
        self.rooms.lock().unwrap().get(room).map_or(0, |r| r.members.len())
    }

    pub fn is_removed(&self, room: &RoomId, person: &PersonId) -> bool {
        self.rooms.lock().unwrap().get(room).is_some_and(|r| r.removed.contains(person))
    }

    fn ice_servers(&self, participant: ParticipantId, now_unix: u64) -> Vec<serde_json::Value> {
        if self.ice.urls.is_empty() {
            return vec![];
        }
        match &self.ice.turn_secret {
            Some(secret) => {
                let username = format!("{}:{}", now_unix + self.ice.ttl.as_secs(), pid(participant));
                let credential = turn_password(secret, &username);
                vec![serde_json::json!({ "urls": self.ice.urls, "username": username, "credential": credential })]
            }
            None => vec![serde_json::json!({ "urls": self.ice.urls })],
        }
    }

    fn broadcast(&self, room: &LiveRoom, except: Option<ParticipantId>, msg: &ServerMsg<'_>) {
        let text = encode(msg);
        for (id, m) in &room.members {
            if Some(*id) != except
                && let Some(s) = &m.socket
            {
                let _ = s.send(Out::Msg(text.clone()));
            }
        }
    }

    fn send_to(&self, room: &RoomId, who: ParticipantId, msg: &ServerMsg<'_>) {
        let rooms = self.rooms.lock().unwrap();
        if let Some(s) = rooms.get(room).and_then(|r| r.members.get(&who)).and_then(|m| m.socket.as_ref()) {
            let _ = s.send(Out::Msg(encode(msg)));
        }
    }

    fn view(id: ParticipantId, m: &Member) -> ParticipantView {
        ParticipantView { id: pid(id), name: m.name.clone(), host: m.host, guest: m.guest, state: m.state }
    }

    /// Whether a locked room keeps newcomers out.
    pub fn is_locked(&self, room: &RoomId) -> bool {
        self.rooms.lock().unwrap().get(room).is_some_and(|r| r.locked)
    }

    fn send_to_hosts(&self, room: &LiveRoom, msg: &ServerMsg<'_>) {
        let text = encode(msg);
        for m in room.members.values().filter(|m| m.host) {
            if let Some(s) = &m.socket {
                let _ = s.send(Out::Msg(text.clone()));
            }
        }
    }

    fn hands(room: &LiveRoom) -> Vec<String> {
        room.hands.iter().map(|h| pid(*h)).collect()
    }

    /// Removes a participant for good: from the room, the media task and everyone's list.
    fn leave(&self, room_id: &RoomId, who: ParticipantId) {
        let mut rooms = self.rooms.lock().unwrap();
        let Some(room) = rooms.get_mut(room_id) else { return };
        let Some(gone) = room.members.remove(&who) else { return };
        if let Some(p) = room.presences.get_mut(gone.presence) {
            p.left_at = now_ms();
        }
        room.hands.retain(|h| *h != who);
        if let Some(media) = &self.media {
            media.send(Command::Leave { participant: who });
        }
        self.broadcast(room, None, &ServerMsg::ParticipantLeft { id: pid(who) });
        self.broadcast(room, None, &ServerMsg::Hands { queue: Self::hands(room) });
        if room.members.is_empty() && room.lobby.is_empty() {
            // The session is over when the last one leaves: chat, removals and the lock go with it.
            if let Some(mut room) = rooms.remove(room_id) {
                self.stop_recording(room_id, &mut room);
                self.report(room_id, room);
            }
        }
    }

    /// Hands the report of a session that ended to whoever keeps them.
    fn report(&self, room_id: &RoomId, room: LiveRoom) {
        if room.presences.is_empty() {
            return;
        }
        let session = LiveSession { room: room_id.clone(), started_at: room.started_at, ended_at: now_ms(), presences: room.presences };
        self.send_report(Report::Session(session));
    }

    fn send_report(&self, report: Report) {
        if let Some(to) = self.reports.lock().unwrap().as_ref() {
            let _ = to.send(report);
        }
    }

    /// Starts recording the room for `by`, into a new file of `to.dir`: the file and the
    /// recorder's thread are made outside the rooms' lock, then installed under it.
    fn start_recording(&self, room_id: &RoomId, to: &RecordTo, by: &str) -> Result<(), &'static str> {
        let media = self.media.as_ref().ok_or("no_media")?;
        {
            let rooms = self.rooms.lock().unwrap();
            let room = rooms.get(room_id).ok_or("bad_message")?;
            if room.recording.is_some() {
                return Ok(());
            }
            if room.recordings_made >= MAX_RECORDINGS {
                return Err("record_limit");
            }
        }
        let id = RecordingId::new(now_ms(), crate::clock::random_u128());
        let path = to.dir.join(format!("{id}.opus"));
        let started = std::fs::File::create_new(&path).and_then(|file| preau_media::record::start(file, &to.title));
        let (sink, recording) = started.map_err(|e| {
            tracing::error!(room = %room_id, error = %e, "room: the recording could not start");
            "record_failed"
        })?;
        let mut rooms = self.rooms.lock().unwrap();
        let Some(room) = rooms.get_mut(room_id).filter(|r| r.recording.is_none()) else {
            // The session ended, or another host started one meanwhile: this one goes.
            drop(rooms);
            drop(sink);
            std::thread::spawn(move || {
                let _ = recording.finish();
                let _ = std::fs::remove_file(path);
            });
            return Ok(());
        };
        media.send(Command::Record { room: room_id.to_string(), sink: Some(sink) });
        tracing::info!(room = %room_id, recording = %id, "room: recording");
        self.send_report(Report::RecordingStarted { id: id.clone(), booking: to.booking.clone(), by: by.to_owned(), at: now_ms() });
        self.broadcast(room, None, &ServerMsg::Recording { on: true, by });
        room.recording = Some(Running { id, by: by.to_owned(), recording });
        room.recordings_made += 1;
        Ok(())
    }

    /// Stops the room's recording, if one runs: the SFU lets go of it, its file is finished
    /// by whoever keeps the reports, and everyone is told.
    fn stop_recording(&self, room_id: &RoomId, room: &mut LiveRoom) {
        let Some(running) = room.recording.take() else { return };
        if let Some(media) = &self.media {
            media.send(Command::Record { room: room_id.to_string(), sink: None });
        }
        tracing::info!(room = %room_id, recording = %running.id, "room: recording stopped");
        self.send_report(Report::RecordingEnded { id: running.id, recording: running.recording });
        self.broadcast(room, None, &ServerMsg::Recording { on: false, by: &running.by });
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl crate::LiveRooms for Live {
    fn participants(&self, room: &RoomId) -> usize {
        self.count(room)
    }
}

/// `GET /rooms/{id}/ws`: the same admission as the room page, then the socket.
pub async fn upgrade(
    axum::extract::State(state): axum::extract::State<crate::SharedState>,
    viewer: crate::view::Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    ws: Result<axum::extract::ws::WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<axum::response::Response, crate::errors::AppError> {
    check_origin(&state, &headers)?;
    let admission = crate::pages::rooms::admit(&state, &viewer.actor, &id).await?;
    let joiner = Joiner {
        person: viewer.person.id.clone(),
        name: viewer.person.display_name(),
        host: admission.host,
        guest: false,
        lobby: false,
        audio_only: false,
        lang: viewer.tr,
        capacity: state.config.room_capacity,
        record: None,
    };
    open(&state, admission.room.id, joiner, admission.full, ws)
}

/// A WebSocket is not protected by SameSite cookies: only our own pages may open one.
pub(crate) fn check_origin(state: &crate::SharedState, headers: &axum::http::HeaderMap) -> Result<(), crate::errors::AppError> {
    let origin_ok = headers.get(axum::http::header::ORIGIN).is_some() && crate::routes::same_origin(headers, &state.config.public_url);
    if origin_ok { Ok(()) } else { Err(crate::errors::AppError::Forbidden) }
}

/// Opens the socket of someone the route admitted: refused when the room is `full` (503) or
/// they were removed from it (403).
pub(crate) fn open(
    state: &crate::SharedState,
    room: RoomId,
    joiner: Joiner,
    full: bool,
    ws: Result<axum::extract::ws::WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<axum::response::Response, crate::errors::AppError> {
    use axum::response::IntoResponse;
    if full {
        return Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, "room full").into_response());
    }
    if state.signal.is_removed(&room, &joiner.person) {
        return Err(crate::errors::AppError::Forbidden);
    }
    let Ok(ws) = ws else { return Err(crate::errors::AppError::BadRequest("error-400-text")) };
    let live = state.signal.clone();
    Ok(open_socket(ws, live, room, joiner))
}

/// `GET /bench/rooms/{id}/ws`: a load bot's socket, for `preau-loadgen` only. It exists only when
/// the server was started with `--bench-token-file`; the bot must send that token as
/// `Authorization: Bearer …`. The room lives in memory only (any well-formed room id that is not a
/// school's room: 404 for those), the bot is a participant with no account (`name`, and `host=1` for a host),
/// and room capacity does not apply. Everything after the upgrade is the ordinary signalling.
pub async fn bench_upgrade(
    axum::extract::State(state): axum::extract::State<crate::SharedState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    ws: Result<axum::extract::ws::WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<axum::response::Response, crate::errors::AppError> {
    use crate::errors::AppError;
    let Some(expected) = state.config.bench_token.as_deref() else { return Err(AppError::NotFound) };
    let sent = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::auth::same_secret(sent, expected) {
        return Err(AppError::Forbidden);
    }
    let Ok(room) = id.parse::<RoomId>() else { return Err(AppError::NotFound) };
    // A bot never enters a school's room, nor a meeting's (whose live room has the booking's
    // id): bench rooms are fresh ids with nothing behind them.
    let booking: preau_core::BookingId = room.as_str().parse().map_err(|_| AppError::NotFound)?;
    let taken = state.store.room(&room).await.map_err(|e| AppError::Internal(e.to_string()))?.is_some()
        || state.store.booking(&booking).await.map_err(|e| AppError::Internal(e.to_string()))?.is_some();
    if taken {
        return Err(AppError::NotFound);
    }
    let Ok(ws) = ws else { return Err(AppError::BadRequest("error-400-text")) };
    let name: String = query.get("name").map(|n| n.chars().take(64).collect()).unwrap_or_else(|| "bot".into());
    let now = crate::clock::Clock::default().now();
    let joiner = Joiner {
        person: PersonId::new(now, crate::clock::random_u128()),
        name,
        host: query.get("host").is_some_and(|h| h == "1"),
        guest: false,
        lobby: false,
        audio_only: false,
        lang: crate::i18n::Tr::new(crate::i18n::Lang::Fr),
        capacity: usize::MAX,
        record: None,
    };
    let live = state.signal.clone();
    Ok(open_socket(ws, live, room, joiner))
}

/// TURN REST password: base64(HMAC-SHA1(secret, username)).
pub fn turn_password(secret: &str, username: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Upgrades to the room's socket. Its read buffer starts at [`READ_BUFFER`] rather than
/// tungstenite's 128 KiB, which every read zeroes and every participant keeps resident; it grows
/// for a longer message, up to [`MAX_READ`].
fn open_socket(
    ws: axum::extract::ws::WebSocketUpgrade,
    live: std::sync::Arc<Live>,
    room: RoomId,
    joiner: Joiner,
) -> axum::response::Response {
    ws.read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_READ)
        .max_frame_size(MAX_READ)
        .on_upgrade(move |socket| run_socket(live, room, joiner, socket))
}

/// Runs one socket until it closes.
pub async fn run_socket(live: std::sync::Arc<Live>, room_id: RoomId, joiner: Joiner, mut ws: WebSocket) {
    let tr = joiner.lang;
    // The first message must be `join`, soon.
    let first = tokio::time::timeout(Duration::from_secs(10), ws.recv()).await;
    let resume = match first {
        Ok(Some(Ok(Message::Text(t)))) => match parse(&t) {
            Ok(ClientMsg::Join { resume }) => resume,
            _ => return close(ws, 1008, "join expected").await,
        },
        _ => return,
    };
    // A guest not already in (after a blip) knocks first and waits for a host.
    let mut admitted = false;
    if live.must_knock(&room_id, &joiner, resume.as_deref()) {
        match lobby::wait(&live, &room_id, &joiner, &mut ws).await {
            lobby::Outcome::Admitted => admitted = true,
            lobby::Outcome::Refused(reason) => return refuse(ws, reason).await,
            lobby::Outcome::Gone => return,
        }
    }
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Out>();
    let (me, generation) = match attach(&live, &room_id, &joiner, resume.as_deref(), admitted, out_tx.clone()) {
        Ok(x) => x,
        Err(reason) => return refuse(ws, reason).await,
    };
    tracing::info!(room = %room_id, participant = me.0, "room: joined");

    let mut last_heard = Instant::now();
    let mut window = (Instant::now(), 0u32);
    let mut bad_in_a_row = 0u32;
    let mut idle = tokio::time::interval(Duration::from_secs(5));
    // Whether the page said goodbye (close 1000 or 1001: leave, tab closed) rather than dropped.
    let mut said_goodbye = false;
    loop {
        tokio::select! {
            incoming = ws.recv() => {
                let message = match incoming {
                    Some(Ok(message)) => message,
                    Some(Err(e)) => {
                        tracing::info!(participant = me.0, error = %e, "room: socket read failed, closing");
                        break;
                    }
                    None => break,
                };
                last_heard = Instant::now();
                if window.0.elapsed() >= Duration::from_secs(1) {
                    window = (Instant::now(), 0);
                }
                window.1 += 1;
                if window.1 > MAX_PER_SECOND {
                    tracing::warn!(participant = me.0, "room: message flood, closing");
                    close_handshake(&mut ws, 1008, "rate limited").await;
                    break;
                }
                let text = match message {
                    Message::Text(t) => t,
                    Message::Close(frame) => {
                        said_goodbye = frame.is_some_and(|f| f.code == 1000 || f.code == 1001);
                        break;
                    }
                    Message::Ping(_) | Message::Pong(_) => continue,
                    Message::Binary(_) => { bad_in_a_row += 1; continue }
                };
                match parse(&text) {
                    Ok(msg) => {
                        bad_in_a_row = 0;
                        if let Err(code) = handle(&live, &room_id, me, &joiner, msg) {
                            let message = tr.t(&format!("room-error-{code}"));
                            let _ = out_tx.send(Out::Msg(encode(&ServerMsg::Error { code, message: &message })));
                        }
                    }
                    Err(code) => {
                        bad_in_a_row += 1;
                        let message = tr.t(&format!("room-error-{code}"));
                        let _ = out_tx.send(Out::Msg(encode(&ServerMsg::Error { code, message: &message })));
                        if bad_in_a_row >= MAX_BAD_IN_A_ROW {
                            tracing::warn!(participant = me.0, "room: too many bad messages, closing");
                            close_handshake(&mut ws, 1008, "bad messages").await;
                            break;
                        }
                    }
                }
            }
            out = out_rx.recv() => match out {
                Some(Out::Msg(m)) => { if ws.send(Message::Text(m.into())).await.is_err() { break } }
                Some(Out::Close(code, reason)) => {
                    close_handshake(&mut ws, code, reason).await;
                    break;
                }
                None => break,
            },
            _ = idle.tick() => {
                if last_heard.elapsed() > IDLE {
                    tracing::info!(participant = me.0, "room: socket silent, closing");
                    break;
                }
            }
        }
    }
    if said_goodbye {
        tracing::info!(room = %room_id, participant = me.0, "room: left");
        live.leave(&room_id, me);
    } else {
        detach(&live, &room_id, me, generation);
    }
}

async fn close(mut ws: WebSocket, code: u16, reason: &'static str) {
    close_handshake(&mut ws, code, reason).await;
}

/// Says why someone is not let in (`refused`), then closes with 4003.
async fn refuse(mut ws: WebSocket, reason: &'static str) {
    let _ = ws.send(Message::Text(encode(&ServerMsg::Refused { reason }).into())).await;
    close_handshake(&mut ws, 4003, reason).await;
}

/// How long a closing socket waits for the page's own close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Sends a close frame, then reads and drops whatever the page still sends until its close frame
/// answers (or [`CLOSE_WAIT`] passes). Dropping the connection with unread data in it would reset
/// it, and the page would lose our close frame: it would see 1006 instead of the code.
async fn close_handshake(ws: &mut WebSocket, code: u16, reason: &'static str) {
    if ws.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(message)) = ws.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

impl Live {
    /// Whether `joiner` must wait in the lobby: a guest by link, or anyone without an account
    /// once a host removed one — unless `token` takes back a place they hold (after a blip).
    fn must_knock(&self, room: &RoomId, joiner: &Joiner, token: Option<&str>) -> bool {
        let rooms = self.rooms.lock().unwrap();
        let Some(r) = rooms.get(room) else { return joiner.lobby };
        let resuming = token.is_some_and(|t| r.members.values().any(|m| m.person == joiner.person && m.resume == t));
        !resuming && knocks(r, joiner)
    }
}

/// Whether someone coming into `room` without a place in it waits for a host.
fn knocks(room: &LiveRoom, joiner: &Joiner) -> bool {
    !joiner.host && (joiner.lobby || (joiner.guest && room.gated))
}

/// Enters the room, or takes back one's place with a resume token. `Err(reason)` when removed,
/// when the room is locked, or full (checked here too: a guest is admitted some time after the
/// page was served, and two people may race for the last place), or when one who must knock
/// was not `admitted` by a host (decided here, under the lock: a place to resume may have gone
/// since the lobby was skipped).
fn attach(
    live: &std::sync::Arc<Live>,
    room_id: &RoomId,
    joiner: &Joiner,
    resume: Option<&str>,
    admitted: bool,
    socket: mpsc::UnboundedSender<Out>,
) -> Result<(ParticipantId, u64), &'static str> {
    let mut rooms = live.rooms.lock().unwrap();
    let room = rooms.entry(room_id.clone()).or_default();
    // A resumed place: same person, same token.
    let resumed = resume.and_then(|token| {
        room.members.iter().find(|(_, m)| m.person == joiner.person && m.resume == token).map(|(id, _)| *id)
    });
    let refusal = if room.removed.contains(&joiner.person) {
        Some("removed")
    } else if resumed.is_some() || joiner.host {
        None
    } else if knocks(room, joiner) && !admitted {
        Some("lobby")
    } else if room.locked && !admitted {
        // A guest let in by a host: the lock keeps out only those who come on their own.
        Some("locked")
    } else if room.members.len() >= joiner.capacity {
        Some("full")
    } else {
        None
    };
    if let Some(reason) = refusal {
        // Not in session (the entry was made just now): leave nothing behind.
        if room.members.is_empty() && room.lobby.is_empty() && room.presences.is_empty() {
            rooms.remove(room_id);
        }
        return Err(reason);
    }
    let room = rooms.get_mut(room_id).expect("kept above");
    let (me, generation, fresh) = match resumed {
        Some(id) => {
            let m = room.members.get_mut(&id).expect("found above");
            m.socket = Some(socket.clone());
            m.generation += 1;
            (id, m.generation, false)
        }
        None => {
            let id = ParticipantId(live.next.fetch_add(1, Ordering::Relaxed));
            let token: String = random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
            let now = now_ms();
            if room.presences.is_empty() {
                room.started_at = now;
            }
            room.presences.push(Presence {
                name: joiner.name.clone(),
                person: (!joiner.guest).then(|| joiner.person.clone()),
                host: joiner.host,
                joined_at: now,
                left_at: now,
            });
            room.members.insert(
                id,
                Member {
                    person: joiner.person.clone(),
                    name: joiner.name.clone(),
                    host: joiner.host,
                    guest: joiner.guest,
                    state: PeerState::default(),
                    resume: token,
                    socket: Some(socket.clone()),
                    generation: 1,
                    presence: room.presences.len() - 1,
                },
            );
            (id, 1, true)
        }
    };
    let m = &room.members[&me];
    let participants: Vec<ParticipantView> = room.members.iter().map(|(id, m)| Live::view(*id, m)).collect();
    let joined = ServerMsg::Joined {
        you: pid(me),
        resume: &m.resume,
        host: m.host,
        participants,
        hands: Live::hands(room),
        ice_servers: live.ice_servers(me, unix_now()),
        // Someone from outside sees only what is said once they are in.
        chat: if joiner.guest && fresh { &[] } else { &room.chat },
        locked: room.locked,
        recording: room.recording.as_ref().map(|r| r.by.as_str()),
        recordable: m.host && joiner.record.is_some() && live.media.is_some(),
    };
    let _ = socket.send(Out::Msg(encode(&joined)));
    if m.host {
        let _ = socket.send(Out::Msg(encode(&ServerMsg::Lobby { waiting: lobby::waiting(room) })));
    }
    if fresh {
        let view = Live::view(me, m);
        live.broadcast(room, Some(me), &ServerMsg::ParticipantJoined { participant: view });
        match &live.media {
            Some(media) => {
                let (events_tx, events_rx) = mpsc::unbounded_channel();
                media.send(Command::Join { room: room_id.to_string(), participant: me, events: events_tx });
                tokio::spawn(relay_media(live.clone(), room_id.clone(), me, events_rx));
            }
            None => {
                let _ = socket.send(Out::Msg(encode(&ServerMsg::Error { code: "no_media", message: "" })));
            }
        }
    }
    Ok((me, generation))
}

/// The socket closed: keep the place for [`GRACE`], then leave unless resumed.
fn detach(live: &std::sync::Arc<Live>, room_id: &RoomId, me: ParticipantId, generation: u64) {
    {
        let mut rooms = live.rooms.lock().unwrap();
        let Some(m) = rooms.get_mut(room_id).and_then(|r| r.members.get_mut(&me)) else { return };
        if m.generation != generation {
            return;
        }
        m.socket = None;
    }
    let live = live.clone();
    let room_id = room_id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(GRACE).await;
        let still_gone = {
            let rooms = live.rooms.lock().unwrap();
            rooms.get(&room_id).and_then(|r| r.members.get(&me)).is_some_and(|m| m.generation == generation && m.socket.is_none())
        };
        if still_gone {
            tracing::info!(room = %room_id, participant = me.0, "room: left (no socket)");
            live.leave(&room_id, me);
        }
    });
}

/// Relays what the media task says about one participant to their current socket.
async fn relay_media(live: std::sync::Arc<Live>, room_id: RoomId, me: ParticipantId, mut events: mpsc::UnboundedReceiver<MediaEvent>) {
    while let Some(e) = events.recv().await {
        match e {
            MediaEvent::Answer(sdp) => live.send_to(&room_id, me, &ServerMsg::Answer { sdp: &sdp }),
            MediaEvent::OfferRefused(_) => live.send_to(&room_id, me, &ServerMsg::Error { code: "bad_offer", message: "" }),
            MediaEvent::Tracks(slots) => {
                let tracks = slots
                    .iter()
                    .map(|s| serde_json::json!({ "mid": s.mid, "participant": pid(s.participant), "source": s.source.as_str() }))
                    .collect();
                live.send_to(&room_id, me, &ServerMsg::Tracks { tracks });
            }
            MediaEvent::Renegotiate { audio, video } => live.send_to(&room_id, me, &ServerMsg::Renegotiate { audio, video }),
            MediaEvent::Video { mid, on } => live.send_to(&room_id, me, &ServerMsg::Video { mid: &mid, on }),
            MediaEvent::Layers { mid, max } => live.send_to(&room_id, me, &ServerMsg::Layers { mid: &mid, max }),
            MediaEvent::Speaker(who) => live.send_to(&room_id, me, &ServerMsg::Speaker { id: who.map(pid) }),
            MediaEvent::Connected(_) => {}
            MediaEvent::Dropped(_) => {
                // The SFU gave up on this participant's media: close the socket so that the
                // page reconnects and starts a fresh media session as a new participant.
                let socket = live.rooms.lock().unwrap().get(&room_id).and_then(|r| r.members.get(&me)).and_then(|m| m.socket.clone());
                live.leave(&room_id, me);
                if let Some(s) = socket {
                    let _ = s.send(Out::Close(1011, "media session dropped"));
                }
                break;
            }
        }
        // Gone for good: stop relaying.
        if !live.rooms.lock().unwrap().get(&room_id).is_some_and(|r| r.members.contains_key(&me)) {
            break;
        }
    }
}

/// Handles one client message; `Err(code)` is answered with an `error`.
fn handle(live: &std::sync::Arc<Live>, room_id: &RoomId, me: ParticipantId, joiner: &Joiner, msg: ClientMsg) -> Result<(), &'static str> {
    let media = |c: Command| {
        if let Some(m) = &live.media {
            m.send(c);
        }
    };
    match msg {
        ClientMsg::Join { .. } => Err("bad_message"),
        ClientMsg::Ping => {
            live.send_to(room_id, me, &ServerMsg::Pong);
            Ok(())
        }
        ClientMsg::Offer { sdp, sources } => {
            let mut parsed = Vec::with_capacity(sources.len());
            for (mid, s) in sources {
                let source = Source::parse(&s).ok_or("bad_message")?;
                if joiner.audio_only && source != Source::Audio {
                    return Err("audio_only");
                }
                parsed.push((mid, source));
            }
            media(Command::Offer { participant: me, sdp, sources: parsed });
            Ok(())
        }
        ClientMsg::View { heights, pins, audio_only } => {
            let pins = pins.iter().filter_map(|p| parse_pid(p)).take(16).collect();
            let heights = heights.into_iter().take(64).collect();
            media(Command::View { participant: me, heights, pins, audio_only });
            Ok(())
        }
        ClientMsg::State { audio, video, screen } => {
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            let m = room.members.get_mut(&me).ok_or("bad_message")?;
            if audio && !m.state.audio {
                // Unmuting oneself after a host's mute is allowed, as in every classroom tool.
                media(Command::AudioAllowed { participant: me, allowed: true });
            }
            m.state.audio = audio;
            m.state.video = video;
            m.state.screen = screen;
            let view = Live::view(me, m);
            live.broadcast(room, None, &ServerMsg::ParticipantState { participant: view });
            Ok(())
        }
        ClientMsg::Chat { text } => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > MAX_CHAT {
                return Err("too_long");
            }
            let line = ChatLine { from: pid(me), name: joiner.name.clone(), text: text.to_owned(), at: unix_now() as i64 * 1000 };
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            live.broadcast(room, None, &ServerMsg::Chat(&line));
            room.chat.push(line);
            if room.chat.len() > CHAT_KEPT {
                room.chat.remove(0);
            }
            Ok(())
        }
        ClientMsg::Hand { raised } => {
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            set_hand(live, room, me, raised);
            Ok(())
        }
        ClientMsg::Mute { .. }
        | ClientMsg::MuteAll
        | ClientMsg::LowerHand { .. }
        | ClientMsg::Remove { .. }
        | ClientMsg::Admit { .. }
        | ClientMsg::Refuse { .. }
        | ClientMsg::Lock { .. }
        | ClientMsg::Record { .. }
        | ClientMsg::End
            if !joiner.host =>
        {
            Err("not_host")
        }
        ClientMsg::Admit { guest } => lobby::answer(live, room_id, &guest, true),
        ClientMsg::Refuse { guest } => lobby::answer(live, room_id, &guest, false),
        ClientMsg::Lock { locked } => {
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            room.locked = locked;
            live.broadcast(room, None, &ServerMsg::Locked { locked });
            Ok(())
        }
        ClientMsg::Record { on: true } => match &joiner.record {
            Some(to) => live.start_recording(room_id, to, &joiner.name),
            None => Err("not_recordable"),
        },
        ClientMsg::Record { on: false } => {
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            live.stop_recording(room_id, room);
            Ok(())
        }
        ClientMsg::Mute { participant } => {
            let target = parse_pid(&participant).ok_or("bad_message")?;
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            // Only a member of this room: participant ids are counted, not secret.
            if !room.members.contains_key(&target) {
                return Err("bad_message");
            }
            mute(live, room, target, &joiner.name);
            Ok(())
        }
        ClientMsg::MuteAll => {
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            let on: Vec<ParticipantId> = room.members.iter().filter(|(_, m)| !m.host && m.state.audio).map(|(id, _)| *id).collect();
            for target in on {
                mute(live, room, target, &joiner.name);
            }
            Ok(())
        }
        ClientMsg::LowerHand { participant } => {
            let target = parse_pid(&participant).ok_or("bad_message")?;
            let mut rooms = live.rooms.lock().unwrap();
            let room = rooms.get_mut(room_id).ok_or("bad_message")?;
            set_hand(live, room, target, false);
            Ok(())
        }
        ClientMsg::Remove { participant } => {
            let target = parse_pid(&participant).ok_or("bad_message")?;
            {
                let mut rooms = live.rooms.lock().unwrap();
                let room = rooms.get_mut(room_id).ok_or("bad_message")?;
                let m = room.members.get(&target).ok_or("bad_message")?;
                // A host stays: removing one would let a host by PIN ban the organizer.
                if m.host {
                    return Err("is_host");
                }
                if m.guest {
                    room.gated = true;
                }
                room.removed.insert(m.person.clone());
                if let Some(s) = &m.socket {
                    let _ = s.send(Out::Msg(encode(&ServerMsg::Removed)));
                    let _ = s.send(Out::Close(4001, "removed"));
                }
            }
            live.leave(room_id, target);
            Ok(())
        }
        ClientMsg::End => {
            let everyone: Vec<ParticipantId> = {
                let mut rooms = live.rooms.lock().unwrap();
                let room = rooms.get_mut(room_id).ok_or("bad_message")?;
                lobby::dismiss(room, "ended");
                for m in room.members.values() {
                    if let Some(s) = &m.socket {
                        let _ = s.send(Out::Msg(encode(&ServerMsg::Ended)));
                        let _ = s.send(Out::Close(4002, "ended"));
                    }
                }
                room.members.keys().copied().collect()
            };
            for p in everyone {
                live.leave(room_id, p);
            }
            Ok(())
        }
    }
}

/// A host (`by`) turns off `target`'s microphone: the SFU drops their audio, they are told,
/// everyone's list shows it.
fn mute(live: &Live, room: &mut LiveRoom, target: ParticipantId, by: &str) {
    let Some(m) = room.members.get_mut(&target) else { return };
    if let Some(media) = &live.media {
        media.send(Command::AudioAllowed { participant: target, allowed: false });
    }
    m.state.audio = false;
    if let Some(s) = &m.socket {
        let _ = s.send(Out::Msg(encode(&ServerMsg::Muted { by })));
    }
    let view = Live::view(target, m);
    live.broadcast(room, None, &ServerMsg::ParticipantState { participant: view });
}

fn set_hand(live: &Live, room: &mut LiveRoom, who: ParticipantId, raised: bool) {
    let Some(m) = room.members.get_mut(&who) else { return };
    m.state.hand = raised;
    let view = Live::view(who, m);
    room.hands.retain(|h| *h != who);
    if raised {
        room.hands.push(who);
    }
    live.broadcast(room, None, &ServerMsg::ParticipantState { participant: view });
    live.broadcast(room, None, &ServerMsg::Hands { queue: Live::hands(room) });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_strictly() {
        assert!(matches!(parse(r#"{"v":1,"type":"ping"}"#), Ok(ClientMsg::Ping)));
        assert!(matches!(parse(r#"{"v":1,"type":"chat","text":"bonjour"}"#), Ok(ClientMsg::Chat { .. })));
        assert!(matches!(
            parse(r#"{"v":1,"type":"offer","sdp":"v=0","sources":{"0":"audio"}}"#),
            Ok(ClientMsg::Offer { .. })
        ));
        assert_eq!(parse(r#"{"v":2,"type":"ping"}"#).err(), Some("bad_version"));
        assert_eq!(parse(r#"{"type":"ping"}"#).err(), Some("bad_message"));
        assert_eq!(parse(r#"{"v":1,"type":"launch_missiles"}"#).err(), Some("bad_message"));
        assert_eq!(parse(r#"{"v":1,"type":"chat"}"#).err(), Some("bad_message"));
        assert_eq!(parse("not json").err(), Some("bad_message"));
        assert_eq!(parse(&"x".repeat(MAX_MESSAGE + 1)).err(), Some("too_long"));
    }

    #[test]
    fn server_messages_carry_the_version() {
        let text = encode(&ServerMsg::Renegotiate { audio: 2, video: 3 });
        assert_eq!(text, r#"{"v":1,"type":"renegotiate","audio":2,"video":3}"#);
        assert_eq!(encode(&ServerMsg::Pong), r#"{"v":1,"type":"pong"}"#);
    }

    fn joiner(n: u128, name: &str, host: bool, guest: bool) -> Joiner {
        Joiner {
            person: PersonId::new(1, n),
            name: name.into(),
            host,
            guest,
            lobby: false,
            audio_only: false,
            lang: crate::i18n::Tr::new(crate::i18n::Lang::Fr),
            capacity: 10,
            record: None,
        }
    }

    fn drain(rx: &mut mpsc::UnboundedReceiver<Out>) -> Vec<String> {
        let mut out = vec![];
        while let Ok(Out::Msg(m)) = rx.try_recv() {
            out.push(m);
        }
        out
    }

    #[test]
    fn a_session_reports_who_came_and_went_when_the_last_one_leaves() {
        let live = std::sync::Arc::new(Live::new(None, IceConfig::default()));
        let (tx, mut reports) = mpsc::unbounded_channel();
        live.report_to(tx);
        let room = RoomId::new(1, 7);
        let (host_tx, _host_rx) = mpsc::unbounded_channel();
        let (guest_tx, _guest_rx) = mpsc::unbounded_channel();
        let (h, _) = attach(&live, &room, &joiner(1, "Mme Durand", true, false), None, false, host_tx).unwrap();
        let (g, _) = attach(&live, &room, &joiner(2, "M. Invité", false, true), None, false, guest_tx).unwrap();
        live.leave(&room, g);
        assert!(reports.try_recv().is_err(), "not over while the host is in");
        live.leave(&room, h);
        let Ok(Report::Session(s)) = reports.try_recv() else { panic!("the report when the last one leaves") };
        assert_eq!(s.room, room);
        let who: Vec<(&str, bool, bool)> = s.presences.iter().map(|p| (p.name.as_str(), p.host, p.person.is_some())).collect();
        assert_eq!(who, [("Mme Durand", true, true), ("M. Invité", false, false)], "a guest has no account to name");
        assert!(s.presences.iter().all(|p| s.started_at <= p.joined_at && p.joined_at <= p.left_at && p.left_at <= s.ended_at));
        assert_eq!(live.count(&room), 0);
    }

    #[test]
    fn only_a_host_of_a_meeting_that_may_be_recorded_records_it() {
        let live = std::sync::Arc::new(Live::new(None, IceConfig::default()));
        let room = RoomId::new(1, 9);
        let dir = tempfile::tempdir().unwrap();
        let to = RecordTo { booking: BookingId::new(1, 9), title: "Point".into(), dir: dir.path().into() };
        let host = Joiner { record: Some(to.clone()), ..joiner(1, "Animatrice", true, false) };
        let caller = Joiner { record: Some(to), ..joiner(2, "Appelant", false, true) };
        let class_host = joiner(3, "Professeur", true, false);
        let mut ids = vec![];
        for j in [&host, &caller, &class_host] {
            let (tx, rx) = mpsc::unbounded_channel();
            ids.push((attach(&live, &room, j, None, false, tx).unwrap().0, rx));
        }
        let joined: serde_json::Value = serde_json::from_str(&drain(&mut ids[0].1)[0]).unwrap();
        assert_eq!((joined["recording"].clone(), joined["recordable"].clone()), (serde_json::Value::Null, false.into()), "no SFU, no recording");
        let record = |on| ClientMsg::Record { on };
        assert_eq!(handle(&live, &room, ids[1].0, &caller, record(true)), Err("not_host"));
        assert_eq!(handle(&live, &room, ids[2].0, &class_host, record(true)), Err("not_recordable"));
        assert_eq!(handle(&live, &room, ids[0].0, &host, record(true)), Err("no_media"));
        assert_eq!(handle(&live, &room, ids[0].0, &host, record(false)), Ok(()), "stopping what does not run is harmless");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file");
        assert!(drain(&mut ids[1].1).iter().all(|m| !m.contains(r#""type":"recording""#)), "no one told of a recording");
    }

    #[test]
    fn a_host_mutes_everyone_but_the_hosts_and_only_a_host_may() {
        let live = std::sync::Arc::new(Live::new(None, IceConfig::default()));
        let room = RoomId::new(1, 8);
        let host = joiner(1, "Animatrice", true, false);
        let (host_tx, mut host_rx) = mpsc::unbounded_channel();
        let (h, _) = attach(&live, &room, &host, None, false, host_tx).unwrap();
        let mut others = vec![];
        for n in 2..4 {
            let (tx, rx) = mpsc::unbounded_channel();
            let who = joiner(n, "Participant", false, true);
            let (id, _) = attach(&live, &room, &who, None, false, tx).unwrap();
            handle(&live, &room, id, &who, ClientMsg::State { audio: true, video: false, screen: false }).unwrap();
            others.push((id, who, rx));
        }
        handle(&live, &room, h, &host, ClientMsg::State { audio: true, video: false, screen: false }).unwrap();
        assert_eq!(handle(&live, &room, others[0].0, &others[0].1, ClientMsg::MuteAll), Err("not_host"));
        drain(&mut host_rx);
        handle(&live, &room, h, &host, ClientMsg::MuteAll).unwrap();
        for (_, _, rx) in &mut others {
            assert!(drain(rx).iter().any(|m| m.contains(r#""type":"muted","by":"Animatrice""#)), "each participant is told");
        }
        let rooms = live.rooms.lock().unwrap();
        let r = &rooms[&room];
        assert!(r.members.values().filter(|m| !m.host).all(|m| !m.state.audio));
        assert!(r.members[&h].state.audio, "the host keeps their microphone");
    }

    #[test]
    fn hosts_stay_removed_outsiders_make_the_next_ones_knock_and_guests_see_no_earlier_chat() {
        let live = std::sync::Arc::new(Live::new(None, IceConfig::default()));
        let room = RoomId::new(1, 9);
        let host = joiner(1, "Organisatrice", true, false);
        let (host_tx, _host_rx) = mpsc::unbounded_channel();
        let (h, _) = attach(&live, &room, &host, None, false, host_tx).unwrap();
        let lead = joiner(2, "Hôte par code", true, true);
        let (lead_tx, _lead_rx) = mpsc::unbounded_channel();
        let (l, _) = attach(&live, &room, &lead, None, false, lead_tx).unwrap();
        assert_eq!(handle(&live, &room, l, &lead, ClientMsg::Remove { participant: pid(h) }), Err("is_host"), "a host stays");
        handle(&live, &room, h, &host, ClientMsg::Chat { text: "avant l'arrivée des invités".into() }).unwrap();
        // Someone by PIN comes straight in, and sees nothing said before.
        let caller = joiner(3, "Appelant", false, true);
        assert!(!live.must_knock(&room, &caller, None));
        let (caller_tx, mut caller_rx) = mpsc::unbounded_channel();
        let (c, _) = attach(&live, &room, &caller, None, false, caller_tx).unwrap();
        let joined = drain(&mut caller_rx).into_iter().find(|m| m.contains(r#""type":"joined""#)).unwrap();
        assert!(joined.contains(r#""chat":[]"#), "{joined}");
        // Removed: the next one without an account waits in the lobby.
        handle(&live, &room, h, &host, ClientMsg::Remove { participant: pid(c) }).unwrap();
        let again = joiner(4, "Appelant", false, true);
        assert!(live.must_knock(&room, &again, None));
        let (again_tx, _again_rx) = mpsc::unbounded_channel();
        assert_eq!(attach(&live, &room, &again, None, false, again_tx.clone()).err(), Some("lobby"));
        assert!(attach(&live, &room, &again, None, true, again_tx).is_ok(), "in once a host admits them");
        assert!(!live.must_knock(&room, &joiner(5, "Collègue", false, false), None), "people of the school do not knock");
        // Refused at the door of a room not in session: nothing is left behind.
        let elsewhere = RoomId::new(1, 11);
        let (tx, _rx) = mpsc::unbounded_channel();
        let knocker = Joiner { lobby: true, ..joiner(6, "Invitée", false, true) };
        assert_eq!(attach(&live, &elsewhere, &knocker, None, false, tx).err(), Some("lobby"));
        assert!(!live.rooms.lock().unwrap().contains_key(&elsewhere));
    }

    #[test]
    fn an_audio_conference_takes_no_video() {
        let live = std::sync::Arc::new(Live::new(None, IceConfig::default()));
        let room = RoomId::new(1, 10);
        let caller = Joiner { audio_only: true, ..joiner(1, "Appelant", false, true) };
        let (tx, _rx) = mpsc::unbounded_channel();
        let (c, _) = attach(&live, &room, &caller, None, false, tx).unwrap();
        let offer = |source: &str| ClientMsg::Offer { sdp: "v=0".into(), sources: HashMap::from([("0".into(), source.into())]) };
        assert_eq!(handle(&live, &room, c, &caller, offer("camera")), Err("audio_only"));
        assert_eq!(handle(&live, &room, c, &caller, offer("screen")), Err("audio_only"));
        assert_eq!(handle(&live, &room, c, &caller, offer("audio")), Ok(()));
    }

    #[test]
    fn turn_passwords_follow_the_rest_scheme() {
        // RFC 2202 test case 2 for HMAC-SHA1.
        assert_eq!(turn_password("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }
}
