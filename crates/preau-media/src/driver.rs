//! The UDP driver: the thin IO shell around str0m and the forwarding core.
//!
//! One task owns one UDP socket, every participant's `str0m::Rtc` and every [`Room`]. It waits
//! for datagrams, a command from signalling, or the earliest deadline. Datagrams come in batches
//! (`recvmmsg`); each is fed to the right `Rtc` (the peer its source address belonged to, checked
//! with `Rtc::accepts`, else a scan: ICE ufrag first, then the nominated address), which is
//! drained until `Timeout`; media becomes forwarding decisions of the room's core, and frames are
//! written to the subscribers' `Rtc`s. Each subscriber is drained once per loop turn however
//! many frames it was given, and every datagram of the turn goes out in batches (`sendmmsg`).
//! Signalling talks to it through [`MediaHandle`] (commands) and one [`MediaEvent`] channel per
//! participant.
//!
//! str0m runs in RTP mode: packets are forwarded as they come, their payload shared by every
//! subscriber and only their header rewritten ([`crate::rewrite`]: one continuous stream per
//! subscriber across layer switches and pauses, VP8 picture ids patched). str0m decrypts and
//! encrypts (SRTP), answers NACKs with RTX from its send buffer, sends NACKs and PLIs upstream,
//! and estimates each subscriber's bandwidth (TWCC), which is told what the room would like to
//! send so that it probes for it.

// Maps keyed by ids the server assigns (peers, tracks, rooms), looked up for every packet and
// subscriber, use foldhash (fast, not meant to resist chosen keys); maps whose keys a browser or a
// sender chooses (addresses, SSRCs, mids) keep std's randomly keyed SipHash.
use foldhash::{HashMap as FastMap, HashMapExt};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use str0m::bwe::{Bitrate, BweKind};
use str0m::change::SdpOffer;
use str0m::format::{Codec, PayloadParams};
use str0m::media::{KeyframeRequestKind, MediaKind, Mid, Pt, Rid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite, Ssrc, Vp8Descriptor};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::rewrite::{self, Rewriter};
use crate::room::{self, Packet};
use crate::udp;
use crate::{Layer, ParticipantId, Room, RoomConfig, TrackId, TrackKind};

/// What a sending `mid` of a browser carries, as its page declared it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Audio,
    Camera,
    Screen,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Audio => "audio",
            Source::Camera => "camera",
            Source::Screen => "screen",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "audio" => Some(Source::Audio),
            "camera" => Some(Source::Camera),
            "screen" => Some(Source::Screen),
            _ => None,
        }
    }

    fn track_kind(self) -> TrackKind {
        match self {
            Source::Audio => TrackKind::Audio,
            Source::Camera => TrackKind::Camera,
            Source::Screen => TrackKind::Screen,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Where the one UDP socket listens, e.g. 0.0.0.0:10000.
    pub udp: SocketAddr,
    /// Addresses advertised to browsers as ICE host candidates (with the socket's port). Empty:
    /// the socket's own address, which must then not be unspecified.
    pub public_ips: Vec<IpAddr>,
    pub room: RoomConfig,
    /// A peer that has not completed ICE and DTLS this long after joining is dropped.
    pub connect_timeout: Duration,
}

impl MediaConfig {
    pub fn new(udp: SocketAddr, public_ips: Vec<IpAddr>) -> MediaConfig {
        MediaConfig {
            udp,
            public_ips,
            room: RoomConfig::default(),
            connect_timeout: Duration::from_secs(30),
        }
    }
}

/// A signalling request to the media task.
#[derive(Debug)]
pub enum Command {
    Join {
        room: String,
        participant: ParticipantId,
        events: mpsc::UnboundedSender<MediaEvent>,
    },
    /// The browser's SDP offer; `sources` says what each of its sending mids is. The answer
    /// comes back as [`MediaEvent::Answer`] on the participant's channel.
    Offer {
        participant: ParticipantId,
        sdp: String,
        sources: Vec<(String, Source)>,
    },
    /// What the page shows: displayed height per received mid, pins, audio only.
    View {
        participant: ParticipantId,
        heights: Vec<(String, u32)>,
        pins: Vec<ParticipantId>,
        audio_only: bool,
    },
    /// The host muted this participant: their audio is not forwarded until they unmute.
    AudioAllowed {
        participant: ParticipantId,
        allowed: bool,
    },
    Leave {
        participant: ParticipantId,
    },
    /// Record the room's voices into `sink` (see [`crate::record`]), or stop (`None`): the
    /// driver drops its sink, which ends the recording.
    Record {
        room: String,
        sink: Option<crate::record::RecordSink>,
    },
}

/// What the media task tells one participant's signalling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    Answer(String),
    /// The offer could not be accepted.
    OfferRefused(String),
    /// Which of the participant's receive mids carries whom.
    Tracks(Vec<TrackSlot>),
    /// Offer again with at least this many receive transceivers of each kind.
    Renegotiate {
        audio: usize,
        video: usize,
    },
    /// The server stopped or resumed sending the video of this receive mid.
    Video {
        mid: String,
        on: bool,
    },
    Speaker(Option<ParticipantId>),
    /// To a publisher: encode the simulcast layers of this send mid up to this RID (`q`, `h`
    /// or `f`) only, nobody watches it larger; a higher one as soon as someone does.
    Layers {
        mid: String,
        max: &'static str,
    },
    /// ICE/DTLS connected (true) or lost (false).
    Connected(bool),
    /// The media session was dropped (the reason is logged): signalling should let the page
    /// start over.
    Dropped(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackSlot {
    pub mid: String,
    pub participant: ParticipantId,
    pub source: Source,
}

/// The media task's address for signalling.
#[derive(Clone)]
pub struct MediaHandle {
    commands: mpsc::UnboundedSender<Command>,
    /// The socket's address.
    pub local_addr: SocketAddr,
}

impl MediaHandle {
    /// Sends a command; false when the media task has stopped.
    pub fn send(&self, c: Command) -> bool {
        self.commands.send(c).is_ok()
    }
}

/// Binds the UDP socket and starts the media task on the current tokio runtime.
pub async fn start(config: MediaConfig) -> std::io::Result<MediaHandle> {
    str0m::crypto::from_feature_flags().install_process_default();
    // A std socket: it is handed to the media thread's own runtime, whose reactor it joins.
    let socket = std::net::UdpSocket::bind(config.udp)?;
    socket.set_nonblocking(true)?;
    let local = socket.local_addr()?;
    socket_buffers(&socket);
    let mut candidates = vec![];
    let ips = if config.public_ips.is_empty() {
        vec![local.ip()]
    } else {
        config.public_ips.clone()
    };
    for ip in ips {
        match Candidate::host(SocketAddr::new(ip, local.port()), "udp") {
            Ok(c) => candidates.push(c),
            Err(e) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("cannot advertise {ip} as a media address ({e}); set media_public_ips"),
                ));
            }
        }
    }
    let provider = str0m::crypto::from_feature_flags();
    let cert = provider
        .dtls_provider
        .generate_certificate()
        .ok_or_else(|| std::io::Error::other("cannot generate the DTLS certificate"))?;
    let rtc_config = Rtc::builder()
        .set_ice_lite(true)
        .set_dtls_cert(cert)
        .clear_codecs()
        .enable_opus(true, false)
        .enable_vp8(true)
        .enable_h264(true)
        .enable_bwe(Some(Bitrate::kbps(800)))
        .set_rtp_mode(true)
        .set_stats_interval(Some(Duration::from_secs(1)));
    let (tx, rx) = mpsc::unbounded_channel();
    let connect_timeout = config.connect_timeout;
    let room_config = config.room;
    // The media loop gets a thread and a single-threaded runtime of its own: it never migrates
    // between the server's workers nor wakes them, and its timers and socket are its own.
    std::thread::Builder::new()
        .name("preau-media".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "media: cannot start the media runtime");
                    return;
                }
            };
            runtime.block_on(async move {
                let socket = match UdpSocket::from_std(socket) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "media: cannot use the UDP socket");
                        return;
                    }
                };
                Driver::new(
                    socket,
                    local,
                    candidates,
                    rtc_config,
                    room_config,
                    connect_timeout,
                )
                .run(rx)
                .await;
            });
        })?;
    tracing::info!(address = %local, "media: listening on UDP");
    Ok(MediaHandle {
        commands: tx,
        local_addr: local,
    })
}

