//! The forwarding core on a virtual clock: no sockets, no sleeps, same result every run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use preau_media::room::Stats;
use preau_media::{Layer, Output, Packet, ParticipantId, Room, RoomConfig, TrackId, TrackKind};

/// A room, a virtual clock, and publishers that send like browsers do.
struct Sim {
    room: Room,
    now: Instant,
    /// Audio level each participant currently speaks at (127 = silence).
    levels: BTreeMap<ParticipantId, u8>,
    /// Layers each video track currently sends, and those it can send.
    sending: BTreeMap<TrackId, Vec<Layer>>,
    encodes: BTreeMap<TrackId, Vec<Layer>>,
    /// Publishers follow `Output::Layers` (false: the requests are lost on the way).
    obey_layers: bool,
    owners: BTreeMap<TrackId, (ParticipantId, TrackKind)>,
    outputs: Vec<Output>,
    /// Packets received: (subscriber, track, layer) → count.
    received: BTreeMap<(ParticipantId, TrackId, Layer), u32>,
    /// The layer of the last packet each subscriber received of each track.
    last_layer: BTreeMap<(ParticipantId, TrackId), Layer>,
    /// Keyframes are sent when asked, and every `gop` otherwise.
    gop: Duration,
    last_keyframe: BTreeMap<(TrackId, Layer), Instant>,
    keyframe_due: BTreeSet<(TrackId, Layer)>,
    answer_keyframe_requests: bool,
}

const RATES: [u64; 3] = [150_000, 500_000, 1_500_000];

fn p(n: u64) -> ParticipantId {
    ParticipantId(n)
}

impl Sim {
    fn new(config: RoomConfig) -> Sim {
        let now = Instant::now();
        Sim {
            room: Room::new(config, now),
            now,
            levels: BTreeMap::new(),
            sending: BTreeMap::new(),
            encodes: BTreeMap::new(),
            obey_layers: true,
            owners: BTreeMap::new(),
            outputs: vec![],
            received: BTreeMap::new(),
            last_layer: BTreeMap::new(),
            gop: Duration::from_secs(10),
            last_keyframe: BTreeMap::new(),
            keyframe_due: BTreeSet::new(),
            answer_keyframe_requests: true,
        }
    }

    fn join(&mut self, who: u64) {
        self.room.join(p(who), self.now);
        self.levels.insert(p(who), 127);
        self.drain();
    }

    /// A participant with a microphone (track 10·n) and a simulcast camera (track 10·n+1).
    fn join_with_camera(&mut self, who: u64) -> TrackId {
        self.join(who);
        self.publish(who, 10 * who, TrackKind::Audio, vec![]);
        self.publish(who, 10 * who + 1, TrackKind::Camera, Layer::ALL.to_vec())
    }

    fn publish(&mut self, who: u64, track: u64, kind: TrackKind, layers: Vec<Layer>) -> TrackId {
        let t = TrackId(track);
        self.room.publish(p(who), t, kind, self.now);
        self.owners.insert(t, (p(who), kind));
        if kind != TrackKind::Audio {
            for l in &layers {
                self.keyframe_due.insert((t, *l));
            }
            self.encodes.insert(t, layers.clone());
            self.sending.insert(t, layers);
        }
        self.drain();
        t
    }

    fn drain(&mut self) {
        loop {
            match self.room.poll_output() {
                Output::Timeout(_) => break,
                Output::KeyframeRequest { track, layer } => {
                    if self.answer_keyframe_requests {
                        self.keyframe_due.insert((track, layer));
                    }
                    self.outputs.push(Output::KeyframeRequest { track, layer });
                }
                // The publisher encodes the layers asked for, as a browser does after
                // `setParameters`; a layer that starts again starts on a keyframe.
                Output::Layers { track, max } => {
                    if let (true, Some(sending), Some(encodes)) = (self.obey_layers, self.sending.get_mut(&track), self.encodes.get(&track)) {
                        let now_sending: Vec<Layer> = encodes.iter().copied().filter(|l| *l <= max).collect();
                        for l in now_sending.iter().filter(|l| !sending.contains(l)) {
                            self.keyframe_due.insert((track, *l));
                        }
                        *sending = now_sending;
                    }
                    self.outputs.push(Output::Layers { track, max });
                }
                o => self.outputs.push(o),
            }
        }
    }

