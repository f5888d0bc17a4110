//! A bot in a Janus VideoRoom, the yardstick: the same synthetic media and counts as in Préau's
//! rooms, through Janus's signalling (`janus.rs`). Janus wants two peer connections per bot:
//! one to publish (the bot offers), one to subscribe to everyone else (Janus offers, the bot
//! answers, and Janus offers again as publishers come). Each subscribed camera is asked at the
//! simulcast layer the bot would show it at, as Préau's bots say with `view`.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::bot::{BotSpec, Ctx, Peer, Publisher};
use crate::janus::{JanusClient, JanusEvent, Offer, RoomOptions, StreamRef, SubscriberHandle};
use crate::media::Kind;
use crate::stats::BotStats;

/// Creates the room every bot of the run joins.
pub async fn create_room(url: &str, participants: u32) -> anyhow::Result<u64> {
    let (client, _events) = JanusClient::connect(url).await?;
    let room = client
        .create_room(&RoomOptions {
            publishers: participants + 8,
            ..RoomOptions::default()
        })
        .await?;
    Ok(room)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Audio => "audio",
        Kind::Camera => "camera",
        Kind::Screen => "screen",
    }
}

fn bot_number(display: Option<&str>) -> Option<u32> {
    display?.strip_prefix("bot-")?.parse().ok()
}

pub async fn run(spec: BotSpec, mut ctx: Ctx, url: &str, room: u64) -> anyhow::Result<BotStats> {
    let (client, mut events) = JanusClient::connect(url).await?;
    // Janus does ICE on the machine's address, never on loopback: the bots' sockets go there.
    let ip = client.media_ip().await?;
    let mut stats = BotStats::default();
    let (publisher_handle, existing) = client.join_publisher(room, &spec.name()).await?;

    let mut pub_peer: Option<Peer> = None;
    let mut publisher: Option<Publisher> = None;
    if spec.voice.is_some() || spec.camera || spec.screen {
        let mut peer = Peer::new_on(ip).await?;
        if let Some((sdp, mids)) = peer.offer(Some(&spec), true, (0, 0)) {
            let descriptions: Vec<(String, &str)> = mids
                .iter()
                .map(|(m, k)| (m.to_string(), kind_name(*k)))
                .collect();
            let descriptions: Vec<(&str, &str)> =
                descriptions.iter().map(|(m, d)| (m.as_str(), *d)).collect();
            let answer = publisher_handle.publish(&sdp, &descriptions).await?;
            peer.accept_answer(&answer)?;
            publisher = Some(Publisher::new(spec.clone(), true, mids));
        }
        pub_peer = Some(peer);
    }

    // (feed, publisher's mid) → what it is; feed → bot number.
    let mut described: HashMap<(u64, String), Kind> = HashMap::new();
    let mut feeds: HashMap<u64, u32> = HashMap::new();
    let mut subscribed: HashSet<u64> = HashSet::new();
    let mut sub: Option<(SubscriberHandle, Peer)> = None;
    let mut layered: HashSet<String> = HashSet::new();
    let mut pending_feeds: Vec<crate::janus::Publisher> = existing;

    loop {
        // Subscribe to publishers not yet subscribed to.
        let fresh: Vec<u64> = pending_feeds
            .drain(..)
            .filter(|p| p.id != publisher_handle.feed && !p.streams.is_empty())
            .filter_map(|p| {
                let n = bot_number(p.display.as_deref())?;
                feeds.insert(p.id, n);
                for s in &p.streams {
                    let kind = match (s.kind.as_str(), s.description.as_deref()) {
                        ("audio", _) => Kind::Audio,
                        (_, Some("screen")) => Kind::Screen,
                        _ => Kind::Camera,
                    };
                    described.insert((p.id, s.mid.clone()), kind);
                }
                subscribed.insert(p.id).then_some(p.id)
            })
            .collect();
        if !fresh.is_empty() {
            let refs: Vec<StreamRef> = fresh.iter().map(|f| StreamRef::feed(*f)).collect();
            let offer = match &sub {
                None => {
                    let (handle, offer) = client
                        .join_subscriber(room, &refs, Some(publisher_handle.private_id))
                        .await?;
                    sub = Some((handle, Peer::new_on(ip).await?));
                    Some(offer)
                }
                Some((handle, _)) => handle.subscribe(&refs).await?,
            };
            if let (Some(offer), Some((handle, peer))) = (offer, sub.as_mut()) {
                answer(
                    &spec,
                    handle,
                    peer,
                    &offer,
                    &described,
                    &feeds,
                    &mut layered,
                )
                .await?;
            }
        }

        let count = ctx.window.open();
        if let Some(peer) = pub_peer.as_mut() {
            for e in peer.drain(&mut stats, count)? {
                if let (str0m::Event::KeyframeRequest(req), Some(p)) = (e, publisher.as_mut()) {
                    p.keyframe_request(&req);
                }
            }
        }
        if let Some((_, peer)) = sub.as_mut() {
            peer.drain(&mut stats, count)?;
        }
        let connected = pub_peer.as_ref().is_none_or(|p| p.rtc.is_connected())
            && sub.as_ref().is_some_and(|(_, p)| p.rtc.is_connected());
        if connected {
            ctx.mark_connected(&mut stats);
        }
        let wake = Peer::next(pub_peer.as_ref())
            .min(Peer::next(sub.as_ref().map(|(_, p)| p)))
            .min(
                publisher
                    .as_ref()
                    .map(|p| p.next())
                    .unwrap_or(Instant::now() + Duration::from_secs(1)),
            )
            .max(Instant::now() + Duration::from_micros(200));
        let sub_peer = sub.as_mut().map(|(_, p)| p);
        let event = tokio::select! {
            r = Peer::recv(pub_peer.as_mut(), count) => { r?; None }
            r = Peer::recv(sub_peer, count) => { r?; None }
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => None,
            changed = ctx.stop.changed() => {
                if changed.is_err() || *ctx.stop.borrow() {
                    let _ = publisher_handle.leave().await;
                    let _ = client.destroy().await;
                    for p in [pub_peer.as_mut(), sub.as_mut().map(|(_, p)| p)].into_iter().flatten() {
                        p.drain(&mut stats, false)?;
                    }
                    return Ok(stats);
                }
                None
            }
            event = events.recv() => Some(event),
        };
        match event {
            None => {}
            Some(Some(JanusEvent::Publishers { publishers, .. })) => {
                pending_feeds.extend(publishers)
            }
            Some(Some(JanusEvent::Offer { handle, offer })) => {
                if let Some((h, peer)) = sub.as_mut()
                    && h.id() == handle
                {
                    answer(&spec, h, peer, &offer, &described, &feeds, &mut layered).await?;
                }
            }
            Some(Some(JanusEvent::Closed { reason })) => {
                anyhow::bail!("{}: Janus closed: {reason}", spec.name())
            }
            Some(Some(_)) => {}
            Some(None) => anyhow::bail!("{}: Janus events ended", spec.name()),
        }
        if let (Some(p), Some(peer)) = (publisher.as_mut(), pub_peer.as_mut()) {
            p.tick(peer, &ctx, &mut stats)?;
        }
    }
}

