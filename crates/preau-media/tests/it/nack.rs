//! NACK and RTX on a virtual clock, no sockets: the SFU side (ICE-lite, as the driver builds it)
//! sends VP8 to a browser-like peer over a wire that loses packets; the browser asks again
//! (NACK) and the SFU resends from its buffer (RTX), so every frame arrives whole.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime};
use str0m::net::{Receive, Transmit};
use str0m::{Candidate, Event, Input, Output, Rtc};

struct Peer {
    rtc: Rtc,
    addr: SocketAddr,
    next: Instant,
    events: Vec<Event>,
}

impl Peer {
    fn new(rtc: Rtc, addr: &str) -> Peer {
        let addr: SocketAddr = addr.parse().unwrap();
        let mut p = Peer { rtc, addr, next: Instant::now(), events: vec![] };
        p.rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
        p
    }

    fn drain(&mut self, wire: &mut VecDeque<Transmit>) {
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Timeout(t) => {
                    self.next = t;
                    return;
                }
                Output::Transmit(t) => wire.push_back(t),
                Output::Event(e) => self.events.push(e),
            }
        }
    }
}

/// Delivers what is on the wire, dropping the datagrams `lose` picks, and fires timeouts.
fn step(a: &mut Peer, b: &mut Peer, wire: &mut VecDeque<Transmit>, now: Instant, lose: &mut dyn FnMut(&Transmit) -> bool) {
    for p in [&mut *a, &mut *b] {
        if p.next <= now {
            p.rtc.handle_input(Input::Timeout(now)).unwrap();
            p.drain(wire);
        }
    }
    while let Some(t) = wire.pop_front() {
        if lose(&t) {
            continue;
        }
        let to = if t.destination == a.addr { &mut *a } else { &mut *b };
        let input = Input::Receive(now, Receive::try_from(&t).unwrap());
        to.rtc.handle_input(input).unwrap();
        to.drain(wire);
    }
}

#[test]
fn lost_video_packets_are_recovered_by_nack_and_rtx() {
    str0m::crypto::from_feature_flags().install_process_default();
    let t0 = Instant::now();
    let stats = Some(Duration::from_millis(500));
    let mut sfu = Peer::new(
        Rtc::builder().set_ice_lite(true).clear_codecs().enable_vp8(true).set_stats_interval(stats).build(t0),
        "10.0.0.1:10000",
    );
    let mut browser = Peer::new(Rtc::builder().clear_codecs().enable_vp8(true).build(t0), "10.0.0.2:5000");
    // The browser's receive transceiver, as room.js adds it.
    let mut api = browser.rtc.sdp_api();
    api.add_media(MediaKind::Video, Direction::RecvOnly, None, None, None);
    let (offer, pending) = api.apply().unwrap();
    let answer = sfu.rtc.sdp_api().accept_offer(offer).unwrap();
    browser.rtc.sdp_api().accept_answer(pending, answer).unwrap();
    let mut wire = VecDeque::new();
    let mut now = t0;
    sfu.drain(&mut wire);
    browser.drain(&mut wire);
    while !(browser.rtc.is_connected() && sfu.rtc.is_connected()) {
        now += Duration::from_millis(5);
        step(&mut sfu, &mut browser, &mut wire, now, &mut |_| false);
        assert!(now - t0 < Duration::from_secs(10), "no connection");
    }
    let mid = sfu
        .events
        .iter()
        .find_map(|e| match e {
            Event::MediaAdded(m) if m.direction.is_sending() => Some(m.mid),
            _ => None,
        })
        .expect("the SFU gets a send slot");

    // Thirty frames of three packets each; every tenth media datagram to the browser is lost.
    let pt = sfu.rtc.codec_config().find(|p| p.spec().codec == Codec::Vp8).unwrap().pt();
    let mut sent = 0u32;
    let mut lost = 0u32;
    let mut lose = |t: &Transmit| {
        // Only big datagrams to the browser are media; keep the handshake and RTCP.
        if t.destination.port() == 5000 && t.contents.len() > 600 {
            sent += 1;
            if sent.is_multiple_of(10) {
                lost += 1;
                return true;
            }
        }
        false
    };
    for n in 0..30u64 {
        now += Duration::from_millis(33);
        // A VP8 payload descriptor (keyframe on the first frame) and 3,000 bytes: three packets.
        let mut frame = vec![0u8; 3000];
        frame[0] = if n == 0 { 0x10 } else { 0x11 };
        sfu.rtc
            .writer(mid)
            .unwrap()
            .write(pt, now, MediaTime::new(n * 3000, Frequency::NINETY_KHZ), frame)
            .unwrap();
        sfu.drain(&mut wire);
        step(&mut sfu, &mut browser, &mut wire, now, &mut lose);
    }
    // Time for NACKs to go up and retransmissions to come down.
    for _ in 0..100 {
        now += Duration::from_millis(10);
        step(&mut sfu, &mut browser, &mut wire, now, &mut |_| false);
    }
    assert!(lost >= 5, "the wire lost {lost} packets");
    let frames: Vec<_> = browser
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MediaData(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(frames.len(), 30, "every frame arrives despite {lost} lost packets");
    assert!(frames.iter().all(|f| f.contiguous), "no frame had to be skipped");
    // And it was NACK/RTX that did it: the SFU side saw NACKs for its stream.
    let nacks = sfu
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MediaEgressStats(s) => Some(s.nacks),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    assert!(nacks >= u64::from(lost), "{nacks} NACKs for {lost} lost packets");
}
