//! A bot in a Préau room: the room signalling of docs/signalling.md over the benchmark socket
//! (`/bench/rooms/{id}/ws`, open only on a server started with `--bench-token-file`), one peer
//! connection for everything, the bot always offering.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::bot::{BotSpec, Ctx, Peer, Publisher};
use crate::media::Kind;
use crate::stats::BotStats;

pub struct Target {
    /// e.g. ws://127.0.0.1:8080
    pub base: String,
    pub token: String,
    pub room: String,
}

fn kind_of(source: &str) -> Option<Kind> {
    match source {
        "audio" => Some(Kind::Audio),
        "camera" => Some(Kind::Camera),
        "screen" => Some(Kind::Screen),
        _ => None,
    }
}

/// A received mid: whose and what.
#[derive(Debug, Clone)]
struct Slot {
    participant: String,
    kind: Kind,
}

pub async fn run(spec: BotSpec, mut ctx: Ctx, target: &Target) -> anyhow::Result<BotStats> {
    let url = format!(
        "{}/bench/rooms/{}/ws?name={}&host={}",
        target.base,
        target.room,
        spec.name(),
        u8::from(spec.host)
    );
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {}", target.token).parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
    ws.send(Message::text(json!({"v": 1, "type": "join"}).to_string()))
        .await?;

    let mut stats = BotStats::default();
    let mut peer = Peer::new().await?;
    let mut publisher: Option<Publisher> = None;
    // Participant id → (bot number, is host).
    let mut people: HashMap<String, (u32, bool)> = HashMap::new();
    let mut slots: HashMap<String, Slot> = HashMap::new();
    let mut receivers = (0usize, 0usize);
    // Receive transceivers asked for while an offer was in flight.
    let mut wanted: Option<(usize, usize)> = None;
    let mut ping = tokio::time::interval(Duration::from_secs(10));
    let mut sent_offer = false;

    loop {
        let count = ctx.window.open();
        for e in peer.drain(&mut stats, count)? {
            match e {
                str0m::Event::Connected => ctx.mark_connected(&mut stats),
                str0m::Event::KeyframeRequest(req) => {
                    if let Some(p) = publisher.as_mut() {
                        p.keyframe_request(&req);
                    }
                }
                _ => {}
            }
        }
        let wake = Peer::next(Some(&peer)).min(
            publisher
                .as_ref()
                .map(|p| p.next())
                .unwrap_or(Instant::now() + Duration::from_secs(1)),
        );
        let wake = wake.max(Instant::now() + Duration::from_micros(200));
        tokio::select! {
            r = Peer::recv(Some(&mut peer), count) => r?,
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {}
            _ = ping.tick() => ws.send(Message::text(json!({"v": 1, "type": "ping"}).to_string())).await?,
            changed = ctx.stop.changed() => {
                if changed.is_err() || *ctx.stop.borrow() {
                    let _ = ws.close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                        code: 1000.into(),
                        reason: "bye".into(),
                    })).await;
                    peer.drain(&mut stats, false)?;
                    return Ok(stats);
                }
            }
            msg = ws.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(f))) => anyhow::bail!("{}: the server closed the socket: {f:?}", spec.name()),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(e.into()),
                    None => anyhow::bail!("{}: socket ended", spec.name()),
                };
                let m: Value = serde_json::from_str(&text)?;
                match m["type"].as_str().unwrap_or("") {
                    "joined" => {
                        for p in m["participants"].as_array().into_iter().flatten() {
                            remember(&mut people, p);
                        }
                        // First offer: what this bot sends.
                        if let Some((sdp, mids)) = peer.offer(Some(&spec), true, (0, 0)) {
                            offer(&mut ws, &sdp, &mids).await?;
                            publisher = Some(Publisher::new(spec.clone(), true, mids));
                            sent_offer = true;
                        }
                    }
                    "participant_joined" | "participant_state" => remember(&mut people, &m["participant"]),
                    "answer" => {
                        peer.accept_answer(m["sdp"].as_str().unwrap_or(""))?;
                        sent_offer = false;
                        if let Some(w) = wanted.take() {
                            sent_offer = renegotiate(&mut ws, &mut peer, &mut receivers, w).await?;
                        }
                    }
                    "renegotiate" => {
                        let w = (m["audio"].as_u64().unwrap_or(0) as usize, m["video"].as_u64().unwrap_or(0) as usize);
                        if sent_offer {
                            wanted = Some(w);
                        } else {
                            sent_offer = renegotiate(&mut ws, &mut peer, &mut receivers, w).await?;
                        }
                    }
                    "tracks" => {
                        slots.clear();
                        for t in m["tracks"].as_array().into_iter().flatten() {
                            if let (Some(mid), Some(p), Some(kind)) = (t["mid"].as_str(), t["participant"].as_str(), t["source"].as_str().and_then(kind_of)) {
                                slots.insert(mid.to_string(), Slot { participant: p.to_string(), kind });
                            }
                        }
                        let heights: serde_json::Map<String, Value> = slots
                            .iter()
                            .filter(|(_, s)| s.kind != Kind::Audio)
                            .map(|(mid, s)| {
                                let host = people.get(&s.participant).is_some_and(|p| p.1);
                                (mid.clone(), json!(if host { spec.host_height } else { spec.other_height }))
                            })
                            .collect();
                        ws.send(Message::text(json!({"v": 1, "type": "view", "heights": heights, "pins": [], "audio_only": false}).to_string())).await?;
                    }
                    "video" => {
                        // Paused or resumed by the SFU: the frames not sent meanwhile are not loss.
                        if let Some(s) = m["mid"].as_str().and_then(|mid| slots.get(mid))
                            && let Some((n, _)) = people.get(&s.participant)
                        {
                            stats.reset_stream(*n, s.kind);
                        }
                    }
                    "layers" => {
                        if let (Some(p), Some(mid), Some(max)) = (publisher.as_mut(), m["mid"].as_str(), m["max"].as_str()) {
                            p.limit_layers(mid, max);
                        }
                    }
                    "error" => eprintln!("{}: server error {}", spec.name(), m),
                    _ => {}
                }
            }
        }
        if let Some(p) = publisher.as_mut() {
            p.tick(&mut peer, &ctx, &mut stats)?;
        }
    }
}

