//! One room's forwarding state machine.
//!
//! Fed with: participants joining and leaving, tracks published, what each subscriber shows
//! (pins, displayed sizes, audio-only), each subscriber's bandwidth estimate, every packet's
//! metadata, and the passing of time. Answers: who receives each packet, and through
//! [`Room::poll_output`], keyframe requests to publishers, changes of what each subscriber
//! receives, the dominant speaker, and when to be called again.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::alloc::{Candidate, allocate};
use crate::speakers::Speakers;
use crate::{Layer, ParticipantId, TrackId, TrackKind};

#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// At most this many videos per subscriber ("last-N").
    pub last_n: usize,
    /// At most this many speakers' audio per subscriber at a time.
    pub max_audio: usize,
    /// RFC 6464 level (-dBov) at or above which an audio packet is silence and is dropped.
    pub silence_level: u8,
    /// How long a voice stays "recent" after its last voiced packet.
    pub voice_hold: Duration,
    /// Bandwidth set aside per forwarded audio stream (bits/s).
    pub audio_bps: u64,
    /// Estimate used until the subscriber's congestion control reports one (bits/s).
    pub initial_estimate: u64,
    /// Egress loss (fraction of packets) at or above which a subscriber's link is congested:
    /// only then are its videos paused when the estimate is short of even their lowest layers.
    /// A delay-based estimate also falls when a busy device is slow to note arrivals, with
    /// nothing lost; pausing every video then would be wrong (LiveKit does not pause by default).
    pub congested_loss: f32,
    /// How long pausing stays allowed after the last congested report. When the link is
    /// congested again soon after a hold ends (the videos came back and did not fit), the next
    /// hold is twice as long, up to `pause_hold_max`.
    pub pause_hold: Duration,
    pub pause_hold_max: Duration,
    /// Bitrate assumed for a layer seen but not yet measured (bits/s).
    pub nominal_rates: [u64; 3],
    /// How often layers are re-chosen and rates re-measured.
    pub tick: Duration,
    /// A layer not seen for this long is considered stopped.
    pub layer_timeout: Duration,
    /// A keyframe request not answered after this long is repeated.
    pub keyframe_retry: Duration,
    /// Displayed height assumed until the page reports one.
    pub default_height: u32,
    /// How long nobody must want a simulcast layer before its publisher is asked to stop
    /// encoding it (a layer wanted again is asked for at once).
    pub layer_pause_after: Duration,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            last_n: 9,
            max_audio: 3,
            silence_level: 75,
            voice_hold: Duration::from_millis(1500),
            audio_bps: 40_000,
            initial_estimate: 1_000_000,
            congested_loss: 0.10,
            pause_hold: Duration::from_secs(10),
            pause_hold_max: Duration::from_secs(160),
            nominal_rates: [150_000, 500_000, 1_500_000],
            tick: Duration::from_millis(250),
            layer_timeout: Duration::from_millis(1000),
            keyframe_retry: Duration::from_millis(1000),
            default_height: 360,
            layer_pause_after: Duration::from_secs(10),
        }
    }
}

/// What the driver needs to know of one received packet.
#[derive(Debug, Clone, Copy)]
pub struct Packet {
    pub track: TrackId,
    /// The simulcast layer (`High` for a video without simulcast and for audio).
    pub layer: Layer,
    /// The packet starts a keyframe (video).
    pub keyframe: bool,
    /// RFC 6464 audio level, when the extension is present.
    pub audio_level: Option<u8>,
    pub bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Ask the publisher of `track` for a keyframe on `layer` (PLI/FIR).
    KeyframeRequest { track: TrackId, layer: Layer },
    /// `subscriber` now receives `track` at `layer`, or nothing (show the avatar).
    Video { subscriber: ParticipantId, track: TrackId, layer: Option<Layer> },
    /// The dominant speaker changed.
    DominantSpeaker(Option<ParticipantId>),
    /// Ask the publisher of `track` to encode its simulcast layers up to `max` only: nobody
    /// watches it larger. The lowest layer always stays, so a newcomer sees it at once; a
    /// paused layer wanted again is asked for at once. (LiveKit calls this "dynacast".)
    Layers { track: TrackId, max: Layer },
    /// What `subscriber` receives now and what it would receive with bandwidth to spare
    /// (bits/s): congestion control probes towards `desired`, or the estimate would never grow
    /// past what is sent and the videos would stay at their lowest layer.
    Bandwidth { subscriber: ParticipantId, allocated: u64, desired: u64 },
    /// Nothing more now: call [`Room::handle_timeout`] at this instant.
    Timeout(Instant),
}