impl Driver {
    fn new(
        socket: UdpSocket,
        local: SocketAddr,
        candidates: Vec<Candidate>,
        rtc_config: RtcConfig,
        room_config: RoomConfig,
        connect_timeout: Duration,
    ) -> Driver {
        let now = Instant::now();
        Driver {
            connect_timeout,
            local,
            candidates,
            rtc_config,
            room_config,
            peers: FastMap::new(),
            rooms: FastMap::new(),
            room_next: FastMap::new(),
            by_addr: HashMap::new(),
            io: Io {
                socket,
                outbox: udp::Outbox::default(),
                work: Vec::new(),
                tracks: FastMap::new(),
                next_track: 1,
                earliest: now,
                dirty: Vec::new(),
                counts: Counts::default(),
            },
            to: Vec::new(),
            last_stall_check: now,
            recorders: FastMap::new(),
        }
    }
}

/// Socket buffer size asked for, each way. The kernel's default (about 208 KiB, which holds only
/// some 90 full-size datagrams once its per-packet overhead is counted) overflows when a few
/// publishers send keyframes at once while the task is busy: every drop there is loss that the
/// browsers' congestion control answers by cutting their sending rate.
const SOCKET_BUFFER: usize = 4 << 20;

/// Raises the socket's buffers to [`SOCKET_BUFFER`], as far as the kernel lets us
/// (`net.core.rmem_max` / `wmem_max` cap them); says so when it does not.
fn socket_buffers(socket: &std::net::UdpSocket) {
    let s = socket2::SockRef::from(socket);
    let _ = s.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = s.set_send_buffer_size(SOCKET_BUFFER);
    // Linux reports twice what was granted (its bookkeeping overhead included).
    let recv = s.recv_buffer_size().unwrap_or(0);
    let send = s.send_buffer_size().unwrap_or(0);
    if recv < SOCKET_BUFFER || send < SOCKET_BUFFER {
        tracing::warn!(
            recv,
            send,
            wanted = SOCKET_BUFFER,
            "media: small UDP socket buffers, packets may be dropped under load; raise net.core.rmem_max and net.core.wmem_max"
        );
    } else {
        tracing::debug!(recv, send, "media: UDP socket buffers");
    }
}

/// A server-side send slot: a browser's receive transceiver.
#[derive(Debug)]
struct Slot {
    mid: Mid,
    kind: MediaKind,
    track: Option<TrackId>,
    /// The header rewriting of what is forwarded on it, restarted when the track changes.
    fwd: Rewriter,
    /// The publisher's payload type and this browser's for the same codec, last seen.
    pt: Option<(Pt, Pt)>,
}

impl Slot {
    fn new(mid: Mid, kind: MediaKind) -> Slot {
        Slot {
            mid,
            kind,
            track: None,
            fwd: Rewriter::default(),
            pt: None,
        }
    }

    fn assign(&mut self, track: Option<TrackId>) {
        if self.track != track {
            self.track = track;
            // Same outgoing SSRC: its numbering goes on (see `rewrite`), and the new track's
            // payload type is looked up again.
            self.fwd.retarget();
            self.pt = None;
        }
    }
}

/// What an incoming SSRC carries.
#[derive(Debug, Clone, Copy)]
struct Incoming {
    track: TrackId,
    layer: Layer,
}

struct Peer {
    room: String,
    rtc: Rtc,
    next: Instant,
    events: mpsc::UnboundedSender<MediaEvent>,
    /// What the browser said each of its sending mids is.
    sources: HashMap<Mid, Source>,
    /// The browser's sending mids and the tracks they publish.
    published: HashMap<Mid, TrackId>,
    /// Its SSRCs (one per simulcast layer), resolved once through str0m.
    incoming: HashMap<Ssrc, Incoming>,
    slots: Vec<Slot>,
    /// The mapping last sent with `Tracks`, to send it only when it changes.
    announced: Vec<TrackSlot>,
    asked: (usize, usize),
    audio_allowed: bool,
    /// NACK and PLI totals last reported per stream, to turn str0m's totals into counters.
    feedback: HashMap<(bool, Mid, Option<String>), (u64, u64)>,
    flood: Flood,
    joined: Instant,
    connected: bool,
    /// Written to since last drained (listed in `Io::dirty`).
    dirty: bool,
    /// The last instant its `Rtc` was given. str0m stamps what it sends with that instant
    /// (transport-wide congestion control compares those stamps with arrival times), so a
    /// subscriber's clock is brought forward before it is drained of forwarded packets.
    fed: Instant,
}