fn remember(people: &mut HashMap<String, (u32, bool)>, p: &Value) {
    let (Some(id), Some(name)) = (p["id"].as_str(), p["name"].as_str()) else {
        return;
    };
    if let Some(n) = name.strip_prefix("bot-").and_then(|n| n.parse().ok()) {
        people.insert(id.to_string(), (n, p["host"].as_bool().unwrap_or(false)));
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn offer(ws: &mut Ws, sdp: &str, mids: &[(str0m::media::Mid, Kind)]) -> anyhow::Result<()> {
    let sources: serde_json::Map<String, Value> = mids
        .iter()
        .map(|(mid, kind)| {
            let s = match kind {
                Kind::Audio => "audio",
                Kind::Camera => "camera",
                Kind::Screen => "screen",
            };
            (mid.to_string(), json!(s))
        })
        .collect();
    ws.send(Message::text(
        json!({"v": 1, "type": "offer", "sdp": sdp, "sources": sources}).to_string(),
    ))
    .await?;
    Ok(())
}

/// Adds receive transceivers up to what the server asked for; true when an offer went out.
async fn renegotiate(
    ws: &mut Ws,
    peer: &mut Peer,
    have: &mut (usize, usize),
    want: (usize, usize),
) -> anyhow::Result<bool> {
    let add = (want.0.saturating_sub(have.0), want.1.saturating_sub(have.1));
    if add == (0, 0) {
        return Ok(false);
    }
    let Some((sdp, _)) = peer.offer(None, false, add) else {
        return Ok(false);
    };
    *have = (have.0 + add.0, have.1 + add.1);
    offer(ws, &sdp, &[]).await?;
    Ok(true)
}
