//! The driver with real UDP on loopback: str0m peers play the browsers, offer, connect through
//! ICE-lite and DTLS, and exchange media through the SFU.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use preau_media::driver::{self, Command, MediaConfig, MediaEvent, MediaHandle, Source};
use preau_media::ParticipantId;
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// A browser stand-in: a str0m peer (full ICE, controlling) on its own loopback socket.
struct Browser {
    id: ParticipantId,
    rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    events: mpsc::UnboundedReceiver<MediaEvent>,
    media: Vec<Event>,
    pending: Option<SdpPendingOffer>,
    next: Instant,
}

impl Browser {
    async fn join(sfu: &MediaHandle, room: &str, id: u64) -> Browser {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let mut rtc = Rtc::builder().clear_codecs().enable_opus(true, false).enable_vp8(true).build(Instant::now());
        rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
        let (tx, events) = mpsc::unbounded_channel();
        assert!(sfu.send(Command::Join { room: room.into(), participant: ParticipantId(id), events: tx }));
        Browser { id: ParticipantId(id), rtc, socket, addr, events, media: vec![], pending: None, next: Instant::now() }
    }

    /// Adds transceivers and offers them; `sources` names the sending ones.
    fn offer(&mut self, sfu: &MediaHandle, add: &[(MediaKind, Direction, Option<Source>)]) -> Vec<Mid> {
        let mut api = self.rtc.sdp_api();
        let mut sources = vec![];
        let mut mids = vec![];
        for (kind, dir, source) in add {
            let mid = api.add_media(*kind, *dir, None, None, None);
            if let Some(s) = source {
                sources.push((mid.to_string(), *s));
            }
            mids.push(mid);
        }
        let (offer, pending) = api.apply().expect("changes to offer");
        self.pending = Some(pending);
        assert!(sfu.send(Command::Offer { participant: self.id, sdp: offer.to_sdp_string(), sources }));
        mids
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Timeout(t) => {
                    self.next = t;
                    return;
                }
                Output::Transmit(t) => {
                    let _ = self.socket.try_send_to(&t.contents, t.destination);
                }
                Output::Event(e) => self.media.push(e),
            }
        }
    }

    /// Runs this peer for a while: datagrams, timeouts, and what signalling brings.
    async fn run(&mut self, for_how_long: Duration, signalled: &mut Vec<MediaEvent>) {
        let end = Instant::now() + for_how_long;
        let mut buf = vec![0u8; 2048];
        loop {
            while let Ok(e) = self.events.try_recv() {
                if let MediaEvent::Answer(sdp) = &e
                    && let Some(pending) = self.pending.take()
                {
                    self.rtc.sdp_api().accept_answer(pending, SdpAnswer::from_sdp_string(sdp).unwrap()).unwrap();
                }
                signalled.push(e);
            }
            self.drain();
            let now = Instant::now();
            if now >= end {
                return;
            }
            let wake = self.next.min(end).max(now + Duration::from_millis(1));
            tokio::select! {
                r = self.socket.recv_from(&mut buf) => {
                    let (n, source) = r.unwrap();
                    let contents = (&buf[..n]).try_into().unwrap();
                    let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination: self.addr, contents });
                    self.rtc.handle_input(input).unwrap();
                }
                _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {
                    self.rtc.handle_input(Input::Timeout(Instant::now())).unwrap();
                }
            }
        }
    }

    fn send_opus(&mut self, mid: Mid, n: u64, level: i8) {
        let pt = self.rtc.codec_config().find(|p| p.spec().codec == Codec::Opus).unwrap().pt();
        let w = self.rtc.writer(mid).unwrap().audio_level(level, true);
        w.write(pt, Instant::now(), MediaTime::new(n * 960, Frequency::FORTY_EIGHT_KHZ), vec![0x78u8; 60]).unwrap();
    }

    fn received_audio(&self) -> usize {
        self.media.iter().filter(|e| matches!(e, Event::MediaData(d) if d.params.spec().codec == Codec::Opus)).count()
    }
}

async fn sfu() -> MediaHandle {
    sfu_with(MediaConfig::new("127.0.0.1:0".parse().unwrap(), vec![])).await
}

