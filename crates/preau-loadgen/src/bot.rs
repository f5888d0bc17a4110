//! One bot: a str0m peer on its own loopback UDP socket that publishes synthetic media and
//! counts what it receives, joined to a room through Préau's signalling (here) or Janus's
//! (`janus_bot.rs`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{
    Direction, Frequency, MediaKind, MediaTime, Mid, Rid, Simulcast, SimulcastLayer,
};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;

use crate::media::{self, Kind};
use crate::stats::{BotStats, Window};

/// How a bot's microphone behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Speaks all the time (the teacher of a lecture).
    Always,
    /// Speaks in turn with the others of its group: `slot` of `of`, [`TURN`] each.
    Turn { slot: u32, of: u32 },
}

/// How long each voice of a group of turns speaks.
pub const TURN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct BotSpec {
    pub n: u32,
    pub host: bool,
    pub voice: Option<Voice>,
    pub camera: bool,
    pub screen: bool,
    /// Displayed height of the host's videos, and of everyone else's (drives layer choice).
    pub host_height: u32,
    pub other_height: u32,
}

impl BotSpec {
    pub fn name(&self) -> String {
        format!("bot-{}", self.n)
    }

    /// The simulcast layer this bot watches a publisher's camera at (the Janus substream).
    pub fn layer_for(&self, publisher_is_host: bool) -> u8 {
        let h = if publisher_is_host {
            self.host_height
        } else {
            self.other_height
        };
        match h {
            0..=180 => 0,
            181..=360 => 1,
            _ => 2,
        }
    }
}

