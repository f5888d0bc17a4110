//! A meeting's lobby: a guest knocks, waits, and comes in only when a host admits them.
//!
//! The guest's socket stays open while they wait (answering pings); the hosts see who is waiting
//! (a `lobby` message at each change) and answer with `admit` or `refuse`. Nothing is kept once
//! the answer is given: a guest who drops out after being admitted takes their place back with
//! the resume token, like anyone, and one who leaves for good knocks again.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use preau_core::RoomId;
use serde::Serialize;
use tokio::sync::oneshot;

use super::{ClientMsg, IDLE, Joiner, Live, LiveRoom, ServerMsg, encode, parse};

/// Most guests waiting at one door; the next ones are told the room is full.
const MAX_WAITING: usize = 50;

/// A guest at the door.
pub(super) struct Knock {
    /// `g1`, `g2`… numbered on this node: what the hosts' buttons name, not a secret.
    id: String,
    name: String,
    answer: oneshot::Sender<Result<(), &'static str>>,
}

/// A guest waiting, as hosts see them.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Waiting {
    id: String,
    name: String,
}

/// How the wait ended.
pub(super) enum Outcome {
    Admitted,
    /// Why not: `refused` by a host, `locked`, `full`, `ended`.
    Refused(&'static str),
    /// The guest closed the page or went silent.
    Gone,
}

pub(super) fn waiting(room: &LiveRoom) -> Vec<Waiting> {
    room.lobby.iter().map(|k| Waiting { id: k.id.clone(), name: k.name.clone() }).collect()
}

/// Knocks for `joiner` and waits for a host's answer, answering the page's pings meanwhile.
pub(super) async fn wait(live: &Arc<Live>, room_id: &RoomId, joiner: &Joiner, ws: &mut WebSocket) -> Outcome {
    let (tx, mut answer) = oneshot::channel();
    let id = format!("g{}", live.next.fetch_add(1, Ordering::Relaxed));
    {
        let mut rooms = live.rooms.lock().unwrap();
        let room = rooms.entry(room_id.clone()).or_default();
        if room.locked || room.lobby.len() >= MAX_WAITING {
            let reason = if room.locked { "locked" } else { "full" };
            if room.members.is_empty() && room.lobby.is_empty() && room.presences.is_empty() {
                rooms.remove(room_id);
            }
            return Outcome::Refused(reason);
        }
        room.lobby.push(Knock { id: id.clone(), name: joiner.name.clone(), answer: tx });
        live.send_to_hosts(room, &ServerMsg::Lobby { waiting: waiting(room) });
    }
    tracing::info!(room = %room_id, guest = id, "room: a guest knocks");
    let outcome = listen(ws, &mut answer).await;
    if matches!(outcome, Outcome::Gone) {
        withdraw(live, room_id, &id);
    }
    tracing::info!(room = %room_id, guest = id, outcome = match outcome {
        Outcome::Admitted => "admitted",
        Outcome::Refused(reason) => reason,
        Outcome::Gone => "gone",
    }, "room: lobby");
    outcome
}

async fn listen(ws: &mut WebSocket, answer: &mut oneshot::Receiver<Result<(), &'static str>>) -> Outcome {
    if ws.send(Message::Text(encode(&ServerMsg::Waiting).into())).await.is_err() {
        return Outcome::Gone;
    }
    let mut last_heard = Instant::now();
    let mut idle = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            decided = &mut *answer => return match decided {
                Ok(Ok(())) => Outcome::Admitted,
                Ok(Err(reason)) => Outcome::Refused(reason),
                // The room's session was dropped with the knock in it.
                Err(_) => Outcome::Refused("ended"),
            },
            incoming = ws.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = Instant::now();
                    // Waiting, one may only ping; anything else is ignored.
                    if matches!(parse(&text), Ok(ClientMsg::Ping))
                        && ws.send(Message::Text(encode(&ServerMsg::Pong).into())).await.is_err()
                    {
                        return Outcome::Gone;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Outcome::Gone,
                Some(Ok(_)) => last_heard = Instant::now(),
            },
            _ = idle.tick() => if last_heard.elapsed() > IDLE { return Outcome::Gone },
        }
    }
}

/// A guest gave up waiting: off the list, and the hosts are told.
fn withdraw(live: &Live, room_id: &RoomId, id: &str) {
    let mut rooms = live.rooms.lock().unwrap();
    let Some(room) = rooms.get_mut(room_id) else { return };
    room.lobby.retain(|k| k.id != id);
    live.send_to_hosts(room, &ServerMsg::Lobby { waiting: waiting(room) });
    if room.members.is_empty() && room.lobby.is_empty()
        && let Some(room) = rooms.remove(room_id)
    {
        live.report(room_id, room);
    }
}

/// A host's answer to the guest `id`.
pub(super) fn answer(live: &Live, room_id: &RoomId, id: &str, admit: bool) -> Result<(), &'static str> {
    let mut rooms = live.rooms.lock().unwrap();
    let room = rooms.get_mut(room_id).ok_or("bad_message")?;
    // Two hosts may answer the same guest at once: the second finds no one and is told so.
    let at = room.lobby.iter().position(|k| k.id == id).ok_or("no_guest")?;
    let knock = room.lobby.remove(at);
    let _ = knock.answer.send(if admit { Ok(()) } else { Err("refused") });
    live.send_to_hosts(room, &ServerMsg::Lobby { waiting: waiting(room) });
    Ok(())
}

/// Sends everyone waiting away with `reason` (the session ends).
pub(super) fn dismiss(room: &mut LiveRoom, reason: &'static str) {
    for knock in room.lobby.drain(..) {
        let _ = knock.answer.send(Err(reason));
    }
}