/// Answers a subscriber offer, then asks each new camera at the layer this bot shows it at.
async fn answer(
    spec: &BotSpec,
    handle: &SubscriberHandle,
    peer: &mut Peer,
    offer: &Offer,
    described: &HashMap<(u64, String), Kind>,
    feeds: &HashMap<u64, u32>,
    layered: &mut HashSet<String>,
) -> anyhow::Result<()> {
    let sdp = peer.accept_offer(&offer.sdp)?;
    handle.start(&sdp).await?;
    let mut choices: Vec<(String, u8)> = vec![];
    for s in offer
        .streams
        .iter()
        .filter(|s| s.active && s.kind == "video")
    {
        let (Some(feed), Some(feed_mid)) = (s.feed_id, s.feed_mid.as_ref()) else {
            continue;
        };
        if described.get(&(feed, feed_mid.clone())) != Some(&Kind::Camera)
            || layered.contains(&s.mid)
        {
            continue;
        }
        // In every scenario the host is bot 0.
        let host = feeds.get(&feed) == Some(&0);
        choices.push((s.mid.clone(), spec.layer_for(host)));
        layered.insert(s.mid.clone());
    }
    if !choices.is_empty() {
        let refs: Vec<(&str, u8)> = choices.iter().map(|(m, l)| (m.as_str(), *l)).collect();
        handle.set_substream(&refs).await?;
    }
    Ok(())
}