    fn deliver(&mut self, packet: Packet) -> Vec<ParticipantId> {
        let mut to = vec![];
        self.room.on_packet(self.now, &packet, &mut to);
        for s in &to {
            *self.received.entry((*s, packet.track, packet.layer)).or_default() += 1;
            // The invariant of simulcast forwarding: a subscriber's stream changes layer only on
            // a keyframe, or its decoder would show garbage.
            if let Some(previous) = self.last_layer.insert((*s, packet.track), packet.layer) {
                assert!(
                    previous == packet.layer || packet.keyframe,
                    "{s:?} switched {:?} from {previous:?} to {:?} on a delta frame",
                    packet.track,
                    packet.layer
                );
            }
        }
        self.drain();
        to
    }

    /// Runs the clock for `ms`, every publisher sending a packet every 20 ms.
    fn run(&mut self, ms: u64) {
        for _ in 0..ms / 20 {
            self.now += Duration::from_millis(20);
            let owners = self.owners.clone();
            for (track, (owner, kind)) in owners {
                match kind {
                    TrackKind::Audio => {
                        let level = self.levels[&owner];
                        self.deliver(Packet { track, layer: Layer::High, keyframe: false, audio_level: Some(level), bytes: 80 });
                    }
                    _ => {
                        for layer in self.sending[&track].clone() {
                            let last = self.last_keyframe.get(&(track, layer)).copied();
                            let keyframe = self.keyframe_due.remove(&(track, layer))
                                || last.is_none_or(|t| self.now.duration_since(t) >= self.gop);
                            if keyframe {
                                self.last_keyframe.insert((track, layer), self.now);
                            }
                            let rate = if kind == TrackKind::Screen { 300_000 } else { RATES[layer as usize] };
                            let bytes = (rate / 8 / 50) as usize;
                            self.deliver(Packet { track, layer, keyframe, audio_level: None, bytes });
                        }
                    }
                }
            }
            self.room.handle_timeout(self.now);
            self.drain();
        }
    }

    /// What `who` receives of `track` now: the layer of its last packet in the next 200 ms.
    fn layer_of(&mut self, who: u64, track: TrackId) -> Option<Layer> {
        let key = (p(who), track);
        let before = self.received.clone();
        self.run(200);
        let got_any = Layer::ALL.into_iter().any(|l| self.received.get(&(key.0, track, l)) != before.get(&(key.0, track, l)));
        if got_any { self.last_layer.get(&key).copied() } else { None }
    }

    /// Whose audio `who` received in the last `ms`.
    fn heard_by(&mut self, who: u64, ms: u64) -> BTreeSet<ParticipantId> {
        self.received.clear();
        self.run(ms);
        self.received
            .iter()
            .filter(|((s, t, _), _)| *s == p(who) && self.owners[t].1 == TrackKind::Audio)
            .map(|((_, t, _), _)| self.owners[t].0)
            .collect()
    }

    fn stats(&self) -> Stats {
        self.room.stats
    }

    /// The `Output::Layers` requests made so far, in order.
    fn layer_requests(&self) -> Vec<Output> {
        self.outputs.iter().filter(|o| matches!(o, Output::Layers { .. })).cloned().collect()
    }
}

#[test]
fn the_layer_follows_the_displayed_size_and_the_estimate() {
    let mut s = Sim::new(RoomConfig::default());
    let teacher = s.join_with_camera(1);
    s.join(2);
    s.room.set_estimate(p(2), 5_000_000, s.now);
    s.room.set_display(p(2), teacher, 720, s.now);
    s.run(500);
    assert_eq!(s.layer_of(2, teacher), Some(Layer::High));
    s.room.set_display(p(2), teacher, 180, s.now);
    s.run(500);
    assert_eq!(s.layer_of(2, teacher), Some(Layer::Low), "a thumbnail needs the low layer only");
    s.room.set_display(p(2), teacher, 720, s.now);
    s.room.set_estimate(p(2), 700_000, s.now);
    s.run(500);
    assert_eq!(s.layer_of(2, teacher), Some(Layer::Mid), "the estimate caps the layer");
    s.room.set_display(p(2), teacher, 0, s.now);
    s.run(300);
    assert_eq!(s.layer_of(2, teacher), None, "a hidden video is not sent");
}