impl Peer {
    /// Gives the `Rtc` the time (its timers run, and what it sends next is stamped `now`); a
    /// failure ends the peer.
    fn advance(&mut self, id: ParticipantId, now: Instant) {
        self.fed = now;
        if let Err(e) = self.rtc.handle_input(Input::Timeout(now)) {
            tracing::info!(participant = id.0, error = %e, "media: peer failed");
            self.rtc.disconnect();
        }
    }

    /// Turns str0m's NACK and PLI totals for one stream into counter increments: `egress` for
    /// what subscribers sent us about what we send, else what we sent publishers.
    fn count_feedback(&mut self, egress: bool, mid: Mid, rid: Option<Rid>, nacks: u64, plis: u64) {
        let key = (egress, mid, rid.map(|r| r.to_string()));
        let (n, p) = self.feedback.insert(key, (nacks, plis)).unwrap_or((0, 0));
        let (nack_name, pli_name) = if egress {
            (
                "preau_media_nacks_received_total",
                "preau_media_plis_received_total",
            )
        } else {
            (
                "preau_media_nacks_sent_total",
                "preau_media_plis_sent_total",
            )
        };
        metrics::counter!(nack_name).increment(nacks.saturating_sub(n));
        metrics::counter!(pli_name).increment(plis.saturating_sub(p));
    }
}

/// Datagrams accepted from one peer per second; beyond, the rest of the second is dropped.
/// A browser sending three simulcast layers, audio and a screen share stays far below.
pub const MAX_DATAGRAMS_PER_SECOND: u32 = 3000;

/// Counts one peer's datagrams per one-second window.
#[derive(Debug, Clone, Copy)]
pub struct Flood {
    start: Instant,
    count: u32,
    reported: bool,
}

/// What to do with a datagram under the flood limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodVerdict {
    Accept,
    /// Drop it, and log: the first drop of this window.
    DropAndReport,
    Drop,
}

impl Flood {
    pub fn new(now: Instant) -> Flood {
        Flood {
            start: now,
            count: 0,
            reported: false,
        }
    }

    pub fn check(&mut self, now: Instant) -> FloodVerdict {
        if now.saturating_duration_since(self.start) >= Duration::from_secs(1) {
            *self = Flood::new(now);
        }
        self.count += 1;
        if self.count <= MAX_DATAGRAMS_PER_SECOND {
            FloodVerdict::Accept
        } else if !self.reported {
            self.reported = true;
            FloodVerdict::DropAndReport
        } else {
            FloodVerdict::Drop
        }
    }
}

#[derive(Debug, Clone)]
struct TrackInfo {
    owner: ParticipantId,
    mid: Mid,
    source: Source,
}

/// Things found while draining one `Rtc` that involve others.
// Nearly all work is packets: boxing them would cost an allocation each to save nothing.
#[allow(clippy::large_enum_variant)]
enum Work {
    Rtp(ParticipantId, RtpPacket),
    /// A subscriber asked for a keyframe of what it receives on this track.
    Keyframe(TrackId),
    Estimate(ParticipantId, u64),
    /// The fraction of what a subscriber was sent that was lost lately.
    Loss(ParticipantId, f32),
    Slots(String),
}

/// Counters kept locally and added to the metrics once per loop turn: a metrics lookup per
/// forwarded frame was a measurable cost.
#[derive(Default)]
struct Counts {
    packets_in: u64,
    bytes_in: u64,
    packets_out: u64,
    bytes_out: u64,
    junk: u64,
    flood_dropped: u64,
}

impl Counts {
    fn flush(&mut self, send_dropped: &mut u64) {
        for (name, v) in [
            ("preau_media_packets_in_total", self.packets_in),
            ("preau_media_bytes_in_total", self.bytes_in),
            ("preau_media_packets_out_total", self.packets_out),
            ("preau_media_bytes_out_total", self.bytes_out),
            ("preau_media_junk_datagrams_total", self.junk),
            ("preau_media_flood_dropped_total", self.flood_dropped),
            ("preau_media_send_dropped_total", *send_dropped),
        ] {
            if v > 0 {
                metrics::counter!(name).increment(v);
            }
        }
        *self = Counts::default();
        *send_dropped = 0;
    }
}

/// Everything draining a peer touches besides the peer, apart from the peers so that both can
/// be borrowed at once.
struct Io {
    socket: UdpSocket,
    outbox: udp::Outbox,
    /// In order: media frames must be forwarded in the order they came.
    work: Vec<Work>,
    tracks: FastMap<TrackId, TrackInfo>,
    next_track: u64,
    /// No peer or room needs the clock before this instant.
    earliest: Instant,
    /// Peers written to and not drained since.
    dirty: Vec<ParticipantId>,
    counts: Counts,
}

/// Queued datagrams beyond this are sent at once rather than at the end of the loop turn.
const OUTBOX_HIGH: usize = 512;
/// How stale a subscriber's clock may be when it is drained (see `Peer::fed`), and how long a
/// queued datagram may wait for its batch: well under the 5 ms bursts in which congestion
/// control groups packets.
const CLOCK_SLACK: Duration = Duration::from_millis(1);
/// How many times one drain wakes a peer whose timer is already due (see `drain`); the rest
/// waits for the next loop turn, so one peer cannot hold the loop.
const MAX_WAKES_PER_DRAIN: u32 = 256;