/// Runs both peers until ICE and DTLS are up between each and the SFU (10 s at most).
async fn connect(a: &mut Browser, b: &mut Browser, a_sig: &mut Vec<MediaEvent>, b_sig: &mut Vec<MediaEvent>) {
    let started = Instant::now();
    while !(a.rtc.is_connected() && b.rtc.is_connected()) {
        assert!(started.elapsed() < Duration::from_secs(10), "ICE/DTLS did not connect");
        a.run(Duration::from_millis(20), a_sig).await;
        b.run(Duration::from_millis(20), b_sig).await;
    }
}

async fn sfu_with(config: MediaConfig) -> MediaHandle {
    driver::start(config)
        .await
        .expect("the SFU starts on loopback")
}

#[tokio::test]
async fn two_peers_connect_and_audio_flows_through_the_sfu() {
    let sfu = sfu().await;
    let mut teacher = Browser::join(&sfu, "room-1", 1).await;
    let mut pupil = Browser::join(&sfu, "room-1", 2).await;
    let (mut t_sig, mut p_sig) = (vec![], vec![]);

    let mic = teacher.offer(&sfu, &[(MediaKind::Audio, Direction::SendOnly, Some(Source::Audio))])[0];
    // The pupil sends nothing yet; the SFU asks it for a receive slot for the teacher's voice.
    pupil.offer(&sfu, &[(MediaKind::Audio, Direction::SendOnly, Some(Source::Audio))]);
    connect(&mut teacher, &mut pupil, &mut t_sig, &mut p_sig).await;
    let asked = p_sig.iter().find_map(|e| match e {
        MediaEvent::Renegotiate { audio, .. } => Some(*audio),
        _ => None,
    });
    assert_eq!(asked, Some(1), "{p_sig:?}");
    pupil.offer(&sfu, &[(MediaKind::Audio, Direction::RecvOnly, None)]);
    for _ in 0..10 {
        pupil.run(Duration::from_millis(20), &mut p_sig).await;
        teacher.run(Duration::from_millis(20), &mut t_sig).await;
    }
    let tracks = p_sig.iter().rev().find_map(|e| match e {
        MediaEvent::Tracks(t) => Some(t.clone()),
        _ => None,
    });
    let tracks = tracks.expect("the pupil is told which mid carries whom");
    assert!(tracks.iter().any(|t| t.participant == ParticipantId(1) && t.source == Source::Audio), "{tracks:?}");

    // The teacher speaks (-30 dBov) for a second.
    for n in 0..50 {
        teacher.send_opus(mic, n, -30);
        teacher.run(Duration::from_millis(10), &mut t_sig).await;
        pupil.run(Duration::from_millis(10), &mut p_sig).await;
    }
    for _ in 0..10 {
        pupil.run(Duration::from_millis(20), &mut p_sig).await;
    }
    let heard = pupil.received_audio();
    assert!(heard >= 40, "the pupil received {heard} of 50 audio frames");

    // Silence is not forwarded.
    let before = pupil.received_audio();
    for n in 50..100 {
        teacher.send_opus(mic, n, -127);
        teacher.run(Duration::from_millis(10), &mut t_sig).await;
        pupil.run(Duration::from_millis(10), &mut p_sig).await;
    }
    assert_eq!(pupil.received_audio(), before, "silent frames are dropped");

    // The teacher leaves: the pupil's slot is freed and announced.
    assert!(sfu.send(Command::Leave { participant: ParticipantId(1) }));
    p_sig.clear();
    for _ in 0..10 {
        pupil.run(Duration::from_millis(20), &mut p_sig).await;
    }
    assert!(p_sig.iter().any(|e| matches!(e, MediaEvent::Tracks(t) if t.is_empty())), "{p_sig:?}");
}

#[tokio::test]
async fn junk_on_the_media_port_and_bad_offers_hurt_nobody() {
    let sfu = sfu().await;
    let junk = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for n in 0..200u32 {
        let len = (n as usize * 7) % 1500;
        let bytes: Vec<u8> = (0..len).map(|i| (i as u32 * 31 + n) as u8).collect();
        let _ = junk.send_to(&bytes, sfu.local_addr);
    }
    let mut peer = Browser::join(&sfu, "room-2", 10).await;
    assert!(sfu.send(Command::Offer { participant: ParticipantId(10), sdp: "not an sdp".into(), sources: vec![] }));
    let mut sig = vec![];
    peer.run(Duration::from_millis(100), &mut sig).await;
    assert!(sig.iter().any(|e| matches!(e, MediaEvent::OfferRefused(_))), "{sig:?}");
    // The same peer then offers properly and connects.
    peer.offer(&sfu, &[(MediaKind::Audio, Direction::SendOnly, Some(Source::Audio))]);
    let started = Instant::now();
    while !peer.rtc.is_connected() {
        assert!(started.elapsed() < Duration::from_secs(10), "no connection after junk");
        peer.run(Duration::from_millis(20), &mut sig).await;
    }
}