#[test]
fn a_subscriber_short_of_bandwidth_is_told_what_it_would_take() {
    let mut s = Sim::new(RoomConfig::default());
    let teacher = s.join_with_camera(1);
    s.join(2);
    s.room.set_display(p(2), teacher, 720, s.now);
    s.room.set_estimate(p(2), 700_000, s.now);
    s.run(500);
    let last = |s: &Sim| {
        s.outputs.iter().rev().find_map(|o| match o {
            Output::Bandwidth { subscriber, allocated, desired } if *subscriber == p(2) => Some((*allocated, *desired)),
            _ => None,
        })
    };
    let (allocated, desired) = last(&s).expect("a bandwidth output for the subscriber");
    assert!(allocated <= 700_000, "within the estimate: {allocated}");
    assert!(desired > allocated, "the high layer is wanted: {desired} > {allocated}");
    // With room to spare, what is sent is what is wanted: nothing more to probe for.
    s.room.set_estimate(p(2), 10_000_000, s.now);
    s.run(500);
    let (allocated, desired) = last(&s).expect("reported again");
    assert_eq!(allocated, desired);
}

#[test]
fn layers_switch_only_on_keyframes_and_keyframes_are_requested() {
    let mut s = Sim::new(RoomConfig::default());
    s.gop = Duration::from_secs(3);
    let cam = s.join_with_camera(1);
    s.join(2);
    s.room.set_estimate(p(2), 5_000_000, s.now);
    s.room.set_display(p(2), cam, 720, s.now);
    s.run(400);
    assert_eq!(s.layer_of(2, cam), Some(Layer::High));
    // From now on the publisher ignores keyframe requests.
    s.answer_keyframe_requests = false;
    s.run(100);
    // The estimate drops: the target becomes Low at once, a keyframe is asked for…
    s.outputs.clear();
    s.room.set_estimate(p(2), 400_000, s.now);
    s.drain();
    assert!(s.outputs.contains(&Output::KeyframeRequest { track: cam, layer: Layer::Low }), "{:?}", s.outputs);
    // …but until the publisher sends one (it ignores requests here), High keeps flowing:
    // switching mid-picture would show garbage.
    assert_eq!(s.layer_of(2, cam), Some(Layer::High));
    // The request is repeated after a second.
    s.outputs.clear();
    s.run(1000);
    assert!(s.outputs.contains(&Output::KeyframeRequest { track: cam, layer: Layer::Low }));
    // The periodic keyframe arrives: the switch happens then, and is announced.
    s.run(3000);
    assert_eq!(s.layer_of(2, cam), Some(Layer::Low));
    assert!(s.outputs.contains(&Output::Video { subscriber: p(2), track: cam, layer: Some(Layer::Low) }));
    assert!(s.stats().layer_switches >= 2);
}

#[test]
fn last_n_keeps_pins_then_the_screen_then_recent_speakers() {
    let mut s = Sim::new(RoomConfig { last_n: 4, ..RoomConfig::default() });
    let cams: Vec<TrackId> = (1..=8).map(|n| s.join_with_camera(n)).collect();
    let screen = s.publish(8, 89, TrackKind::Screen, vec![Layer::High]);
    s.join(9);
    s.room.set_estimate(p(9), 50_000_000, s.now);
    // Participants 5 then 6 speak; 3 is pinned.
    s.levels.insert(p(5), 30);
    s.run(300);
    s.levels.insert(p(5), 127);
    s.levels.insert(p(6), 30);
    s.run(300);
    s.levels.insert(p(6), 127);
    s.room.set_pins(p(9), vec![p(3)], s.now);
    s.run(500);
    s.received.clear();
    s.run(400);
    let videos: BTreeSet<TrackId> = s
        .received
        .keys()
        .filter(|(who, t, _)| *who == p(9) && s.owners[t].1 != TrackKind::Audio)
        .map(|(_, t, _)| *t)
        .collect();
    let expected: BTreeSet<TrackId> = [cams[2], screen, cams[5], cams[4]].into_iter().collect();
    assert_eq!(videos, expected, "pinned 3, the screen, then 6 and 5 who spoke last");
    // Nobody else receives more than N videos either.
    for who in 1..=8 {
        let n = s.received.keys().filter(|(w, t, _)| *w == p(who) && s.owners[t].1 != TrackKind::Audio).map(|(_, t, _)| *t).collect::<BTreeSet<_>>().len();
        assert!(n <= 4, "participant {who} receives {n} videos");
    }
}