struct Driver {
    connect_timeout: Duration,
    local: SocketAddr,
    candidates: Vec<Candidate>,
    rtc_config: RtcConfig,
    room_config: RoomConfig,
    peers: FastMap<ParticipantId, Peer>,
    rooms: FastMap<String, Room>,
    /// When each room's core wants the clock next.
    room_next: FastMap<String, Instant>,
    /// Which peer a source address belonged to last: checked with `Rtc::accepts` before use,
    /// so a stale entry only costs the scan it saves.
    /// On std's SipHash: its keys are source addresses anyone in a room can choose.
    by_addr: HashMap<SocketAddr, ParticipantId>,
    io: Io,
    to: Vec<ParticipantId>,
    last_stall_check: Instant,
    /// Rooms being recorded: their Opus packets are offered to the recorder too.
    recorders: FastMap<String, crate::record::RecordSink>,
}

fn rid_of(layer: Layer) -> &'static str {
    match layer {
        Layer::Low => "q",
        Layer::Mid => "h",
        Layer::High => "f",
    }
}

/// Batches read in a row before commands and timers get a turn.
const BATCHES_PER_TURN: usize = 8;

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut inbox = udp::Inbox::default();
        loop {
            let now = Instant::now();
            let deadline = self
                .io
                .earliest
                .min(now + Duration::from_millis(50))
                .max(now + Duration::from_millis(1));
            tokio::select! {
                ready = self.io.socket.readable() => {
                    if let Err(e) = ready {
                        tracing::debug!(error = %e, "media: socket not readable");
                    }
                    for _ in 0..BATCHES_PER_TURN {
                        match inbox.receive(&self.io.socket) {
                            Ok(0) => break,
                            Ok(_) => {
                                let now = Instant::now();
                                for (datagram, source) in inbox.datagrams() {
                                    self.datagram(datagram, source, now);
                                }
                                self.process_work();
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) => {
                                tracing::debug!(error = %e, "media: receive failed");
                                break;
                            }
                        }
                    }
                }
                command = commands.recv() => match command {
                    Some(c) => self.command(c),
                    None => break,
                },
                _ = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {}
            }
            self.timeouts();
            self.settle();
        }
        tracing::info!("media: stopped");
    }

    /// Ends a loop turn: drains every peer written to (each once, however many frames it was
    /// given), carries out what that brings, and sends every queued datagram.
    fn settle(&mut self) {
        loop {
            self.process_work();
            if self.io.dirty.is_empty() {
                break;
            }
            for id in std::mem::take(&mut self.io.dirty) {
                if let Some(peer) = self.peers.get_mut(&id) {
                    peer.dirty = false;
                    // Stamped with a stale instant, packets sent now would look delayed by
                    // the network, and congestion control would lower its estimate for nothing.
                    let now = Instant::now();
                    if now.saturating_duration_since(peer.fed) >= CLOCK_SLACK {
                        peer.advance(id, now);
                    }
                    drain(id, peer, &mut self.io);
                }
            }
        }
        self.io.outbox.flush(&self.io.socket);
        self.io.counts.flush(&mut self.io.outbox.dropped);
    }

    fn datagram(&mut self, data: &[u8], source: SocketAddr, now: Instant) {
        let Ok(contents) = data.try_into() else {
            self.io.counts.junk += 1;
            return;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        let known = self
            .by_addr
            .get(&source)
            .copied()
            .filter(|id| self.peers.get(id).is_some_and(|p| p.rtc.accepts(&input)));
        let id = match known {
            Some(id) => id,
            None => {
                let Some(id) = self
                    .peers
                    .iter()
                    .find(|(_, p)| p.rtc.accepts(&input))
                    .map(|(id, _)| *id)
                else {
                    self.io.counts.junk += 1;
                    return;
                };
                self.by_addr.insert(source, id);
                id
            }
        };
        let Some(peer) = self.peers.get_mut(&id) else {
            return;
        };
        match peer.flood.check(now) {
            FloodVerdict::Accept => {}
            verdict => {
                self.io.counts.flood_dropped += 1;
                if verdict == FloodVerdict::DropAndReport {
                    tracing::warn!(participant = id.0, %source, limit = MAX_DATAGRAMS_PER_SECOND, "media: peer floods the media port, dropping its excess datagrams");
                }
                return;
            }
        }
        peer.fed = now;
        if let Err(e) = peer.rtc.handle_input(input) {
            tracing::info!(participant = id.0, error = %e, "media: dropping a peer after bad input");
            peer.rtc.disconnect();
        }
        drain(id, peer, &mut self.io);
    }

    fn timeouts(&mut self) {
        let now = Instant::now();
        // Peers that never complete ICE and DTLS hold a session for nothing: drop them.
        if now.saturating_duration_since(self.last_stall_check) >= Duration::from_secs(1) {
            self.last_stall_check = now;
            let stalled: Vec<ParticipantId> = self
                .peers
                .iter()
                .filter(|(_, p)| {
                    !p.connected && now.saturating_duration_since(p.joined) > self.connect_timeout
                })
                .map(|(id, _)| *id)
                .collect();
            for id in stalled {
                tracing::warn!(
                    participant = id.0,
                    "media: ICE/DTLS not completed in time, dropping the media session"
                );
                metrics::counter!("preau_media_connect_timeouts_total").increment(1);
                if let Some(p) = self.peers.get(&id) {
                    let _ = p.events.send(MediaEvent::Dropped("connect_timeout"));
                }
                self.command(Command::Leave { participant: id });
            }
        }
        if now < self.io.earliest {
            return;
        }
        // Every deadline is looked at here, so the earliest one is found again from scratch.
        let mut earliest = now + Duration::from_secs(3600);
        for (id, peer) in self.peers.iter_mut() {
            if peer.next <= now {
                // Each peer its own instant: what it sends is stamped with it.
                peer.advance(*id, Instant::now());
                drain(*id, peer, &mut self.io);
            }
            earliest = earliest.min(peer.next);
        }
        // From here on, whatever lowers a deadline (a room's keyframe request drains its
        // publisher) lowers `io.earliest` too.
        self.io.earliest = earliest;
        let due: Vec<String> = self
            .room_next
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            if let Some(room) = self.rooms.get_mut(&name) {
                room.handle_timeout(now);
            }
            self.room_outputs(&name);
        }
        for t in self.room_next.values() {
            self.io.earliest = self.io.earliest.min(*t);
        }
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Join {
                room,
                participant,
                events,
            } => {
                let now = Instant::now();
                let mut rtc = self.rtc_config.clone().build(now);
                for c in &self.candidates {
                    rtc.add_local_candidate(c.clone());
                }
                let peer = Peer {
                    room: room.clone(),
                    rtc,
                    next: now,
                    events,
                    sources: HashMap::new(),
                    published: HashMap::new(),
                    incoming: HashMap::new(),
                    slots: vec![],
                    announced: vec![],
                    asked: (0, 0),
                    audio_allowed: true,
                    feedback: HashMap::new(),
                    flood: Flood::new(now),
                    joined: now,
                    connected: false,
                    dirty: false,
                    fed: now,
                };
                self.peers.insert(participant, peer);
                self.io.earliest = self.io.earliest.min(now);
                let config = self.room_config.clone();
                self.rooms
                    .entry(room.clone())
                    .or_insert_with(|| Room::new(config, now))
                    .join(participant, now);
                self.room_outputs(&room);
                self.gauges();
                self.io.work.push(Work::Slots(room));
            }
            Command::Offer {
                participant,
                sdp,
                sources,
            } => {
                let Some(peer) = self.peers.get_mut(&participant) else {
                    return;
                };
                for (mid, source) in sources {
                    peer.sources.insert(Mid::from(mid.as_str()), source);
                }
                let answer = SdpOffer::from_sdp_string(&sdp)
                    .map_err(|e| e.to_string())
                    .and_then(|offer| {
                        peer.rtc
                            .sdp_api()
                            .accept_offer(offer)
                            .map_err(|e| e.to_string())
                    });
                match answer {
                    Ok(answer) => {
                        let _ = peer.events.send(MediaEvent::Answer(answer.to_sdp_string()));
                        peer.asked = (0, 0);
                    }
                    Err(e) => {
                        tracing::info!(participant = participant.0, error = %e, "media: offer refused");
                        let _ = peer.events.send(MediaEvent::OfferRefused(e));
                    }
                }
                let room = peer.room.clone();
                drain(participant, peer, &mut self.io);
                self.io.work.push(Work::Slots(room));
            }
            Command::View {
                participant,
                heights,
                pins,
                audio_only,
            } => {
                let now = Instant::now();
                let Some(peer) = self.peers.get(&participant) else {
                    return;
                };
                let room_name = peer.room.clone();
                let shown: Vec<(TrackId, u32)> = heights
                    .iter()
                    .filter_map(|(mid, h)| {
                        let slot = peer.slots.iter().find(|s| s.mid.to_string() == *mid)?;
                        Some((slot.track?, (*h).min(4320)))
                    })
                    .collect();
                if let Some(room) = self.rooms.get_mut(&room_name) {
                    for (track, h) in shown {
                        room.set_display(participant, track, h, now);
                    }
                    room.set_pins(participant, pins, now);
                    room.set_audio_only(participant, audio_only, now);
                }
                self.room_outputs(&room_name);
            }
            Command::AudioAllowed {
                participant,
                allowed,
            } => {
                if let Some(peer) = self.peers.get_mut(&participant) {
                    peer.audio_allowed = allowed;
                }
            }
            Command::Record { room, sink } => match sink {
                Some(sink) => {
                    self.recorders.insert(room, sink);
                }
                None => {
                    self.recorders.remove(&room);
                }
            },
            Command::Leave { participant } => {
                let Some(mut peer) = self.peers.remove(&participant) else {
                    return;
                };
                peer.rtc.disconnect();
                self.by_addr.retain(|_, id| *id != participant);
                let now = Instant::now();
                self.io.tracks.retain(|_, t| t.owner != participant);
                for other in self.peers.values_mut().filter(|p| p.room == peer.room) {
                    for slot in &mut other.slots {
                        if slot.track.is_some_and(|t| !self.io.tracks.contains_key(&t)) {
                            slot.assign(None);
                        }
                    }
                }
                if let Some(room) = self.rooms.get_mut(&peer.room) {
                    room.leave(participant, now);
                    if room.participant_count() == 0 {
                        self.rooms.remove(&peer.room);
                        self.room_next.remove(&peer.room);
                    }
                }
                self.room_outputs(&peer.room);
                self.io.work.push(Work::Slots(peer.room));
                self.gauges();
            }
        }
    }

    fn gauges(&self) {
        metrics::gauge!("preau_media_rooms").set(self.rooms.len() as f64);
        metrics::gauge!("preau_media_participants").set(self.peers.len() as f64);
        metrics::gauge!("preau_media_tracks").set(self.io.tracks.len() as f64);
    }

    /// Tells the room of `who` something, then carries out what its core decides.
    fn in_room_of(&mut self, who: ParticipantId, tell: impl FnOnce(&mut Room, Instant)) {
        let Some(room_name) = self.peers.get(&who).map(|p| p.room.clone()) else {
            return;
        };
        if let Some(room) = self.rooms.get_mut(&room_name) {
            tell(room, Instant::now());
        }
        self.room_outputs(&room_name);
    }

    /// Carries out the work found so far, in the order it was found (work it brings included).
    fn process_work(&mut self) {
        while !self.io.work.is_empty() {
            for w in std::mem::take(&mut self.io.work) {
                match w {
                    Work::Rtp(from, packet) => self.forward(from, packet),
                    Work::Keyframe(track) => self.request_keyframe(track, None),
                    Work::Estimate(who, bps) => {
                        tracing::debug!(participant = who.0, bps, "media: bandwidth estimate");
                        self.in_room_of(who, |room, now| room.set_estimate(who, bps, now));
                    }
                    Work::Loss(who, fraction) => {
                        tracing::debug!(participant = who.0, fraction, "media: egress loss");
                        self.in_room_of(who, |room, now| room.set_egress_loss(who, fraction, now));
                    }
                    Work::Slots(room) => {
                        self.register_tracks(&room);
                        self.assign_slots(&room);
                    }
                }
            }
        }
    }

    /// Publishes in the room the tracks its peers' offers added.
    fn register_tracks(&mut self, room_name: &str) {
        let now = Instant::now();
        let Some(room) = self.rooms.get_mut(room_name) else {
            return;
        };
        for (id, t) in &self.io.tracks {
            if !room.has_track(*id)
                && self
                    .peers
                    .get(&t.owner)
                    .is_some_and(|p| p.room == room_name)
            {
                room.publish(t.owner, *id, t.source.track_kind(), now);
            }
        }
        let gone: Vec<TrackId> = room
            .track_ids()
            .filter(|t| !self.io.tracks.contains_key(t))
            .collect();
        for t in gone {
            room.unpublish(t, now);
        }
        self.gauges();
        self.room_outputs(room_name);
    }

    /// Gives every peer of the room a receive slot for each track of the others, asks for more
    /// transceivers when slots run out, and tells each page which mid carries whom.
    fn assign_slots(&mut self, room_name: &str) {
        let mut tracks: Vec<(TrackId, TrackInfo)> = self
            .io
            .tracks
            .iter()
            .filter(|(_, t)| {
                self.peers
                    .get(&t.owner)
                    .is_some_and(|p| p.room == room_name)
            })
            .map(|(id, t)| (*id, t.clone()))
            .collect();
        tracks.sort_by_key(|(id, _)| *id);
        for (id, peer) in self.peers.iter_mut().filter(|(_, p)| p.room == room_name) {
            let mut missing = (0usize, 0usize);
            let wanted: Vec<&(TrackId, TrackInfo)> =
                tracks.iter().filter(|(_, t)| t.owner != *id).collect();
            for slot in &mut peer.slots {
                if slot
                    .track
                    .is_some_and(|t| !wanted.iter().any(|(w, _)| *w == t))
                {
                    slot.assign(None);
                }
            }
            for (track, info) in &wanted {
                if peer.slots.iter().any(|s| s.track == Some(*track)) {
                    continue;
                }
                let kind = if info.source == Source::Audio {
                    MediaKind::Audio
                } else {
                    MediaKind::Video
                };
                match peer
                    .slots
                    .iter_mut()
                    .find(|s| s.track.is_none() && s.kind == kind)
                {
                    Some(s) => s.assign(Some(*track)),
                    None if kind == MediaKind::Audio => missing.0 += 1,
                    None => missing.1 += 1,
                }
            }
            let audio = peer
                .slots
                .iter()
                .filter(|s| s.kind == MediaKind::Audio)
                .count();
            let video = peer.slots.len() - audio;
            let need = (audio + missing.0, video + missing.1);
            if (missing.0 > 0 || missing.1 > 0) && peer.asked != need {
                peer.asked = need;
                let _ = peer.events.send(MediaEvent::Renegotiate {
                    audio: need.0,
                    video: need.1,
                });
            }
            let mut map: Vec<TrackSlot> = peer
                .slots
                .iter()
                .filter_map(|s| {
                    let t = s.track?;
                    let info = self.io.tracks.get(&t)?;
                    Some(TrackSlot {
                        mid: s.mid.to_string(),
                        participant: info.owner,
                        source: info.source,
                    })
                })
                .collect();
            map.sort_by(|a, b| a.mid.cmp(&b.mid));
            if map != peer.announced {
                peer.announced = map.clone();
                let _ = peer.events.send(MediaEvent::Tracks(map));
            }
        }
    }

    /// Forwards one RTP packet to whoever the room's core says, rewriting each subscriber's
    /// header (see [`rewrite`]); the payload is shared, never copied.
    fn forward(&mut self, from: ParticipantId, packet: RtpPacket) {
        if packet.payload.is_empty() {
            return; // padding, for the publisher's bandwidth probing
        }
        let Some(peer) = self.peers.get_mut(&from) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        // A cached entry whose track is gone (the browser offered that mid anew) is resolved again.
        let cached = peer
            .incoming
            .get(&ssrc)
            .copied()
            .filter(|i| self.io.tracks.contains_key(&i.track));
        let incoming = match cached {
            Some(i) => i,
            None => {
                let Some(rx) = peer
                    .rtc
                    .direct_api()
                    .stream_rx(&ssrc)
                    .map(|rx| (rx.mid(), rx.rid()))
                else {
                    return;
                };
                let Some(track) = peer.published.get(&rx.0).copied() else {
                    return;
                };
                let layer =
                    rx.1.as_ref()
                        .and_then(|r| Layer::from_rid(r))
                        .unwrap_or(Layer::High);
                let i = Incoming { track, layer };
                peer.incoming.insert(ssrc, i);
                i
            }
        };
        let track = incoming.track;
        let Some(source) = self.io.tracks.get(&track).map(|t| t.source) else {
            return;
        };
        if source == Source::Audio && !peer.audio_allowed {
            return;
        }
        let pt = packet.header.payload_type;
        let Some(params): Option<PayloadParams> = peer
            .rtc
            .codec_config()
            .params()
            .iter()
            .find(|p| p.pt() == pt)
            .copied()
        else {
            return;
        };
        let codec = params.spec().codec;
        if codec == Codec::Opus
            && let Some(recorder) = self.recorders.get(&peer.room)
        {
            recorder.offer(
                from.0,
                packet.timestamp,
                packet.header.timestamp,
                &packet.payload,
            );
        }
        let vp8 = if codec == Codec::Vp8 {
            Vp8Descriptor::parse(&packet.payload).ok()
        } else {
            None
        };
        let keyframe = match codec {
            Codec::Vp8 => vp8.is_some_and(|d| d.starts_keyframe(&packet.payload)),
            Codec::H264 => h264_keyframe(&packet.payload),
            _ => false,
        };
        let room_name = peer.room.clone();
        let Some(room) = self.rooms.get_mut(&room_name) else {
            return;
        };
        // RFC 6464 says the level in -dBov: str0m gives it negated (0 loudest, -127 silence).
        let audio_level = packet
            .header
            .ext_vals
            .audio_level
            .map(|l| l.unsigned_abs().min(127));
        let bytes = packet.payload.len();
        let meta = Packet {
            track,
            layer: incoming.layer,
            keyframe,
            audio_level,
            bytes,
        };
        let now = Instant::now();
        let mut to = std::mem::take(&mut self.to);
        room.on_packet(now, &meta, &mut to);
        self.io.counts.packets_in += 1;
        self.io.counts.bytes_in += bytes as u64;
        let audio = source == Source::Audio;
        let input = rewrite::In {
            ssrc: *ssrc,
            keyframe,
            seq: *packet.seq_no,
            ts: packet.header.timestamp,
            layer: incoming.layer,
            picture_id: vp8.and_then(|d| d.picture_id()),
            tl0: vp8.and_then(|d| d.tl0_pic_idx()),
            at: packet.timestamp,
            clock_hz: params.spec().clock_rate.get(),
        };
        let ext = ExtensionValues {
            audio_level: packet.header.ext_vals.audio_level,
            voice_activity: packet.header.ext_vals.voice_activity,
            video_orientation: packet.header.ext_vals.video_orientation,
            ..Default::default()
        };
        for s in &to {
            let Some(sub) = self.peers.get_mut(s) else {
                continue;
            };
            let Some(slot) = sub.slots.iter_mut().find(|sl| sl.track == Some(track)) else {
                continue;
            };
            let out_pt = match slot.pt {
                Some((i, o)) if i == pt => o,
                _ => {
                    let Some(o) = sub.rtc.codec_config().match_params(params) else {
                        continue;
                    };
                    slot.pt = Some((pt, o.pt()));
                    o.pt()
                }
            };
            let out = if audio {
                slot.fwd.audio(&input)
            } else {
                match slot.fwd.video(&input) {
                    Some(out) => out,
                    None => continue,
                }
            };
            let mut write = RtpWrite::new(
                out_pt,
                out.seq.into(),
                out.ts,
                packet.timestamp,
                packet.payload.clone(),
            )
            .marker(packet.header.marker)
            .ext_vals(ext.clone())
            .nackable(!audio);
            if let Some(d) = vp8 {
                let mut patch = d.patch();
                if let Some(pid) = out.picture_id {
                    patch = patch.picture_id(pid);
                }
                if let Some(tl0) = out.tl0 {
                    patch = patch.tl0_pic_idx(tl0);
                }
                if let Ok(p) = patch.build() {
                    write = write.vp8_patch(p);
                }
            }
            let mid = slot.mid;
            let mut api = sub.rtc.direct_api();
            let Some(tx) = api.stream_tx_by_mid(mid, None) else {
                continue;
            };
            // Forwarded as it comes, as the publisher's own pacer already spread it: queueing it
            // again behind a second pacer would only add delay and wake-ups. (Probes and
            // padding for bandwidth estimation are still paced by str0m.)
            tx.set_unpaced(true);
            tx.write_rtp(write);
            self.io.counts.packets_out += 1;
            self.io.counts.bytes_out += bytes as u64;
            if !sub.dirty {
                sub.dirty = true;
                self.io.dirty.push(*s);
            }
        }
        to.clear();
        self.to = to;
        self.room_outputs(&room_name);
    }

    fn request_keyframe(&mut self, track: TrackId, layer: Option<Layer>) {
        let Some(info) = self.io.tracks.get(&track) else {
            return;
        };
        let Some(peer) = self.peers.get_mut(&info.owner) else {
            return;
        };
        let mut api = peer.rtc.direct_api();
        let rids: Vec<Option<Rid>> = match layer {
            // A stream sent without simulcast (a screen share, or a browser that sends one
            // layer) has no rid: the core sees it as the high layer, and its PLI goes rid-less.
            Some(l) => vec![Some(rid_of(l).into()), None],
            None => vec![Some("q".into()), Some("h".into()), Some("f".into()), None],
        };
        let mut asked = false;
        for rid in rids {
            if let Some(rx) = api.stream_rx_by_mid(info.mid, rid) {
                rx.request_keyframe(KeyframeRequestKind::Pli);
                asked = true;
                if layer.is_some() {
                    break;
                }
            }
        }
        if asked {
            metrics::counter!("preau_media_keyframe_requests_total").increment(1);
        }
        let owner = info.owner;
        if let Some(peer) = self.peers.get_mut(&owner) {
            drain(owner, peer, &mut self.io);
        }
    }

    /// Carries out what a room's core decided.
    fn room_outputs(&mut self, room_name: &str) {
        loop {
            let Some(room) = self.rooms.get_mut(room_name) else {
                return;
            };
            match room.poll_output() {
                room::Output::Timeout(t) => {
                    match self.room_next.get_mut(room_name) {
                        Some(next) => *next = t,
                        None => {
                            self.room_next.insert(room_name.to_string(), t);
                        }
                    }
                    self.io.earliest = self.io.earliest.min(t);
                    return;
                }
                room::Output::KeyframeRequest { track, layer } => {
                    self.request_keyframe(track, Some(layer))
                }
                room::Output::Video {
                    subscriber,
                    track,
                    layer,
                } => {
                    metrics::counter!("preau_media_layer_switches_total").increment(1);
                    tracing::debug!(
                        subscriber = subscriber.0,
                        track = track.0,
                        ?layer,
                        "media: video layer"
                    );
                    if let Some(peer) = self.peers.get(&subscriber)
                        && let Some(slot) = peer.slots.iter().find(|s| s.track == Some(track))
                    {
                        let _ = peer.events.send(MediaEvent::Video {
                            mid: slot.mid.to_string(),
                            on: layer.is_some(),
                        });
                    }
                }
                room::Output::Bandwidth {
                    subscriber,
                    allocated,
                    desired,
                } => {
                    if let Some(peer) = self.peers.get_mut(&subscriber) {
                        peer.rtc
                            .bwe()
                            .set_bitrate(Bitrate::bps(allocated), Bitrate::bps(desired));
                        if !peer.dirty {
                            peer.dirty = true;
                            self.io.dirty.push(subscriber);
                        }
                    }
                }
                room::Output::Layers { track, max } => {
                    let Some(info) = self.io.tracks.get(&track) else {
                        continue;
                    };
                    tracing::debug!(
                        track = track.0,
                        ?max,
                        "media: simulcast layers asked of the publisher"
                    );
                    metrics::counter!("preau_media_layer_limits_total").increment(1);
                    if let Some(peer) = self.peers.get(&info.owner) {
                        let _ = peer.events.send(MediaEvent::Layers {
                            mid: info.mid.to_string(),
                            max: rid_of(max),
                        });
                    }
                }
                room::Output::DominantSpeaker(who) => {
                    for peer in self.peers.values().filter(|p| p.room == room_name) {
                        let _ = peer.events.send(MediaEvent::Speaker(who));
                    }
                }
            }
        }
    }
}