/// Counters for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub packets_in: u64,
    pub packets_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub silent_dropped: u64,
    pub keyframe_requests: u64,
    pub layer_switches: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct LayerStat {
    bytes: u64,
    rate: Option<u64>,
    last_seen: Option<Instant>,
}

impl LayerStat {
    /// Seen within `timeout` (a layer not seen for longer is considered stopped).
    fn fresh(&self, now: Instant, timeout: Duration) -> bool {
        self.last_seen.is_some_and(|seen| now.saturating_duration_since(seen) < timeout)
    }
}

#[derive(Debug)]
struct Track {
    owner: ParticipantId,
    kind: TrackKind,
    layers: [LayerStat; 3],
    keyframe_asked: [Option<Instant>; 3],
    /// A layer below `High` was seen: the publisher sends simulcast.
    simulcast: bool,
    /// The highest layer the publisher was asked to encode (all of them to begin with).
    max: Layer,
    /// Since when nobody has wanted `max`, and the largest layer wanted since.
    unwanted: Option<(Instant, Layer)>,
    /// When the publisher was last asked for its layers.
    asked_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Receiving {
    target: Option<Layer>,
    current: Option<Layer>,
}

#[derive(Debug)]
struct Participant {
    order: u64,
    estimate: u64,
    pins: Vec<ParticipantId>,
    audio_only: bool,
    heights: BTreeMap<TrackId, u32>,
    video: BTreeMap<TrackId, Receiving>,
    /// (allocated, desired) last reported.
    bandwidth: (u64, u64),
    /// Videos may be paused for want of bandwidth until then (see `RoomConfig::congested_loss`).
    may_pause_until: Option<Instant>,
    /// The length of the current or last hold.
    hold: Duration,
}

#[derive(Debug)]
pub struct Room {
    config: RoomConfig,
    participants: BTreeMap<ParticipantId, Participant>,
    tracks: BTreeMap<TrackId, Track>,
    speakers: Speakers,
    /// Who may be heard now: at most `max_audio` voices.
    audible: Vec<ParticipantId>,
    joined: u64,
    outputs: VecDeque<Output>,
    next_tick: Instant,
    last_tick: Instant,
    pub stats: Stats,
}

impl Room {
    pub fn new(config: RoomConfig, now: Instant) -> Room {
        Room {
            speakers: Speakers::new(config.silence_level, config.voice_hold),
            next_tick: now + config.tick,
            last_tick: now,
            config,
            participants: BTreeMap::new(),
            tracks: BTreeMap::new(),
            audible: vec![],
            joined: 0,
            outputs: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    pub fn has_track(&self, track: TrackId) -> bool {
        self.tracks.contains_key(&track)
    }

    pub fn track_ids(&self) -> impl Iterator<Item = TrackId> + '_ {
        self.tracks.keys().copied()
    }

    pub fn join(&mut self, p: ParticipantId, now: Instant) {
        self.joined += 1;
        let estimate = self.config.initial_estimate;
        self.participants.entry(p).or_insert(Participant {
            order: self.joined,
            estimate,
            pins: vec![],
            audio_only: false,
            heights: BTreeMap::new(),
            video: BTreeMap::new(),
            bandwidth: (0, 0),
            may_pause_until: None,
            hold: self.config.pause_hold,
        });
        self.reallocate(now);
    }

    /// Removes a participant and everything they published.
    pub fn leave(&mut self, p: ParticipantId, now: Instant) {
        let theirs: Vec<TrackId> = self.tracks.iter().filter(|(_, t)| t.owner == p).map(|(id, _)| *id).collect();
        for t in theirs {
            self.drop_track(t);
        }
        self.participants.remove(&p);
        self.speakers.forget(p);
        self.audible.retain(|a| *a != p);
        self.reallocate(now);
    }

    pub fn publish(&mut self, owner: ParticipantId, track: TrackId, kind: TrackKind, now: Instant) {
        if !self.participants.contains_key(&owner) {
            return;
        }
        self.tracks.insert(
            track,
            Track {
                owner,
                kind,
                layers: Default::default(),
                keyframe_asked: [None; 3],
                simulcast: false,
                max: Layer::High,
                unwanted: None,
                asked_at: None,
            },
        );
        self.reallocate(now);
    }

    pub fn unpublish(&mut self, track: TrackId, now: Instant) {
        self.drop_track(track);
        self.reallocate(now);
    }

    fn drop_track(&mut self, track: TrackId) {
        if self.tracks.remove(&track).is_none() {
            return;
        }
        for (id, p) in &mut self.participants {
            p.heights.remove(&track);
            if let Some(r) = p.video.remove(&track)
                && r.current.is_some()
            {
                self.outputs.push_back(Output::Video { subscriber: *id, track, layer: None });
            }
        }
    }

    /// The subscriber's bandwidth estimate, from its congestion control (TWCC).
    pub fn set_estimate(&mut self, p: ParticipantId, bits_per_second: u64, now: Instant) {
        if let Some(part) = self.participants.get_mut(&p) {
            part.estimate = bits_per_second;
            self.reallocate(now);
        }
    }

    /// The fraction of packets sent to the subscriber that were lost lately (TWCC feedback).
    pub fn set_egress_loss(&mut self, p: ParticipantId, fraction: f32, now: Instant) {
        let Some(part) = self.participants.get_mut(&p) else { return };
        if fraction < self.config.congested_loss {
            return;
        }
        match part.may_pause_until {
            Some(until) if now < until => {}
            // Congested again soon after a hold ended: back off.
            Some(until) if now.saturating_duration_since(until) < part.hold => {
                part.hold = (part.hold * 2).min(self.config.pause_hold_max);
            }
            _ => part.hold = self.config.pause_hold,
        }
        part.may_pause_until = Some(now + part.hold);
        self.reallocate(now);
    }

    /// The height at which the subscriber shows a video, in CSS pixels (0: not shown).
    pub fn set_display(&mut self, p: ParticipantId, track: TrackId, height: u32, now: Instant) {
        if let Some(part) = self.participants.get_mut(&p) {
            part.heights.insert(track, height);
            self.reallocate(now);
        }
    }

    /// The participants the subscriber pinned, in order (an interpreter next to the speaker).
    pub fn set_pins(&mut self, p: ParticipantId, pins: Vec<ParticipantId>, now: Instant) {
        if let Some(part) = self.participants.get_mut(&p) {
            part.pins = pins;
            self.reallocate(now);
        }
    }

    /// Audio only: the subscriber receives no video at all.
    pub fn set_audio_only(&mut self, p: ParticipantId, audio_only: bool, now: Instant) {
        if let Some(part) = self.participants.get_mut(&p) {
            part.audio_only = audio_only;
            self.reallocate(now);
        }
    }

    /// A packet arrived; `to` is filled with the participants it must be forwarded to. The
    /// caller keeps `to` between packets, so forwarding allocates nothing.
    pub fn on_packet(&mut self, now: Instant, packet: &Packet, to: &mut Vec<ParticipantId>) {
        to.clear();
        let Some(track) = self.tracks.get_mut(&packet.track) else { return };
        self.stats.packets_in += 1;
        self.stats.bytes_in += packet.bytes as u64;
        let owner = track.owner;
        track.simulcast |= packet.layer != Layer::High;
        let stat = &mut track.layers[packet.layer as usize];
        stat.bytes += packet.bytes as u64;
        let newly_active = !stat.fresh(now, self.config.layer_timeout);
        stat.last_seen = Some(now);
        if newly_active && track.kind != TrackKind::Audio {
            // A layer (re)appeared: choose again without waiting for the tick.
            self.next_tick = now;
        }
        match track.kind {
            TrackKind::Audio => {
                if let Some(level) = packet.audio_level {
                    if !self.speakers.observe(owner, level, now) {
                        self.stats.silent_dropped += 1;
                        return;
                    }
                    if !self.make_audible(owner, now) {
                        return;
                    }
                }
                to.extend(self.participants.keys().filter(|p| **p != owner));
            }
            TrackKind::Camera | TrackKind::Screen => {
                for (id, p) in &mut self.participants {
                    let Some(r) = p.video.get_mut(&packet.track) else { continue };
                    if r.target == Some(packet.layer) && r.current != r.target && packet.keyframe {
                        r.current = r.target;
                        self.stats.layer_switches += 1;
                        self.outputs.push_back(Output::Video { subscriber: *id, track: packet.track, layer: r.current });
                    }
                    if r.current == Some(packet.layer) {
                        to.push(*id);
                    }
                }
            }
        }
        self.stats.packets_out += to.len() as u64;
        self.stats.bytes_out += (to.len() * packet.bytes) as u64;
    }

    /// Lets `who` into the audible set if there is room or if they are louder than its
    /// quietest member.
    fn make_audible(&mut self, who: ParticipantId, now: Instant) -> bool {
        if self.audible.contains(&who) {
            return true;
        }
        if self.audible.len() < self.config.max_audio {
            self.audible.push(who);
            return true;
        }
        // Replace a member whose voice is no longer recent, or the quietest if `who` is louder.
        let ranked = self.speakers.loudest(self.participants.len(), now);
        let rank = |p: &ParticipantId| ranked.iter().position(|r| r == p).unwrap_or(usize::MAX);
        let (i, weakest) = self.audible.iter().enumerate().max_by_key(|(_, p)| rank(p)).map(|(i, p)| (i, *p)).unwrap();
        if rank(&who) < rank(&weakest) {
            self.audible[i] = who;
            true
        } else {
            false
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if now < self.next_tick {
            return;
        }
        let elapsed = now.saturating_duration_since(self.last_tick).as_secs_f64().max(0.001);
        self.last_tick = now;
        self.next_tick = now + self.config.tick;
        for t in self.tracks.values_mut() {
            for s in &mut t.layers {
                if !s.fresh(now, self.config.layer_timeout) {
                    s.rate = None;
                } else if s.bytes > 0 {
                    let measured = (s.bytes as f64 * 8.0 / elapsed) as u64;
                    s.rate = Some(s.rate.map_or(measured, |r| (r + measured) / 2));
                }
                s.bytes = 0;
            }
        }
        let recent = self.speakers.loudest(self.participants.len(), now);
        self.audible.retain(|p| recent.contains(p));
        if let Some(d) = self.speakers.elect(now) {
            self.outputs.push_back(Output::DominantSpeaker(d));
        }
        self.reallocate(now);
    }

    /// The next output, or `Timeout` when there is none.
    pub fn poll_output(&mut self) -> Output {
        self.outputs.pop_front().unwrap_or(Output::Timeout(self.next_tick))
    }

    /// The videos a subscriber should receive, most important first: pinned participants,
    /// then screen shares, then the most recent speakers, then by order of arrival.
    fn last_n(&self, me: ParticipantId) -> Vec<TrackId> {
        let Some(part) = self.participants.get(&me) else { return vec![] };
        let cameras_of = |p: ParticipantId| {
            self.tracks.iter().filter(move |(_, t)| t.owner == p && t.kind == TrackKind::Camera).map(|(id, _)| *id)
        };
        let mut order: Vec<TrackId> = vec![];
        let push = |order: &mut Vec<TrackId>, t: TrackId| {
            if !order.contains(&t) {
                order.push(t);
            }
        };
        for p in part.pins.iter().filter(|p| **p != me) {
            cameras_of(*p).for_each(|t| push(&mut order, t));
        }
        for (id, _) in self.tracks.iter().filter(|(_, t)| t.kind == TrackKind::Screen && t.owner != me) {
            push(&mut order, *id);
        }
        for p in self.speakers.by_recency().into_iter().filter(|p| *p != me) {
            cameras_of(p).for_each(|t| push(&mut order, t));
        }
        let mut by_arrival: Vec<_> = self.participants.iter().filter(|(id, _)| **id != me).collect();
        by_arrival.sort_by_key(|(_, p)| p.order);
        for (id, _) in by_arrival {
            cameras_of(*id).for_each(|t| push(&mut order, t));
        }
        order.truncate(self.config.last_n);
        order
    }

    /// Re-chooses, for every subscriber, which videos and layers it receives.
    fn reallocate(&mut self, now: Instant) {
        let ids: Vec<ParticipantId> = self.participants.keys().copied().collect();
        let audio_publishers = self.tracks.values().filter(|t| t.kind == TrackKind::Audio).count();
        // The largest layer anyone shows each video at.
        let mut wanted: BTreeMap<TrackId, Layer> = BTreeMap::new();
        for me in ids {
            let selected = if self.participants[&me].audio_only { vec![] } else { self.last_n(me) };
            let part = &self.participants[&me];
            let height = |t: &TrackId| part.heights.get(t).copied().unwrap_or(self.config.default_height);
            let shown: Vec<TrackId> = selected.into_iter().filter(|t| height(t) > 0).collect();
            let candidates: Vec<Candidate> = shown
                .iter()
                .map(|t| {
                    let track = &self.tracks[t];
                    let mut rates = [None; 3];
                    for l in Layer::ALL {
                        let s = track.layers[l as usize];
                        if s.fresh(now, self.config.layer_timeout) {
                            rates[l as usize] = Some(s.rate.unwrap_or(self.config.nominal_rates[l as usize]));
                        }
                    }
                    Candidate { screen: track.kind == TrackKind::Screen, wanted: Layer::for_height(height(t)), rates }
                })
                .collect();
            for (t, c) in shown.iter().zip(&candidates) {
                let w = wanted.entry(*t).or_insert(Layer::Low);
                *w = (*w).max(c.wanted);
            }
            let audio_reserve = self.config.audio_bps * audio_publishers.min(self.config.max_audio) as u64;
            let budget = part.estimate.saturating_sub(audio_reserve);
            let pause = part.may_pause_until.is_some_and(|until| now < until);
            let layers = allocate(budget, &candidates, pause);
            let sum = |chosen: &[Option<Layer>]| -> u64 {
                chosen
                    .iter()
                    .zip(&candidates)
                    .filter_map(|(l, c)| c.rates[(*l)? as usize])
                    .sum::<u64>()
                    + audio_reserve
            };
            let bandwidth = (sum(&layers), sum(&allocate(u64::MAX, &candidates, true)));
            let targets: BTreeMap<TrackId, Option<Layer>> = shown.into_iter().zip(layers).collect();

            let part = self.participants.get_mut(&me).expect("listed above");
            if part.bandwidth != bandwidth {
                part.bandwidth = bandwidth;
                self.outputs.push_back(Output::Bandwidth { subscriber: me, allocated: bandwidth.0, desired: bandwidth.1 });
            }
            // Videos no longer selected stop at once.
            let dropped: Vec<TrackId> = part.video.keys().filter(|t| !targets.contains_key(t)).copied().collect();
            for t in dropped {
                if let Some(r) = part.video.remove(&t)
                    && r.current.is_some()
                {
                    self.outputs.push_back(Output::Video { subscriber: me, track: t, layer: None });
                }
            }
            for (t, target) in targets {
                let r = part.video.entry(t).or_default();
                r.target = target;
                if target.is_none() && r.current.is_some() {
                    r.current = None;
                    self.outputs.push_back(Output::Video { subscriber: me, track: t, layer: None });
                }
                // A new layer starts on a keyframe: ask for one, not too often.
                if let Some(l) = target
                    && r.current != target
                    && let Some(track) = self.tracks.get_mut(&t)
                {
                    let asked = &mut track.keyframe_asked[l as usize];
                    if asked.is_none_or(|at| now.saturating_duration_since(at) >= self.config.keyframe_retry) {
                        *asked = Some(now);
                        self.stats.keyframe_requests += 1;
                        self.outputs.push_back(Output::KeyframeRequest { track: t, layer: l });
                    }
                }
            }
        }
        self.pause_unwatched_layers(&wanted, now);
    }

    /// Asks publishers to encode only the simulcast layers someone wants (see `Output::Layers`).
    fn pause_unwatched_layers(&mut self, wanted: &BTreeMap<TrackId, Layer>, now: Instant) {
        let timeout = self.config.layer_timeout;
        let fresh = |track: &Track, l: Layer| track.layers[l as usize].fresh(now, timeout);
        for (id, track) in &mut self.tracks {
            if track.kind != TrackKind::Camera || !track.simulcast {
                continue;
            }
            let want = wanted.get(id).copied().unwrap_or(Layer::Low);
            let mut ask = None;
            if want > track.max {
                ask = Some(want);
            } else if want < track.max {
                let (since, peak) = track.unwanted.get_or_insert((now, want));
                *peak = (*peak).max(want);
                if now.saturating_duration_since(*since) >= self.config.layer_pause_after {
                    ask = Some(*peak);
                }
            } else {
                track.unwanted = None;
            }
            // The request may not have reached the publisher (its socket was down for a moment,
            // its browser refused): a layer wanted and asked for that does not come while the
            // lowest does is asked for again, now and then.
            let retry = self.config.layer_pause_after / 2;
            if ask.is_none()
                && want > Layer::Low
                && !fresh(track, want)
                && fresh(track, Layer::Low)
                && track.asked_at.is_some_and(|at| now.saturating_duration_since(at) >= retry)
            {
                ask = Some(track.max);
            }
            if let Some(max) = ask {
                if max != track.max {
                    track.unwanted = (want < max).then_some((now, want));
                }
                track.max = max;
                track.asked_at = Some(now);
                self.outputs.push_back(Output::Layers { track: *id, max });
            }
        }
    }
}