#[test]
fn a_publisher_leaving_mid_stream_disappears_cleanly() {
    let mut s = Sim::new(RoomConfig::default());
    let a = s.join_with_camera(1);
    let b = s.join_with_camera(2);
    s.join(3);
    s.run(500);
    assert!(s.layer_of(3, a).is_some() && s.layer_of(3, b).is_some());
    s.outputs.clear();
    s.room.leave(p(1), s.now);
    s.owners.retain(|_, (o, _)| *o != p(1));
    s.drain();
    assert!(s.outputs.contains(&Output::Video { subscriber: p(3), track: a, layer: None }));
    assert_eq!(s.room.participant_count(), 2);
    assert_eq!(s.room.track_count(), 2);
    // A straggling packet of the departed track goes nowhere.
    let to = s.deliver(Packet { track: a, layer: Layer::High, keyframe: true, audio_level: None, bytes: 1000 });
    assert!(to.is_empty());
    assert!(s.layer_of(3, b).is_some(), "the others go on");
}

#[test]
fn on_512_kbits_a_pupil_keeps_the_teachers_voice_and_the_screen() {
    let mut s = Sim::new(RoomConfig::default());
    let teacher_cam = s.join_with_camera(1);
    let screen = s.publish(1, 19, TrackKind::Screen, vec![Layer::High]);
    let classmate_cam = s.join_with_camera(2);
    s.join(3);
    s.levels.insert(p(1), 25);
    s.room.set_estimate(p(3), 512_000, s.now);
    s.run(1000);
    // 512k - 2 audio reserves (80k) - screen (300k) = 132k: no camera fits even at 150k, but
    // nothing is lost yet (a busy device alone lowers a delay-based estimate): cameras are kept
    // at their lowest layer.
    assert_eq!(s.layer_of(3, teacher_cam), Some(Layer::Low));
    assert_eq!(s.layer_of(3, classmate_cam), Some(Layer::Low));
    // The link loses packets: the cameras are paused, the screen and the voice stay.
    s.room.set_egress_loss(p(3), 0.25, s.now);
    s.run(1000);
    assert_eq!(s.layer_of(3, screen), Some(Layer::High), "the shared screen");
    assert!(s.heard_by(3, 400).contains(&p(1)), "the teacher's voice");
    assert_eq!(s.layer_of(3, teacher_cam), None);
    assert_eq!(s.layer_of(3, classmate_cam), None);
    // Slight loss does not extend the pause; once it is over, the cameras are tried again,
    // however low the estimate.
    s.room.set_estimate(p(3), 400_000, s.now);
    s.room.set_egress_loss(p(3), 0.02, s.now);
    // (Each `layer_of` looks over 200 ms: the loss was reported 2 s ago.)
    s.run(7_000);
    assert_eq!(s.layer_of(3, teacher_cam), None, "still paused 9.2 s into the hold");
    s.run(1_500);
    assert_eq!(s.layer_of(3, teacher_cam), Some(Layer::Low), "retried after the pause");
    s.room.set_egress_loss(p(3), 0.25, s.now);
    s.run(600);
    assert_eq!(s.layer_of(3, teacher_cam), None, "paused again on loss");
    // Congested again right after a retry: the second hold is twice as long (20 s).
    s.run(18_000);
    assert_eq!(s.layer_of(3, teacher_cam), None, "still paused 19 s into the second hold");
    s.run(2_000);
    assert_eq!(s.layer_of(3, teacher_cam), Some(Layer::Low), "retried after 20 s");
    // With more room, cameras come back at their lowest layer first.
    s.room.set_estimate(p(3), 900_000, s.now);
    s.run(600);
    assert_eq!(s.layer_of(3, teacher_cam), Some(Layer::Low));
    assert_eq!(s.layer_of(3, classmate_cam), Some(Layer::Low));
}