/// What every bot shares with the run.
#[derive(Clone)]
pub struct Ctx {
    pub window: Window,
    /// The origin of voice turns.
    pub start: Instant,
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// Bots whose media connection is up.
    pub connected: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Ctx {
    pub fn mark_connected(&self, stats: &mut BotStats) {
        if stats.connected_at.is_none() {
            stats.connected_at = Some(Instant::now());
            self.connected
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// A str0m peer connection on its own socket.
pub struct Peer {
    pub rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    next: Instant,
    pub pending: Option<SdpPendingOffer>,
    buf: Vec<u8>,
    /// RTP datagrams and bytes received in the window, not yet added to the bot's counts.
    rtp_in: (u64, u64),
}

impl Peer {
    pub async fn new() -> anyhow::Result<Peer> {
        Peer::new_on(std::net::Ipv4Addr::LOCALHOST.into()).await
    }

    /// A peer whose socket (and only ICE candidate) is on this local address.
    pub async fn new_on(ip: std::net::IpAddr) -> anyhow::Result<Peer> {
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
        let addr = socket.local_addr()?;
        let now = Instant::now();
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .build(now);
        rtc.add_local_candidate(Candidate::host(addr, "udp")?);
        Ok(Peer {
            rtc,
            socket,
            addr,
            next: now,
            pending: None,
            buf: vec![0u8; 2048],
            rtp_in: (0, 0),
        })
    }

    /// Waits for a datagram and feeds it in. Never returns when `peer` is `None`.
    pub async fn recv(peer: Option<&mut Peer>, count: bool) -> anyhow::Result<()> {
        let Some(p) = peer else {
            return std::future::pending().await;
        };
        let (n, source) = p.socket.recv_from(&mut p.buf).await?;
        if count && crate::stats::is_rtp(&p.buf[..n]) {
            p.rtp_in.0 += 1;
            p.rtp_in.1 += n as u64;
        }
        if let Ok(contents) = (&p.buf[..n]).try_into() {
            let input = Input::Receive(
                Instant::now(),
                Receive {
                    proto: Protocol::Udp,
                    source,
                    destination: p.addr,
                    contents,
                },
            );
            p.rtc.handle_input(input)?;
        }
        Ok(())
    }

    pub fn next(peer: Option<&Peer>) -> Instant {
        peer.map(|p| p.next)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))
    }

    /// Advances time when due, sends what str0m has to send, counts received frames and
    /// returns the other events.
    pub fn drain(&mut self, stats: &mut BotStats, count: bool) -> anyhow::Result<Vec<Event>> {
        stats.rtp_packets_in += self.rtp_in.0;
        stats.rtp_bytes_in += self.rtp_in.1;
        self.rtp_in = (0, 0);
        let now = Instant::now();
        if self.next <= now {
            self.rtc.handle_input(Input::Timeout(now))?;
        }
        let mut events = vec![];
        loop {
            match self.rtc.poll_output()? {
                Output::Timeout(t) => {
                    self.next = t;
                    return Ok(events);
                }
                Output::Transmit(t) => {
                    let _ = self.socket.try_send_to(&t.contents, t.destination);
                }
                Output::Event(Event::MediaData(d)) => stats.frame(&d.data, Instant::now(), count),
                Output::Event(e) => events.push(e),
            }
        }
    }

    /// Adds transceivers and makes an offer: the sending ones this bot needs when `senders`
    /// is given (camera with simulcast when `simulcast`), and receive-only ones. Returns the
    /// offer and the (mid, kind) of each sending transceiver; `None` when nothing changed.
    pub fn offer(
        &mut self,
        senders: Option<&BotSpec>,
        simulcast: bool,
        recv: (usize, usize),
    ) -> Option<(String, Vec<(Mid, Kind)>)> {
        let mut api = self.rtc.sdp_api();
        let mut out = vec![];
        if let Some(spec) = senders {
            if spec.voice.is_some() {
                out.push((
                    api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None),
                    Kind::Audio,
                ));
            }
            if spec.camera {
                let layers = simulcast.then(|| Simulcast {
                    send: media::LAYER_RIDS
                        .iter()
                        .map(|r| SimulcastLayer::new(r))
                        .collect(),
                    recv: vec![],
                });
                out.push((
                    api.add_media(MediaKind::Video, Direction::SendOnly, None, None, layers),
                    Kind::Camera,
                ));
            }
            if spec.screen {
                out.push((
                    api.add_media(MediaKind::Video, Direction::SendOnly, None, None, None),
                    Kind::Screen,
                ));
            }
        }
        for _ in 0..recv.0 {
            api.add_media(MediaKind::Audio, Direction::RecvOnly, None, None, None);
        }
        for _ in 0..recv.1 {
            api.add_media(MediaKind::Video, Direction::RecvOnly, None, None, None);
        }
        let (offer, pending) = api.apply()?;
        self.pending = Some(pending);
        Some((offer.to_sdp_string(), out))
    }

    /// Answers an offer from the server (Janus offers to its subscribers).
    pub fn accept_offer(&mut self, sdp: &str) -> anyhow::Result<String> {
        let offer = str0m::change::SdpOffer::from_sdp_string(sdp)?;
        Ok(self.rtc.sdp_api().accept_offer(offer)?.to_sdp_string())
    }

    pub fn accept_answer(&mut self, sdp: &str) -> anyhow::Result<()> {
        let Some(pending) = self.pending.take() else {
            anyhow::bail!("an answer without an offer")
        };
        self.rtc
            .sdp_api()
            .accept_answer(pending, SdpAnswer::from_sdp_string(sdp)?)?;
        Ok(())
    }
}

/// The media a bot publishes, on a schedule.
pub struct Publisher {
    spec: BotSpec,
    simulcast: bool,
    mids: Vec<(Mid, Kind)>,
    next_audio: Instant,
    next_video: Instant,
    next_screen: Instant,
    audio_index: u32,
    video_index: u32,
    screen_index: u32,
    ticks: u64,
    /// Keyframes asked for (camera layers q, h, f; the screen), sent with the next frame.
    keyframe_asked: [bool; 4],
    /// The highest camera layer sent (0, 1, 2): the SFU may ask for fewer, as a browser's
    /// `setParameters` would stop encoding the others.
    max_layer: u8,
}

impl Publisher {
    pub fn new(spec: BotSpec, simulcast: bool, mids: Vec<(Mid, Kind)>) -> Publisher {
        let now = Instant::now();
        Publisher {
            spec,
            simulcast,
            mids,
            next_audio: now,
            next_video: now,
            next_screen: now,
            audio_index: 0,
            video_index: 0,
            screen_index: 0,
            ticks: 0,
            keyframe_asked: [false; 4],
            max_layer: 2,
        }
    }

    /// The SFU asked for the camera's layers up to `rid` only; a layer that starts again
    /// starts on a keyframe, as a browser's encoder does.
    pub fn limit_layers(&mut self, mid: &str, rid: &str) {
        let camera = self
            .mids
            .iter()
            .any(|(m, k)| *k == Kind::Camera && **m == *mid);
        if let (true, Some(max)) = (camera, media::LAYER_RIDS.iter().position(|r| *r == rid)) {
            for layer in self.max_layer as usize + 1..=max {
                self.keyframe_asked[layer] = true;
            }
            self.max_layer = max as u8;
        }
    }

    /// The SFU asked for a keyframe (PLI/FIR), as a browser's encoder would answer at once.
    pub fn keyframe_request(&mut self, req: &str0m::media::KeyframeRequest) {
        let Some((_, kind)) = self.mids.iter().find(|(m, _)| *m == req.mid) else {
            return;
        };
        match (kind, req.rid.as_ref().map(|r| r.to_string())) {
            (Kind::Screen, _) => self.keyframe_asked[3] = true,
            (Kind::Camera, Some(rid)) => {
                if let Some(i) = media::LAYER_RIDS.iter().position(|r| *r == rid) {
                    self.keyframe_asked[i] = true;
                }
            }
            (Kind::Camera, None) => self.keyframe_asked[..3].fill(true),
            (Kind::Audio, _) => {}
        }
    }