/// Does this H.264 RTP payload (RFC 6184) start a keyframe: an IDR slice or a parameter set,
/// alone, first in an aggregation (STAP-A), or the first fragment of one (FU-A)?
fn h264_keyframe(payload: &[u8]) -> bool {
    let key = |nal_type: u8| nal_type == 5 || nal_type == 7;
    match payload.first().map(|b| b & 0x1f) {
        Some(24) => {
            let mut rest = &payload[1..];
            while rest.len() > 2 {
                let size = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let Some(nal) = rest.get(2) else { return false };
                if key(nal & 0x1f) {
                    return true;
                }
                rest = rest.get(2 + size..).unwrap_or(&[]);
            }
            false
        }
        Some(28) => payload
            .get(1)
            .is_some_and(|fu| fu & 0x80 != 0 && key(fu & 0x1f)),
        Some(t) => key(t),
        None => false,
    }
}

/// Drains one `Rtc` until it has nothing more to say: queues its datagrams, records its
/// deadline, and turns its events into work.
fn drain(id: ParticipantId, peer: &mut Peer, io: &mut Io) {
    let mut woken = 0;
    loop {
        if !peer.rtc.is_alive() {
            peer.next = Instant::now() + Duration::from_secs(3600);
            return;
        }
        let output = match peer.rtc.poll_output() {
            Ok(o) => o,
            Err(e) => {
                tracing::info!(participant = id.0, error = %e, "media: peer failed");
                peer.rtc.disconnect();
                continue;
            }
        };
        match output {
            Output::Timeout(t) => {
                // str0m lets one RTP packet out per `handle_input` (its pacer closes a gate
                // after each and asks to be woken at once): wake it now rather than a loop turn
                // later, so a keyframe's packets leave together.
                let now = Instant::now();
                if t <= now && woken < MAX_WAKES_PER_DRAIN {
                    woken += 1;
                    peer.advance(id, now);
                    continue;
                }
                peer.next = t;
                io.earliest = io.earliest.min(t);
                return;
            }
            Output::Transmit(t) => {
                io.outbox.push(t.destination, t.contents.into());
                // A datagram leaves at the flush but carries the instant it was polled at:
                // keep the two close, whatever the length of the turn.
                if io.outbox.len() >= OUTBOX_HIGH || io.outbox.waited(CLOCK_SLACK) {
                    io.outbox.flush(&io.socket);
                }
            }
            Output::Event(event) => match event {
                Event::Connected => {
                    peer.connected = true;
                    let _ = peer.events.send(MediaEvent::Connected(true));
                }
                Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                    let _ = peer.events.send(MediaEvent::Connected(false));
                }
                Event::MediaAdded(m) => {
                    if m.direction.is_receiving() {
                        let source = peer.sources.get(&m.mid).copied().unwrap_or(match m.kind {
                            MediaKind::Audio => Source::Audio,
                            MediaKind::Video => Source::Camera,
                        });
                        let track = TrackId(io.next_track);
                        io.next_track += 1;
                        io.tracks.insert(
                            track,
                            TrackInfo {
                                owner: id,
                                mid: m.mid,
                                source,
                            },
                        );
                        peer.published.insert(m.mid, track);
                    }
                    if m.direction.is_sending() {
                        peer.slots.push(Slot::new(m.mid, m.kind));
                    }
                    io.work.push(Work::Slots(peer.room.clone()));
                }
                Event::MediaChanged(m) => {
                    if !m.direction.is_receiving()
                        && let Some(track) = peer.published.remove(&m.mid)
                    {
                        io.tracks.remove(&track);
                        io.work.push(Work::Slots(peer.room.clone()));
                    }
                }
                Event::RtpPacket(packet) => io.work.push(Work::Rtp(id, packet)),
                Event::KeyframeRequest(req) => {
                    if let Some(track) = peer
                        .slots
                        .iter()
                        .find(|s| s.mid == req.mid)
                        .and_then(|s| s.track)
                    {
                        io.work.push(Work::Keyframe(track));
                    }
                }
                Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                    io.work.push(Work::Estimate(id, estimate.as_f64() as u64));
                }
                Event::PeerStats(s) => {
                    if let Some(loss) = s.egress_loss_fraction {
                        io.work.push(Work::Loss(id, loss));
                    }
                }
                // NACKs and PLIs: received from subscribers (egress), sent to publishers (ingress).
                Event::MediaEgressStats(st) => {
                    peer.count_feedback(true, st.mid, st.rid, st.nacks, st.plis)
                }
                Event::MediaIngressStats(st) => {
                    peer.count_feedback(false, st.mid, st.rid, st.nacks, st.plis)
                }
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h264_keyframes_are_found_alone_aggregated_and_fragmented() {
        assert!(h264_keyframe(&[0x65, 0x88]), "an IDR slice");
        assert!(!h264_keyframe(&[0x41, 0x9a]), "a P slice");
        // STAP-A: an SEI (6) then an SPS (7).
        assert!(h264_keyframe(&[
            0x78, 0x00, 0x02, 0x06, 0x00, 0x00, 0x02, 0x67, 0x42
        ]));
        assert!(!h264_keyframe(&[0x78, 0x00, 0x02, 0x06, 0x00]));
        assert!(
            !h264_keyframe(&[0x78, 0xff, 0xff]),
            "a size past the end is not read"
        );
        // FU-A: the first fragment of an IDR, a middle one.
        assert!(h264_keyframe(&[0x7c, 0x85, 0x00]));
        assert!(!h264_keyframe(&[0x7c, 0x05, 0x00]));
        assert!(!h264_keyframe(&[]));
    }

    #[test]
    fn a_flooding_peer_is_throttled_per_second_and_reported_once() {
        let t0 = Instant::now();
        let mut f = Flood::new(t0);
        for _ in 0..MAX_DATAGRAMS_PER_SECOND {
            assert_eq!(f.check(t0), FloodVerdict::Accept);
        }
        assert_eq!(f.check(t0), FloodVerdict::DropAndReport);
        assert_eq!(f.check(t0 + Duration::from_millis(500)), FloodVerdict::Drop);
        assert_eq!(
            f.check(t0 + Duration::from_millis(1000)),
            FloodVerdict::Accept,
            "a new second"
        );
    }
}