#[test]
fn silence_is_not_forwarded_and_only_the_loudest_three_are_heard() {
    let mut s = Sim::new(RoomConfig::default());
    for n in 1..=30 {
        s.join(n);
        s.publish(n, 10 * n, TrackKind::Audio, vec![]);
    }
    // Everybody silent: nothing at all is forwarded.
    assert!(s.heard_by(1, 400).is_empty());
    assert!(s.stats().silent_dropped > 0);
    assert_eq!(s.stats().packets_out, 0);
    // Thirty open microphones, five of them with voices of different loudness.
    for (n, level) in [(2, 60), (3, 20), (4, 40), (5, 30), (6, 50)] {
        s.levels.insert(p(n), level);
    }
    s.run(1000);
    let heard = s.heard_by(1, 1000);
    let expected: BTreeSet<_> = [p(3), p(5), p(4)].into_iter().collect();
    assert_eq!(heard, expected, "the three loudest");
    // The loudest stops; the next one is heard in their place.
    s.levels.insert(p(3), 127);
    s.run(2000);
    let heard = s.heard_by(1, 1000);
    assert!(heard.len() <= 3);
    assert!(heard.contains(&p(6)) && !heard.contains(&p(3)), "{heard:?}");
}

#[test]
fn the_dominant_speaker_is_announced_and_does_not_flicker() {
    let mut s = Sim::new(RoomConfig::default());
    for n in 1..=3 {
        s.join(n);
        s.publish(n, 10 * n, TrackKind::Audio, vec![]);
    }
    s.levels.insert(p(1), 30);
    s.run(500);
    assert!(s.outputs.contains(&Output::DominantSpeaker(Some(p(1)))));
    // Someone barely louder does not take the floor.
    s.outputs.clear();
    s.levels.insert(p(2), 28);
    s.run(1000);
    assert!(!s.outputs.iter().any(|o| matches!(o, Output::DominantSpeaker(_))), "{:?}", s.outputs);
    // Someone clearly louder does.
    s.levels.insert(p(3), 5);
    s.run(1000);
    assert!(s.outputs.contains(&Output::DominantSpeaker(Some(p(3)))));
}

#[test]
fn audio_only_receives_no_video_at_all() {
    let mut s = Sim::new(RoomConfig::default());
    let cam = s.join_with_camera(1);
    s.levels.insert(p(1), 30);
    s.join(2);
    s.run(500);
    assert!(s.layer_of(2, cam).is_some());
    s.room.set_audio_only(p(2), true, s.now);
    s.drain();
    assert_eq!(s.layer_of(2, cam), None);
    assert!(s.heard_by(2, 400).contains(&p(1)), "audio still flows");
    s.room.set_audio_only(p(2), false, s.now);
    s.run(500);
    assert!(s.layer_of(2, cam).is_some());
}

#[test]
fn packets_of_unknown_tracks_and_publishers_are_ignored() {
    let mut s = Sim::new(RoomConfig::default());
    s.join(1);
    let to = s.deliver(Packet { track: TrackId(999), layer: Layer::Low, keyframe: true, audio_level: Some(0), bytes: 1200 });
    assert!(to.is_empty());
    // Publishing for someone who is not in the room does nothing.
    s.room.publish(p(42), TrackId(420), TrackKind::Camera, s.now);
    assert_eq!(s.room.track_count(), 0);
}