    pub fn next(&self) -> Instant {
        let mut t = Instant::now() + Duration::from_secs(3600);
        for (_, kind) in &self.mids {
            t = t.min(match kind {
                Kind::Audio => self.next_audio,
                Kind::Camera => self.next_video,
                Kind::Screen => self.next_screen,
            });
        }
        t
    }

    fn voiced(&self, ctx: &Ctx, now: Instant) -> bool {
        match self.spec.voice {
            Some(Voice::Always) => true,
            Some(Voice::Turn { slot, of }) => {
                let turn = now.saturating_duration_since(ctx.start).as_millis() / TURN.as_millis();
                (turn % u128::from(of.max(1))) as u32 == slot
            }
            None => false,
        }
    }

    /// Writes the frames that are due. Does nothing until the peer is connected.
    pub fn tick(&mut self, peer: &mut Peer, ctx: &Ctx, stats: &mut BotStats) -> anyhow::Result<()> {
        let now = Instant::now();
        if !peer.rtc.is_connected() {
            self.next_audio = now + media::AUDIO_INTERVAL;
            self.next_video = self.next_audio;
            self.next_screen = self.next_audio;
            return Ok(());
        }
        let count = ctx.window.open();
        let n = self.spec.n;
        for (mid, kind) in self.mids.clone() {
            match kind {
                Kind::Audio if self.next_audio <= now => {
                    let voiced = self.voiced(ctx, now);
                    if voiced {
                        self.audio_index += 1;
                        stats.voiced |= count;
                    }
                    let frame = media::audio_frame(n, self.audio_index, !voiced, now);
                    let level = if voiced {
                        media::VOICED_LEVEL
                    } else {
                        media::SILENT_LEVEL
                    };
                    let pt = pt_of(&peer.rtc, Codec::Opus);
                    let time = MediaTime::new(self.ticks * 960, Frequency::FORTY_EIGHT_KHZ);
                    self.ticks += 1;
                    if let (Some(pt), Some(w)) = (pt, peer.rtc.writer(mid)) {
                        w.audio_level(level, voiced).write(pt, now, time, frame)?;
                        stats.frames_out += u64::from(count);
                    }
                    self.next_audio += media::AUDIO_INTERVAL;
                }
                Kind::Camera if self.next_video <= now => {
                    self.video_index += 1;
                    let keyframe = self.video_index % media::CAMERA_KEYFRAME_EVERY == 1;
                    let time =
                        MediaTime::new(u64::from(self.video_index) * 3000, Frequency::NINETY_KHZ);
                    let pt = pt_of(&peer.rtc, Codec::Vp8);
                    let simulcast = self.simulcast;
                    for layer in 0..3u8 {
                        if (!simulcast && layer < 2) || (simulcast && layer > self.max_layer) {
                            continue;
                        }
                        let keyframe =
                            keyframe || std::mem::take(&mut self.keyframe_asked[layer as usize]);
                        let frame = media::video_frame(
                            n,
                            Kind::Camera,
                            layer,
                            self.video_index,
                            keyframe,
                            now,
                        );
                        if let (Some(pt), Some(mut w)) = (pt, peer.rtc.writer(mid)) {
                            if simulcast {
                                w = w.rid(Rid::from(media::LAYER_RIDS[layer as usize]));
                            }
                            w.write(pt, now, time, frame)?;
                            stats.frames_out += u64::from(count);
                        }
                    }
                    self.next_video += Duration::from_secs(1) / media::VIDEO_FPS;
                }
                Kind::Screen if self.next_screen <= now => {
                    self.screen_index += 1;
                    let keyframe = self.screen_index % media::SCREEN_KEYFRAME_EVERY == 1
                        || std::mem::take(&mut self.keyframe_asked[3]);
                    let time =
                        MediaTime::new(u64::from(self.screen_index) * 18000, Frequency::NINETY_KHZ);
                    let frame =
                        media::video_frame(n, Kind::Screen, 0, self.screen_index, keyframe, now);
                    if let (Some(pt), Some(w)) =
                        (pt_of(&peer.rtc, Codec::Vp8), peer.rtc.writer(mid))
                    {
                        w.write(pt, now, time, frame)?;
                        stats.frames_out += u64::from(count);
                    }
                    self.next_screen += Duration::from_secs(1) / media::SCREEN_FPS;
                }
                _ => {}
            }
        }
        // After a stall (the process starved), do not burst to catch up: real encoders skip.
        for t in [
            &mut self.next_audio,
            &mut self.next_video,
            &mut self.next_screen,
        ] {
            if *t + Duration::from_millis(200) < now {
                *t = now;
            }
        }
        Ok(())
    }
}

fn pt_of(rtc: &Rtc, codec: Codec) -> Option<str0m::media::Pt> {
    rtc.codec_config()
        .params()
        .iter()
        .find(|p| p.spec().codec == codec)
        .map(|p| p.pt())
}