/// A video sent in one layer, without rid (a screen share; a browser that does not simulcast):
/// the SFU's keyframe request for its subscriber must reach the publisher, and the keyframe
/// then reaches the subscriber.
#[tokio::test]
async fn a_screen_share_without_simulcast_reaches_a_subscriber() {
    let sfu = sfu().await;
    let mut teacher = Browser::join(&sfu, "room-3", 21).await;
    let mut pupil = Browser::join(&sfu, "room-3", 22).await;
    let (mut t_sig, mut p_sig) = (vec![], vec![]);

    let screen = teacher.offer(&sfu, &[(MediaKind::Video, Direction::SendOnly, Some(Source::Screen))])[0];
    pupil.offer(&sfu, &[(MediaKind::Audio, Direction::SendOnly, Some(Source::Audio))]);
    connect(&mut teacher, &mut pupil, &mut t_sig, &mut p_sig).await;
    assert!(p_sig.iter().any(|e| matches!(e, MediaEvent::Renegotiate { video: 1, .. })), "{p_sig:?}");
    pupil.offer(&sfu, &[(MediaKind::Video, Direction::RecvOnly, None)]);
    for _ in 0..10 {
        pupil.run(Duration::from_millis(20), &mut p_sig).await;
        teacher.run(Duration::from_millis(20), &mut t_sig).await;
    }
    assert!(
        p_sig.iter().any(|e| matches!(e, MediaEvent::Tracks(t) if t.iter().any(|s| s.source == Source::Screen))),
        "{p_sig:?}"
    );

    // The teacher sends delta frames only, and a keyframe once asked for one (a VP8 frame whose
    // first byte has the P bit clear is a keyframe).
    let pt = teacher.rtc.codec_config().find(|p| p.spec().codec == Codec::Vp8).unwrap().pt();
    let mut asked = false;
    let received_video = |b: &Browser| {
        b.media.iter().filter(|e| matches!(e, Event::MediaData(d) if d.params.spec().codec == Codec::Vp8)).count()
    };
    for n in 0..100u32 {
        teacher.media.clear();
        let key = asked;
        let mut frame = if key { vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01] } else { vec![0x11, 0x02, 0x00] };
        frame.resize(400, 0x55);
        let w = teacher.rtc.writer(screen).unwrap();
        w.write(pt, Instant::now(), MediaTime::new(u64::from(n) * 3000, Frequency::NINETY_KHZ), frame).unwrap();
        teacher.run(Duration::from_millis(10), &mut t_sig).await;
        pupil.run(Duration::from_millis(10), &mut p_sig).await;
        asked |= teacher.media.iter().any(|e| matches!(e, Event::KeyframeRequest(r) if r.mid == screen));
        if received_video(&pupil) >= 5 {
            break;
        }
    }
    assert!(asked, "the SFU never asked the screen's publisher for a keyframe");
    assert!(received_video(&pupil) >= 5, "the pupil received {} screen frames", received_video(&pupil));
}

#[tokio::test]
async fn a_peer_that_never_completes_ice_is_dropped() {
    let mut config = MediaConfig::new("127.0.0.1:0".parse().unwrap(), vec![]);
    config.connect_timeout = Duration::from_millis(500);
    let sfu = sfu_with(config).await;
    let (tx, mut events) = mpsc::unbounded_channel();
    assert!(sfu.send(Command::Join { room: "room-3".into(), participant: ParticipantId(30), events: tx }));
    // It never sends a datagram.
    let dropped = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(e) = events.recv().await {
            if let MediaEvent::Dropped(reason) = e {
                return reason;
            }
        }
        "channel closed"
    })
    .await
    .expect("dropped within the timeout");
    assert_eq!(dropped, "connect_timeout");
}