#[test]
fn layers_nobody_watches_are_paused_at_the_publisher_and_resumed_when_wanted() {
    let mut s = Sim::new(RoomConfig::default());
    let teacher = s.join_with_camera(1);
    let pupil = s.join_with_camera(2);
    s.join(3);
    for who in [2, 3] {
        s.room.set_estimate(p(who), 5_000_000, s.now);
    }
    // Everyone shows the teacher large, and the pupil's camera as a thumbnail.
    s.room.set_display(p(2), teacher, 720, s.now);
    s.room.set_display(p(3), teacher, 720, s.now);
    s.room.set_display(p(1), pupil, 180, s.now);
    s.room.set_display(p(3), pupil, 180, s.now);
    s.run(9_000);
    let asked = |s: &Sim, track: TrackId| {
        s.layer_requests().into_iter().filter_map(|o| match o {
            Output::Layers { track: t, max } if t == track => Some(max),
            _ => None,
        }).collect::<Vec<_>>()
    };
    assert!(asked(&s, pupil).is_empty(), "not before the layers went unwanted for 10 s: {:?}", s.outputs);
    s.run(1_500);
    assert_eq!(asked(&s, pupil), vec![Layer::Low], "the thumbnail needs the low layer only");
    assert!(asked(&s, teacher).is_empty(), "the teacher is watched at full size");
    assert_eq!(s.layer_of(3, pupil), Some(Layer::Low), "the thumbnail still flows");
    // Someone enlarges the pupil: the layers come back at once, and are forwarded on a keyframe.
    s.outputs.clear();
    s.room.set_display(p(3), pupil, 720, s.now);
    s.drain();
    assert_eq!(asked(&s, pupil), vec![Layer::High]);
    s.run(1_000);
    assert_eq!(s.layer_of(3, pupil), Some(Layer::High));
    // A short change of mind does not stop and restart the encoder.
    s.outputs.clear();
    s.room.set_display(p(3), pupil, 180, s.now);
    s.run(3_000);
    s.room.set_display(p(3), pupil, 720, s.now);
    s.run(10_000);
    assert!(asked(&s, pupil).is_empty(), "{:?}", s.outputs);
    // Lowered to the largest layer wanted in the last 10 s, not below it.
    s.room.set_display(p(3), pupil, 360, s.now);
    s.run(9_000);
    s.room.set_display(p(3), pupil, 180, s.now);
    s.run(1_500);
    assert_eq!(asked(&s, pupil), vec![Layer::Mid], "the middle layer was wanted until a moment ago");
    s.run(10_000);
    assert_eq!(asked(&s, pupil), vec![Layer::Mid, Layer::Low]);
}

#[test]
fn a_request_for_layers_lost_on_the_way_is_made_again() {
    let mut s = Sim::new(RoomConfig::default());
    let cam = s.join_with_camera(1);
    s.join(2);
    s.room.set_estimate(p(2), 5_000_000, s.now);
    s.room.set_display(p(2), cam, 180, s.now);
    s.run(11_000);
    assert_eq!(s.sending[&cam], vec![Layer::Low]);
    // The publisher's socket is down for a moment: the request for the high layer is lost.
    s.obey_layers = false;
    s.outputs.clear();
    s.room.set_display(p(2), cam, 720, s.now);
    s.run(1_000);
    s.obey_layers = true;
    assert_eq!(s.layer_of(2, cam), Some(Layer::Low), "the publisher still sends the low layer only");
    s.run(5_000);
    let asked = s.layer_requests();
    assert_eq!(asked, vec![Output::Layers { track: cam, max: Layer::High }; 2], "asked again once, after 5 s");
    assert_eq!(s.layer_of(2, cam), Some(Layer::High));
}

#[test]
fn a_camera_nobody_shows_keeps_its_lowest_layer_and_a_camera_without_simulcast_is_left_alone() {
    let mut s = Sim::new(RoomConfig::default());
    let cam = s.join_with_camera(1);
    s.publish(1, 12, TrackKind::Camera, vec![Layer::High]);
    s.run(11_000);
    let asked = s.layer_requests();
    assert_eq!(asked, vec![Output::Layers { track: cam, max: Layer::Low }], "alone in the room: the lowest layer, ready for whoever comes");
    // A newcomer sees the camera at once, at the low layer, and the default size brings the middle one back.
    s.outputs.clear();
    s.join(2);
    s.room.set_estimate(p(2), 5_000_000, s.now);
    s.drain();
    assert!(s.outputs.contains(&Output::Layers { track: cam, max: Layer::Mid }), "{:?}", s.outputs);
    s.run(1_000);
    assert_eq!(s.layer_of(2, cam), Some(Layer::Mid));
}
