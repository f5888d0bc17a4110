//! Janus VideoRoom signalling over Janus's WebSocket transport (Janus 1.1, multistream API).
//!
//! One [`JanusClient`] is one WebSocket connection carrying one Janus session; a bot opens its own
//! client and attaches one VideoRoom handle per role:
//!
//! - a publisher handle ([`JanusClient::join_publisher`]): joins the room, learns its publishers
//!   (the join answer, then [`JanusEvent::Publishers`] / [`JanusEvent::Unpublished`]) and publishes
//!   the bot's SDP offer ([`PublisherHandle::publish`]) to get Janus's answer;
//! - a subscriber handle ([`JanusClient::join_subscriber`]): one PeerConnection receiving any set
//!   of streams; Janus makes every offer, the bot answers each with [`SubscriberHandle::start`].
//!
//! Responses are matched to requests by `transaction`; everything Janus sends on its own (new
//! publishers, renegotiation offers, trickled candidates, webrtcup, hangup...) arrives on the
//! event channel returned by [`JanusClient::connect`], tagged with the handle id (`sender`).
//!
//! ICE: the JSEPs we send say `trickle: false`, so Janus takes the candidates in the bot's SDP as
//! complete and the bot never trickles. With `full_trickle` off (scripts/janus-config), Janus puts
//! its own candidates in its SDP too (one host candidate, `a=end-of-candidates`); should it
//! trickle some anyway, they come as [`JanusEvent::Candidate`] for `Candidate::from_sdp_string`.
//! Janus is ICE-lite there, so the bot's str0m is the controlling agent. Janus never uses a
//! loopback interface and its ICE sockets only answer peers through their own interface: a bot's
//! host candidate must be on [`JanusClient::media_ip`], not on 127.0.0.1.
//!
//! Simulcast: [`PublisherHandle::publish`] tells Janus the offer lists its `a=rid` lines lowest
//! quality first (`rid_order: "lmh"`), so with layers q, h, f, substream 0 is q and 2 is f; a
//! subscriber picks one per stream with [`SubscriberHandle::set_substream`].
//!
//! Janus habits to live with: a publisher can be announced again (key them by id), and
//! `unpublished`/`leaving` can repeat or name a participant that never published.
//! `PREAU_JANUS_TRACE=1` prints every message to and from Janus on stderr.
//!
//! No `futures` dependency: the WebSocket is tungstenite's synchronous state machine (re-exported
//! by tokio-tungstenite) over a non-blocking tokio socket, driven by one task per client.
#![allow(dead_code)] // the bots use this API progressively

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::{
    self, Message, WebSocket, client::IntoClientRequest, handshake::HandshakeError,
    http::HeaderValue,
};

/// How long a request may wait for its answer. Generous: under load, Janus queues plugin messages.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Janus drops a session after 60 s without a request (its default `session_timeout`).
const KEEPALIVE_PERIOD: Duration = Duration::from_secs(25);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const VIDEOROOM: &str = "janus.plugin.videoroom";
/// VideoRoom's error code for "room already exists".
const ERROR_ROOM_EXISTS: i64 = 427;

/// A Janus handle id (the `sender` of the events about it).
pub type HandleId = u64;

/// Something Janus sent without being asked, or the end of the connection.
#[derive(Debug, Clone)]
pub enum JanusEvent {
    /// Publishers that started publishing, or changed their streams (seen on publisher handles).
    /// A publisher can be announced again: key them by `id`.
    Publishers {
        handle: HandleId,
        publishers: Vec<Publisher>,
    },
    /// A publisher stopped publishing (its PeerConnection is gone).
    Unpublished { handle: HandleId, feed: u64 },
    /// A participant left the room.
    Leaving { handle: HandleId, feed: u64 },
    /// A renegotiation offer for a subscriber handle that was not the answer to one of our
    /// requests: a postponed update, or a subscribed publisher gone. Answer with `start`.
    Offer { handle: HandleId, offer: Offer },
    /// Janus switched the simulcast substream it relays on a subscriber's `mid`.
    Substream {
        handle: HandleId,
        mid: String,
        substream: u8,
    },
    /// A candidate Janus trickled (`None`: end of candidates); only with `full_trickle` on.
    Candidate {
        handle: HandleId,
        mid: Option<String>,
        candidate: Option<String>,
    },
    /// The handle's PeerConnection is up (ICE and DTLS done).
    WebRtcUp { handle: HandleId },
    /// Janus started or stopped receiving media on a `mid` of the handle.
    Media {
        handle: HandleId,
        mid: Option<String>,
        kind: String,
        receiving: bool,
    },
    /// The handle's PeerConnection was closed by Janus.
    Hangup { handle: HandleId, reason: String },
    /// Anything else, as Janus sent it.
    Other {
        handle: Option<HandleId>,
        message: Value,
    },
    /// The WebSocket is closed or the session is gone; no more events follow.
    Closed { reason: String },
}

/// A publisher in the room, as Janus announces it.
#[derive(Debug, Clone, Deserialize)]
pub struct Publisher {
    pub id: u64,
    #[serde(default)]
    pub display: Option<String>,
    #[serde(default)]
    pub streams: Vec<PublishedStream>,
}

/// One m-line of a publisher.
#[derive(Debug, Clone, Deserialize)]
pub struct PublishedStream {
    /// "audio", "video" or "data".
    #[serde(rename = "type")]
    pub kind: String,
    pub mid: String,
    #[serde(default)]
    pub codec: Option<String>,
    #[serde(default)]
    pub simulcast: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub description: Option<String>,
}

/// A JSEP offer Janus made to a subscriber, with the layout of the subscription it describes.
#[derive(Debug, Clone)]
pub struct Offer {
    pub sdp: String,
    pub streams: Vec<SubscriptionStream>,
}

/// One m-line of a subscription (all of them, old and new, in every offer).
#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionStream {
    /// The subscriber's mid: what `set_substream` and the bot's Rtc use.
    pub mid: String,
    /// "audio", "video" or "data".
    #[serde(rename = "type")]
    pub kind: String,
    /// False once the publisher behind it is gone (the m-line is then inactive).
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub feed_id: Option<u64>,
    #[serde(default)]
    pub feed_mid: Option<String>,
    #[serde(default)]
    pub feed_display: Option<String>,
}

/// A publisher's stream to subscribe to (or unsubscribe from).
#[derive(Debug, Clone)]
pub struct StreamRef {
    pub feed: u64,
    /// `None`: all the publisher's streams.
    pub mid: Option<String>,
    /// Simulcast substream to start with (0 lowest, 2 highest); Janus's default is the highest.
    pub substream: Option<u8>,
}

impl StreamRef {
    /// All streams of a publisher.
    pub fn feed(feed: u64) -> StreamRef {
        StreamRef {
            feed,
            mid: None,
            substream: None,
        }
    }

    /// One stream of a publisher, by the publisher's mid.
    pub fn stream(feed: u64, mid: &str) -> StreamRef {
        StreamRef {
            feed,
            mid: Some(mid.to_owned()),
            substream: None,
        }
    }

    fn to_json(&self) -> Value {
        let mut v = json!({ "feed": self.feed });
        if let Some(mid) = &self.mid {
            v["mid"] = mid.as_str().into();
        }
        if let Some(substream) = self.substream {
            v["substream"] = substream.into();
        }
        v
    }
}

/// Settings of a VideoRoom room created by [`JanusClient::create_room`]. Always Opus and VP8
/// (simulcast is allowed for VP8), audio-level extension on, no recording, not permanent.
#[derive(Debug, Clone)]
pub struct RoomOptions {
    /// Room id to use; `None` lets Janus pick one.
    pub room: Option<u64>,
    pub description: String,
    /// Maximum number of concurrent publishers (Janus's default is only 3).
    pub publishers: u32,
    /// REMB cap sent to publishers, in bit/s (0: none).
    pub bitrate: u32,
    /// Send publishers a keyframe request every `fir_freq` seconds (0: never).
    pub fir_freq: u32,
}

impl Default for RoomOptions {
    fn default() -> Self {
        RoomOptions {
            room: None,
            description: "preau-loadgen".into(),
            publishers: 1000,
            bitrate: 0,
            fir_freq: 0,
        }
    }
}

/// The VideoRoom plugin's answer to a message: its `data`, and the JSEP if it carried one.
#[derive(Debug, Clone)]
pub struct PluginReply {
    pub data: Value,
    pub jsep: Option<Value>,
}

/// A Janus session over one WebSocket. Cheap to clone; the connection (and with it the session
/// and all its handles, Janus side) ends when the client and all its handles are dropped.
#[derive(Clone)]
pub struct JanusClient {
    shared: Arc<Shared>,
    session: u64,
}

struct Shared {
    commands: mpsc::UnboundedSender<Command>,
    next_transaction: AtomicU64,
}

enum Command {
    /// Send `message`; hand the first non-"ack" message with the same transaction to `reply`.
    Request {
        message: Value,
        transaction: String,
        reply: oneshot::Sender<Value>,
    },
    /// Send `message`, ignore any answer (keepalives).
    Notify(Value),
}

impl Shared {
    fn transaction(&self) -> String {
        format!("t{}", self.next_transaction.fetch_add(1, Ordering::Relaxed))
    }

    async fn request(&self, mut message: Value) -> Result<Value> {
        let transaction = self.transaction();
        message["transaction"] = transaction.as_str().into();
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Request {
                message,
                transaction,
                reply,
            })
            .map_err(|_| anyhow!("connection to Janus closed"))?;
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, answer)
            .await
            .map_err(|_| anyhow!("no answer from Janus within {REQUEST_TIMEOUT:?}"))?
            .map_err(|_| anyhow!("connection to Janus closed"))?;
        if answer["janus"] == "error" {
            bail!(
                "Janus error {}: {}",
                answer["error"]["code"],
                answer["error"]["reason"]
            );
        }
        Ok(answer)
    }
}

impl JanusClient {
    /// Opens the WebSocket (`ws://` only, subprotocol `janus-protocol`), creates a session and
    /// keeps it alive. Returns the client and the channel of its unsolicited events.
    pub async fn connect(url: &str) -> Result<(JanusClient, mpsc::UnboundedReceiver<JanusEvent>)> {
        let (shared, events) = tokio::time::timeout(CONNECT_TIMEOUT, open(url))
            .await
            .map_err(|_| anyhow!("connecting to {url} timed out"))??;
        let answer = shared.request(json!({ "janus": "create" })).await?;
        let session = answer["data"]["id"]
            .as_u64()
            .with_context(|| format!("no session id in {answer}"))?;

        // The keepalive task holds only a weak reference, so it stops with the last client clone.
        let weak = Arc::downgrade(&shared);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(KEEPALIVE_PERIOD);
            ticks.tick().await; // the first tick is immediate
            loop {
                ticks.tick().await;
                let Some(shared) = weak.upgrade() else { break };
                let keepalive = json!({
                    "janus": "keepalive",
                    "session_id": session,
                    "transaction": shared.transaction(),
                });
                if shared.commands.send(Command::Notify(keepalive)).is_err() {
                    break;
                }
            }
        });
        Ok((JanusClient { shared, session }, events))
    }

    /// Janus's `info` (version, loaded plugins and transports, ICE settings...).
    pub async fn info(&self) -> Result<Value> {
        self.shared.request(json!({ "janus": "info" })).await
    }

    /// The address Janus gathers its ICE candidates on (`local-ip` of `info`). Janus's ICE
    /// sockets are tied to that interface (libnice sets IP_UNICAST_IF), so a bot must bind its
    /// own candidate on an address routed through the same interface: simplest, this one.
    pub async fn media_ip(&self) -> Result<std::net::IpAddr> {
        let info = self.info().await?;
        let ip = info["local-ip"]
            .as_str()
            .with_context(|| format!("no local-ip in {info}"))?;
        ip.parse().with_context(|| format!("bad local-ip {ip}"))
    }

    pub fn session_id(&self) -> u64 {
        self.session
    }

    /// Creates a room; with `options.room` set, an existing room of that id is reused as it is.
    pub async fn create_room(&self, options: &RoomOptions) -> Result<u64> {
        let mut body = json!({
            "request": "create",
            "description": options.description,
            "publishers": options.publishers,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "audiolevel_ext": true,
            "audiolevel_event": false,
            "record": false,
            "permanent": false,
            "is_private": true,
        });
        if let Some(room) = options.room {
            body["room"] = room.into();
        }
        if options.bitrate > 0 {
            body["bitrate"] = options.bitrate.into();
        }
        if options.fir_freq > 0 {
            body["fir_freq"] = options.fir_freq.into();
        }
        let handle = self.attach().await?;
        let result = handle.message(body, None).await;
        let _ = handle.detach().await;
        match result {
            Ok(reply) => reply.data["room"]
                .as_u64()
                .with_context(|| format!("no room id in {}", reply.data)),
            Err(e) => match (options.room, e.downcast_ref::<VideoRoomError>()) {
                (
                    Some(room),
                    Some(VideoRoomError {
                        code: ERROR_ROOM_EXISTS,
                        ..
                    }),
                ) => Ok(room),
                _ => Err(e),
            },
        }
    }

    /// Attaches a new VideoRoom handle (for requests not wrapped here).
    pub async fn attach(&self) -> Result<Handle> {
        let answer = self
            .shared
            .request(json!({ "janus": "attach", "session_id": self.session, "plugin": VIDEOROOM }))
            .await?;
        let id = answer["data"]["id"]
            .as_u64()
            .with_context(|| format!("no handle id in {answer}"))?;
        Ok(Handle {
            client: self.clone(),
            id,
        })
    }

    /// Attaches a handle and joins `room` as a publisher (not publishing yet). Returns the handle
    /// and the publishers already in the room; later ones come as [`JanusEvent::Publishers`].
    pub async fn join_publisher(
        &self,
        room: u64,
        display: &str,
    ) -> Result<(PublisherHandle, Vec<Publisher>)> {
        let handle = self.attach().await?;
        let body =
            json!({ "request": "join", "ptype": "publisher", "room": room, "display": display });
        let reply = match handle.message(body, None).await {
            Ok(reply) => reply,
            Err(e) => {
                let _ = handle.detach().await;
                return Err(e);
            }
        };
        let feed = reply.data["id"]
            .as_u64()
            .with_context(|| format!("no publisher id in {}", reply.data))?;
        let private_id = reply.data["private_id"].as_u64().unwrap_or(0);
        let publishers = parse_publishers(&reply.data["publishers"]);
        Ok((
            PublisherHandle {
                handle,
                room,
                feed,
                private_id,
            },
            publishers,
        ))
    }

    /// Attaches a handle and subscribes it to `streams` (at least one) of `room`. Returns the
    /// handle and Janus's offer, to answer with [`SubscriberHandle::start`]. `private_id` (the
    /// bot's publisher one) only ties the subscription to the bot in Janus's bookkeeping.
    pub async fn join_subscriber(
        &self,
        room: u64,
        streams: &[StreamRef],
        private_id: Option<u64>,
    ) -> Result<(SubscriberHandle, Offer)> {
        let handle = self.attach().await?;
        let mut body = json!({
            "request": "join",
            "ptype": "subscriber",
            "room": room,
            "streams": streams.iter().map(StreamRef::to_json).collect::<Vec<_>>(),
        });
        if let Some(private_id) = private_id {
            body["private_id"] = private_id.into();
        }
        let offer = handle.message(body, None).await.and_then(|reply| {
            offer_in(&reply)
                .ok_or_else(|| anyhow!("Janus attached the subscriber without an offer"))
        });
        match offer {
            Ok(offer) => Ok((SubscriberHandle { handle, room }, offer)),
            Err(e) => {
                let _ = handle.detach().await;
                Err(e)
            }
        }
    }

    /// Destroys the session (all its handles and PeerConnections) without waiting for the other
    /// clones of this client to be dropped.
    pub async fn destroy(&self) -> Result<()> {
        self.shared
            .request(json!({ "janus": "destroy", "session_id": self.session }))
            .await
            .map(drop)
    }
}

/// An error reported by the VideoRoom plugin (as opposed to the Janus core or the connection).
#[derive(Debug)]
pub struct VideoRoomError {
    pub code: i64,
    pub reason: String,
}

impl std::fmt::Display for VideoRoomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VideoRoom error {}: {}", self.code, self.reason)
    }
}

impl std::error::Error for VideoRoomError {}

/// A VideoRoom handle of a session.
#[derive(Clone)]
pub struct Handle {
    client: JanusClient,
    id: HandleId,
}

impl Handle {
    pub fn id(&self) -> HandleId {
        self.id
    }

    /// Sends a VideoRoom request (`body`) with an optional JSEP; waits for the plugin's answer,
    /// whether Janus gives it at once ("success") or after an "ack" (an "event").
    pub async fn message(&self, body: Value, jsep: Option<Value>) -> Result<PluginReply> {
        let mut message = json!({
            "janus": "message",
            "session_id": self.client.session,
            "handle_id": self.id,
            "body": body,
        });
        if let Some(jsep) = jsep {
            message["jsep"] = jsep;
        }
        let answer = self.client.shared.request(message).await?;
        let data = answer["plugindata"]["data"].clone();
        if data.is_null() {
            bail!("Janus answered without plugin data: {answer}");
        }
        if let Some(code) = data.get("error_code") {
            return Err(VideoRoomError {
                code: code.as_i64().unwrap_or(0),
                reason: data["error"].as_str().unwrap_or("").to_owned(),
            }
            .into());
        }
        Ok(PluginReply {
            data,
            jsep: answer.get("jsep").cloned(),
        })
    }

    /// Detaches the handle (closing its PeerConnection, leaving the room).
    pub async fn detach(&self) -> Result<()> {
        self.client
            .shared
            .request(json!({ "janus": "detach", "session_id": self.client.session, "handle_id": self.id }))
            .await
            .map(drop)
    }
}

/// A handle joined as a publisher.
#[derive(Clone)]
pub struct PublisherHandle {
    pub handle: Handle,
    pub room: u64,
    /// The bot's publisher id: the `feed` others subscribe to.
    pub feed: u64,
    pub private_id: u64,
}

impl PublisherHandle {
    pub fn id(&self) -> HandleId {
        self.handle.id
    }

    /// Publishes: sends the bot's SDP offer, returns Janus's SDP answer. The offer must list its
    /// simulcast `a=rid`s lowest quality first (q, h, f). `descriptions` label mids, e.g.
    /// `[("2", "screen")]`, for other participants.
    pub async fn publish(&self, offer_sdp: &str, descriptions: &[(&str, &str)]) -> Result<String> {
        let mut body = json!({ "request": "publish" });
        if !descriptions.is_empty() {
            body["descriptions"] = descriptions
                .iter()
                .map(|(mid, description)| json!({ "mid": mid, "description": description }))
                .collect::<Vec<_>>()
                .into();
        }
        // Janus's default reads the first a=rid as the highest quality (browser habit).
        let jsep =
            json!({ "type": "offer", "sdp": offer_sdp, "trickle": false, "rid_order": "lmh" });
        let reply = self.handle.message(body, Some(jsep)).await?;
        match &reply.jsep {
            Some(jsep) if jsep["type"] == "answer" => jsep["sdp"]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("answer without sdp: {jsep}")),
            _ => bail!("Janus published without an answer: {}", reply.data),
        }
    }

    /// Stops publishing (closes the PeerConnection), staying in the room.
    pub async fn unpublish(&self) -> Result<()> {
        self.handle
            .message(json!({ "request": "unpublish" }), None)
            .await
            .map(drop)
    }

    /// Leaves the room (unpublishing first if needed).
    pub async fn leave(&self) -> Result<()> {
        self.handle
            .message(json!({ "request": "leave" }), None)
            .await
            .map(drop)
    }
}

/// A handle joined as a (multistream) subscriber.
#[derive(Clone)]
pub struct SubscriberHandle {
    pub handle: Handle,
    pub room: u64,
}

impl SubscriberHandle {
    pub fn id(&self) -> HandleId {
        self.handle.id
    }

    /// Answers Janus's latest offer (the first one as well as any renegotiation).
    pub async fn start(&self, answer_sdp: &str) -> Result<()> {
        let jsep = json!({ "type": "answer", "sdp": answer_sdp, "trickle": false });
        self.handle
            .message(json!({ "request": "start" }), Some(jsep))
            .await
            .map(drop)
    }

    /// Adds streams to the subscription. Returns Janus's new offer, or `None` when Janus
    /// postponed it because an earlier offer is still unanswered (the offer then comes as a
    /// [`JanusEvent::Offer`] after that answer) or nothing changed.
    pub async fn subscribe(&self, streams: &[StreamRef]) -> Result<Option<Offer>> {
        let streams = streams.iter().map(StreamRef::to_json).collect::<Vec<_>>();
        let reply = self
            .handle
            .message(json!({ "request": "subscribe", "streams": streams }), None)
            .await?;
        Ok(offer_in(&reply))
    }

    /// Removes streams from the subscription (`mid: None`: all of the feed's); same result as
    /// [`subscribe`](Self::subscribe).
    pub async fn unsubscribe(&self, streams: &[StreamRef]) -> Result<Option<Offer>> {
        let streams = streams
            .iter()
            .map(|s| {
                let mut v = json!({ "feed": s.feed });
                if let Some(mid) = &s.mid {
                    v["mid"] = mid.as_str().into();
                }
                v
            })
            .collect::<Vec<_>>();
        let reply = self
            .handle
            .message(
                json!({ "request": "unsubscribe", "streams": streams }),
                None,
            )
            .await?;
        Ok(offer_in(&reply))
    }

    /// Picks the simulcast substream (0 lowest .. 2 highest) Janus relays on each of the
    /// subscription's video mids. Janus switches on the next keyframe of that substream (it asks
    /// the publisher for one) and then reports [`JanusEvent::Substream`].
    pub async fn set_substream(&self, choices: &[(&str, u8)]) -> Result<()> {
        let streams = choices
            .iter()
            .map(|(mid, substream)| json!({ "mid": mid, "substream": substream }))
            .collect::<Vec<_>>();
        self.handle
            .message(json!({ "request": "configure", "streams": streams }), None)
            .await
            .map(drop)
    }
}

fn parse_publishers(list: &Value) -> Vec<Publisher> {
    let Some(list) = list.as_array() else {
        return Vec::new();
    };
    // One malformed entry should not hide the others.
    list.iter()
        .filter_map(|p| serde_json::from_value(p.clone()).ok())
        .collect()
}

/// The subscriber offer carried by a reply, if any.
fn offer_in(reply: &PluginReply) -> Option<Offer> {
    make_offer(&reply.data, reply.jsep.as_ref())
}

fn make_offer(data: &Value, jsep: Option<&Value>) -> Option<Offer> {
    let jsep = jsep?;
    if jsep["type"] != "offer" {
        return None;
    }
    let sdp = jsep["sdp"].as_str()?.to_owned();
    let streams = data["streams"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|s| serde_json::from_value(s.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    Some(Offer { sdp, streams })
}

/// Turns a message nobody asked for into an event.
fn unsolicited(message: Value) -> JanusEvent {
    let handle = message["sender"].as_u64();
    let kind = message["janus"].as_str().unwrap_or("");
    let other = |message| JanusEvent::Other { handle, message };
    let Some(h) = handle else {
        return match kind {
            "timeout" => JanusEvent::Closed {
                reason: "Janus session timed out".into(),
            },
            _ => other(message),
        };
    };
    match kind {
        "event" => {
            let data = &message["plugindata"]["data"];
            if let Some(offer) = make_offer(data, message.get("jsep")) {
                return JanusEvent::Offer { handle: h, offer };
            }
            if data["videoroom"] != "event" {
                return other(message);
            }
            if data.get("publishers").is_some() {
                JanusEvent::Publishers {
                    handle: h,
                    publishers: parse_publishers(&data["publishers"]),
                }
            } else if let Some(feed) = data["unpublished"].as_u64() {
                JanusEvent::Unpublished { handle: h, feed }
            } else if let Some(feed) = data["leaving"].as_u64() {
                JanusEvent::Leaving { handle: h, feed }
            } else if let (Some(mid), Some(substream)) =
                (data["mid"].as_str(), data["substream"].as_u64())
            {
                JanusEvent::Substream {
                    handle: h,
                    mid: mid.to_owned(),
                    substream: substream as u8,
                }
            } else {
                other(message)
            }
        }
        "trickle" => {
            let c = &message["candidate"];
            if c["completed"] == true {
                JanusEvent::Candidate {
                    handle: h,
                    mid: None,
                    candidate: None,
                }
            } else {
                JanusEvent::Candidate {
                    handle: h,
                    mid: c["sdpMid"].as_str().map(str::to_owned),
                    candidate: c["candidate"].as_str().map(str::to_owned),
                }
            }
        }
        "webrtcup" => JanusEvent::WebRtcUp { handle: h },
        "media" => JanusEvent::Media {
            handle: h,
            mid: message["mid"].as_str().map(str::to_owned),
            kind: message["type"].as_str().unwrap_or("").to_owned(),
            receiving: message["receiving"] == true,
        },
        "hangup" => JanusEvent::Hangup {
            handle: h,
            reason: message["reason"].as_str().unwrap_or("").to_owned(),
        },
        _ => other(message),
    }
}

/// `Read`/`Write` on a tokio socket that never block: tungstenite's state machine gets
/// `WouldBlock`, keeps partial frames buffered, and the connection task waits for readiness.
struct NonBlocking(Arc<TcpStream>);

impl Read for NonBlocking {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for NonBlocking {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `PREAU_JANUS_TRACE=1` prints every message to and from Janus on stderr.
fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("PREAU_JANUS_TRACE").is_some_and(|v| v != "0"))
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Connects the WebSocket and starts its task.
async fn open(url: &str) -> Result<(Arc<Shared>, mpsc::UnboundedReceiver<JanusEvent>)> {
    let mut request = url
        .into_client_request()
        .with_context(|| format!("bad URL {url}"))?;
    if request.uri().scheme_str() != Some("ws") {
        bail!("only ws:// URLs are supported: {url}");
    }
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("janus-protocol"),
    );
    let host = request
        .uri()
        .host()
        .context("URL without host")?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = request.uri().port_u16().unwrap_or(80);
    let tcp = Arc::new(
        TcpStream::connect((host.as_str(), port))
            .await
            .with_context(|| format!("connecting to {url}"))?,
    );
    tcp.set_nodelay(true)?;

    let mut attempt = tungstenite::client(request, NonBlocking(tcp.clone()));
    let ws = loop {
        match attempt {
            Ok((ws, _response)) => break ws,
            // The request is a few hundred bytes into an empty socket buffer: only the response
            // can be missing.
            Err(HandshakeError::Interrupted(mid)) => {
                tcp.readable().await?;
                attempt = mid.handshake();
            }
            Err(HandshakeError::Failure(e)) => {
                return Err(anyhow!(e).context(format!("WebSocket handshake with {url}")));
            }
        }
    };

    let (commands, command_rx) = mpsc::unbounded_channel();
    let (events, event_rx) = mpsc::unbounded_channel();
    let connection = Connection {
        ws,
        tcp,
        commands: command_rx,
        pending: HashMap::new(),
        events,
    };
    tokio::spawn(connection.run());
    let shared = Arc::new(Shared {
        commands,
        next_transaction: AtomicU64::new(1),
    });
    Ok((shared, event_rx))
}

/// The task owning the WebSocket: sends commands, routes what Janus sends.
struct Connection {
    ws: WebSocket<NonBlocking>,
    tcp: Arc<TcpStream>,
    commands: mpsc::UnboundedReceiver<Command>,
    /// Requests waiting for their answer, by transaction.
    pending: HashMap<String, oneshot::Sender<Value>>,
    events: mpsc::UnboundedSender<JanusEvent>,
}

impl Connection {
    async fn run(mut self) {
        let reason = match self.serve().await {
            Ok(()) => "client dropped".to_owned(),
            Err(e) => format!("{e:#}"),
        };
        // Dropping `pending` fails the requests still waiting.
        let _ = self.events.send(JanusEvent::Closed { reason });
    }

    async fn serve(&mut self) -> Result<()> {
        // Whether tungstenite may hold bytes the socket did not take yet.
        let mut unflushed = false;
        loop {
            tokio::select! {
                ready = self.tcp.readable() => {
                    ready?;
                    self.read_available()?;
                    unflushed = true; // reading may have queued a pong
                }
                command = self.commands.recv() => {
                    let Some(command) = command else {
                        let _ = self.ws.close(None);
                        let _ = self.ws.flush();
                        return Ok(());
                    };
                    let message = match command {
                        // A request that timed out leaves its entry: sweep them now and then.
                        Command::Request { .. } if self.pending.len() >= 64 => {
                            self.pending.retain(|_, reply| !reply.is_closed());
                            self.pending_message(command)
                        }
                        command => self.pending_message(command),
                    };
                    if trace() {
                        eprintln!("janus >>> {message}");
                    }
                    match self.ws.write(Message::text(message.to_string())) {

                        Ok(()) => {}
                        Err(e) if would_block(&e) => {} // queued; flushed below or when writable
                        Err(e) => return Err(e.into()),
                    }
                    unflushed = true;
                }
                ready = self.tcp.writable(), if unflushed => ready?,
            }
            if unflushed {
                unflushed = match self.ws.flush() {
                    Ok(()) => false,
                    Err(e) if would_block(&e) => true,
                    Err(e) => return Err(e.into()),
                };
            }
        }
    }

    /// The message to send for a command, remembering who waits for its answer.
    fn pending_message(&mut self, command: Command) -> Value {
        match command {
            Command::Request {
                message,
                transaction,
                reply,
            } => {
                self.pending.insert(transaction, reply);
                message
            }
            Command::Notify(message) => message,
        }
    }

    fn read_available(&mut self) -> Result<()> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(text)) => self.route(text.as_str())?,
                Ok(Message::Close(frame)) => bail!("Janus closed the WebSocket: {frame:?}"),
                Ok(_) => {} // pings are answered by tungstenite
                Err(e) if would_block(&e) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn route(&mut self, text: &str) -> Result<()> {
        if trace() {
            eprintln!("janus <<< {text}");
        }
        let message: Value =
            serde_json::from_str(text).with_context(|| format!("bad JSON from Janus: {text}"))?;
        // An "ack" only says a plugin is working on the request: its answer follows as an "event"
        // with the same transaction (possibly before the ack).
        if message["janus"] == "ack" {
            return Ok(());
        }
        if let Some(transaction) = message["transaction"].as_str()
            && let Some(reply) = self.pending.remove(transaction)
        {
            let _ = reply.send(message);
            return Ok(());
        }
        match unsolicited(message) {
            // `run` reports the end of the connection.
            JanusEvent::Closed { reason } => bail!(reason),
            event => {
                let _ = self.events.send(event);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! End to end against a real Janus (the `janus` Debian package):
    //!
    //!     cargo test -p preau-loadgen janus -- --ignored --nocapture
    //!
    //! The test configures and starts its own Janus with scripts/janus-config on free ports.
    //! `JANUS_WS_URL=ws://...` uses a running Janus instead; `KEEP_JANUS=1` keeps the generated
    //! configuration and Janus's log (in the temporary folder); `PREAU_JANUS_TRACE=1` prints
    //! every message exchanged with Janus.

    use super::*;
    use std::net::{IpAddr, SocketAddr, UdpSocket};
    use std::path::PathBuf;
    use std::process::{Child, Command as Process, Stdio};
    use std::sync::Mutex;
    use std::time::Instant;

    use str0m::change::{SdpAnswer, SdpOffer};
    use str0m::format::Codec;
    use str0m::media::{
        Direction, Frequency, MediaKind, MediaTime, Mid, Pt, Rid, Simulcast, SimulcastLayer,
    };
    use str0m::net::{Protocol, Receive};
    use str0m::{Candidate, Event, Input, Output, Rtc};

    /// A Janus process, killed on drop.
    struct JanusProcess {
        /// `None`: a Janus started by someone else (`JANUS_WS_URL`).
        child: Option<Child>,
        dir: PathBuf,
        ws_url: String,
    }

    impl JanusProcess {
        async fn start() -> Result<JanusProcess> {
            if let Ok(ws_url) = std::env::var("JANUS_WS_URL") {
                return Ok(JanusProcess {
                    child: None,
                    dir: PathBuf::new(),
                    ws_url,
                });
            }
            let free_port = || -> Result<u16> {
                Ok(std::net::TcpListener::bind("127.0.0.1:0")?
                    .local_addr()?
                    .port())
            };
            let (http_port, ws_port) = (free_port()?, free_port()?);
            let dir = std::env::temp_dir().join(format!("preau-janus-test-{}", std::process::id()));
            let script =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/janus-config");
            let status = Process::new(&script)
                .arg(&dir)
                .arg(http_port.to_string())
                .arg(ws_port.to_string())
                .status()
                .with_context(|| format!("running {}", script.display()))?;
            anyhow::ensure!(status.success(), "janus-config failed");
            let log = std::fs::File::create(dir.join("janus.log"))?;
            let child = Process::new("janus")
                .arg("-C")
                .arg(dir.join("janus.jcfg"))
                .arg("-F")
                .arg(&dir)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("starting janus (is the janus package installed?)")?;
            let janus = JanusProcess {
                child: Some(child),
                dir,
                ws_url: format!("ws://127.0.0.1:{ws_port}"),
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                match JanusClient::connect(&janus.ws_url).await {
                    Ok((client, _)) => {
                        client.destroy().await?;
                        return Ok(janus);
                    }
                    Err(e) if Instant::now() > deadline => {
                        return Err(e.context("Janus did not come up"));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        }
    }

    impl Drop for JanusProcess {
        fn drop(&mut self) {
            let Some(child) = &mut self.child else { return };
            let _ = child.kill();
            let _ = child.wait();
            if let Ok(log) = std::fs::read_to_string(self.dir.join("janus.log")) {
                // The test creates an existing room on purpose: Janus logs that as an error.
                let errors: Vec<&str> = log
                    .lines()
                    .filter(|l| l.contains("[ERR]") && !l.contains("already exists"))
                    .collect();
                if !errors.is_empty() {
                    eprintln!("Janus errors:\n{}", errors.join("\n"));
                }
            }
            if std::env::var_os("KEEP_JANUS").is_some() {
                eprintln!("Janus configuration and log kept in {}", self.dir.display());
            } else {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
        }
    }

    /// Simulcast layers, lowest first, and the screen share's marker.
    const RIDS: [&str; 3] = ["q", "h", "f"];
    const SCREEN: u8 = b's';

    /// A test peer: what it sends (publisher), what it got (subscriber).
    #[derive(Default)]
    struct Peer {
        rtc: Option<Rtc>,
        connected: bool,
        send: Option<Sender>,
        audio_frames: usize,
        audio_level: Option<i8>,
        /// Video frames received, by their last byte (a rid's letter, or `SCREEN`).
        frames_by_marker: HashMap<u8, usize>,
        last_marker: HashMap<Mid, u8>,
        stop: bool,
    }

    struct Sender {
        audio: (Mid, Pt),
        camera: (Mid, Pt),
        screen: (Mid, Pt),
        start: Instant,
        next_audio: u64,
        next_video: u64,
        keyframe_wanted: [bool; 3],
    }

    impl Peer {
        fn rtc(&mut self) -> &mut Rtc {
            self.rtc.as_mut().expect("rtc")
        }

        fn on_event(&mut self, event: Event) {
            match event {
                Event::Connected => self.connected = true,
                Event::IceConnectionStateChange(state) => eprintln!("ice: {state:?}"),
                Event::KeyframeRequest(req) => {
                    if let Some(send) = &mut self.send {
                        match req
                            .rid
                            .and_then(|rid| RIDS.iter().position(|r| Rid::from(*r) == rid))
                        {
                            Some(i) => send.keyframe_wanted[i] = true,
                            None => send.keyframe_wanted = [true; 3],
                        }
                    }
                }
                Event::MediaData(data) => {
                    if self.rtc().media(data.mid).map(|m| m.kind()) == Some(MediaKind::Audio) {
                        self.audio_frames += 1;
                        self.audio_level = data.ext_vals.audio_level.or(self.audio_level);
                    } else if let Some(&marker) = data.data.last() {
                        *self.frames_by_marker.entry(marker).or_default() += 1;
                        self.last_marker.insert(data.mid, marker);
                    }
                }
                _ => {}
            }
        }

        /// Writes what is due: audio every 20 ms, camera frames on each rid every 66 ms, a screen
        /// frame every 200 ms.
        fn write_media(&mut self, now: Instant) -> Result<()> {
            let (Some(send), true) = (self.send.as_mut(), self.connected) else {
                return Ok(());
            };
            let elapsed = (now - send.start).as_millis() as u64;
            // (mid, pt, rid, media time, payload)
            type Frame = (Mid, Pt, Option<Rid>, MediaTime, Vec<u8>);
            let mut writes: Vec<Frame> = Vec::new();
            while send.next_audio * 20 <= elapsed {
                let time = MediaTime::new(send.next_audio * 960, Frequency::FORTY_EIGHT_KHZ);
                // An Opus TOC byte (CELT FB 20 ms) and some bytes: Janus never decodes it.
                writes.push((
                    send.audio.0,
                    send.audio.1,
                    None,
                    time,
                    vec![0xfc, 0xff, 0xfe, 0x11, 0x22],
                ));
                send.next_audio += 1;
            }
            while send.next_video * 66 <= elapsed {
                let n = send.next_video;
                let time = MediaTime::new(n * 6000, Frequency::NINETY_KHZ);
                for (i, rid) in RIDS.iter().enumerate() {
                    let key = n % 30 == 0 || send.keyframe_wanted[i];
                    send.keyframe_wanted[i] = false;
                    let (w, h) = [(320, 180), (640, 360), (1280, 720)][i];
                    let frame = vp8_frame(key, w, h, [300, 1000, 3000][i], rid.as_bytes()[0]);
                    writes.push((
                        send.camera.0,
                        send.camera.1,
                        Some(Rid::from(*rid)),
                        time,
                        frame,
                    ));
                }
                if n % 3 == 0 {
                    let frame = vp8_frame(n % 30 == 0, 1920, 1080, 2000, SCREEN);
                    writes.push((send.screen.0, send.screen.1, None, time, frame));
                }
                send.next_video += 1;
            }
            let audio_mid = send.audio.0;
            for (mid, pt, rid, time, payload) in writes {
                let mut writer = self.rtc().writer(mid).context("no writer")?;
                if let Some(rid) = rid {
                    writer = writer.rid(rid);
                } else if mid == audio_mid {
                    writer = writer.audio_level(-30, true);
                }
                writer.write(pt, now, time, payload)?;
            }
            Ok(())
        }
    }

    /// A VP8 frame good enough for an SFU: the frame tag (keyframes: start code and size), then
    /// `marker` bytes so the receiver can tell which layer or stream it got.
    fn vp8_frame(key: bool, width: u16, height: u16, len: usize, marker: u8) -> Vec<u8> {
        let first_partition = (len as u32 - 10) & 0x7ffff;
        // show_frame = 1; bit 0 is the inverse key frame flag.
        let tag = (first_partition << 5) | (1 << 4) | u32::from(!key);
        let mut frame = tag.to_le_bytes()[..3].to_vec();
        if key {
            frame.extend_from_slice(&[0x9d, 0x01, 0x2a]);
            frame.extend_from_slice(&width.to_le_bytes());
            frame.extend_from_slice(&height.to_le_bytes());
        }
        frame.resize(len, marker);
        frame
    }

    /// A str0m peer (frame mode) with a host candidate on its own UDP socket.
    fn new_peer(ip: IpAddr) -> Result<(Arc<Mutex<Peer>>, UdpSocket)> {
        let socket = UdpSocket::bind((ip, 0))?;
        let mut rtc = Rtc::builder().set_rtp_mode(false).build(Instant::now());
        rtc.add_local_candidate(Candidate::host(socket.local_addr()?, "udp")?)
            .context("candidate refused")?;
        Ok((
            Arc::new(Mutex::new(Peer {
                rtc: Some(rtc),
                ..Default::default()
            })),
            socket,
        ))
    }

    /// Drives a peer on its own thread until `stop`: datagrams and timeouts in, datagrams and
    /// events out. Wakes at least every 5 ms so the test can change the Rtc (renegotiations).
    fn drive(peer: Arc<Mutex<Peer>>, socket: UdpSocket) -> std::thread::JoinHandle<Result<()>> {
        std::thread::spawn(move || {
            let local: SocketAddr = socket.local_addr()?;
            let mut buf = vec![0u8; 2000];
            loop {
                let timeout = {
                    let mut p = peer.lock().unwrap();
                    if p.stop {
                        return Ok(());
                    }
                    p.write_media(Instant::now())?;
                    loop {
                        match p.rtc().poll_output()? {
                            Output::Transmit(t) => {
                                let _ = socket.send_to(&t.contents, t.destination);
                            }
                            Output::Event(e) => p.on_event(e),
                            Output::Timeout(t) => break t,
                        }
                    }
                };
                let wait = timeout.saturating_duration_since(Instant::now());
                socket.set_read_timeout(Some(
                    wait.clamp(Duration::from_millis(1), Duration::from_millis(5)),
                ))?;
                match socket.recv_from(&mut buf) {
                    Ok((n, source)) => {
                        if let Ok(receive) = Receive::new(Protocol::Udp, source, local, &buf[..n]) {
                            peer.lock()
                                .unwrap()
                                .rtc()
                                .handle_input(Input::Receive(Instant::now(), receive))?;
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        peer.lock()
                            .unwrap()
                            .rtc()
                            .handle_input(Input::Timeout(Instant::now()))?;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        })
    }

    async fn wait_for(what: &str, mut done: impl FnMut() -> bool) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !done() {
            anyhow::ensure!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    async fn next_event(
        events: &mut mpsc::UnboundedReceiver<JanusEvent>,
        what: &str,
        mut wanted: impl FnMut(&JanusEvent) -> bool,
    ) -> Result<JanusEvent> {
        tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                let event = events.recv().await.context("event channel closed")?;
                match &event {
                    JanusEvent::Offer { handle, offer } => {
                        eprintln!("event: Offer on {handle}: streams {:?}", offer.streams)
                    }
                    event => eprintln!("event: {event:?}"),
                }
                if wanted(&event) {
                    return Ok(event);
                }
            }
        })
        .await
        .map_err(|_| anyhow!("timed out waiting for {what}"))?
    }

    /// The bot's answer to a Janus offer.
    fn answer(peer: &Arc<Mutex<Peer>>, offer: &Offer) -> Result<String> {
        let offer = SdpOffer::from_sdp_string(&offer.sdp)?;
        let answer = peer.lock().unwrap().rtc().sdp_api().accept_offer(offer)?;
        Ok(answer.to_sdp_string())
    }

    fn frames_of(peer: &Arc<Mutex<Peer>>, marker: u8) -> usize {
        peer.lock()
            .unwrap()
            .frames_by_marker
            .get(&marker)
            .copied()
            .unwrap_or(0)
    }

    /// Waits until `mid` got `n` more frames marked `marker`, and is still getting those.
    async fn wait_for_frames(
        peer: &Arc<Mutex<Peer>>,
        mid: &str,
        marker: u8,
        n: usize,
    ) -> Result<()> {
        let mid = Mid::from(mid);
        let before = frames_of(peer, marker);
        wait_for(
            &format!("{n} frames '{}' on mid {mid}", marker as char),
            || {
                frames_of(peer, marker) >= before + n
                    && peer.lock().unwrap().last_marker.get(&mid) == Some(&marker)
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs janus; run with scripts/janus-config"]
    async fn janus_videoroom_end_to_end() -> Result<()> {
        let janus = JanusProcess::start().await?;

        let (admin, _admin_events) = JanusClient::connect(&janus.ws_url).await?;
        let info = admin.info().await?;
        let plugins: Vec<&String> = info["plugins"]
            .as_object()
            .context("plugins")?
            .keys()
            .collect();
        let transports: Vec<&String> = info["transports"]
            .as_object()
            .context("transports")?
            .keys()
            .collect();
        eprintln!(
            "Janus {}: plugins {plugins:?}, transports {transports:?}",
            info["version_string"]
        );
        if janus.child.is_some() {
            assert_eq!(plugins, [VIDEOROOM]);
        }
        // Janus's ICE only works with peers on an address of its own interface.
        let media_ip = admin.media_ip().await?;
        let room = admin
            .create_room(&RoomOptions {
                publishers: 250,
                ..Default::default()
            })
            .await?;
        let same = admin
            .create_room(&RoomOptions {
                room: Some(room),
                ..Default::default()
            })
            .await?;
        assert_eq!(same, room, "an existing room is reused");

        // Bot A publishes audio, a simulcast camera and a screen share.
        let (a, mut a_events) = JanusClient::connect(&janus.ws_url).await?;
        let (a_pub, existing) = a.join_publisher(room, "bot-a").await?;
        assert!(existing.is_empty());
        let (a_peer, a_socket) = new_peer(media_ip)?;
        let (offer, pending, mids) = {
            let mut p = a_peer.lock().unwrap();
            let mut sdp = p.rtc().sdp_api();
            let audio = sdp.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
            let mut simulcast = Simulcast::new();
            for rid in RIDS {
                simulcast.add_send_layer(SimulcastLayer::new(rid));
            }
            let camera = sdp.add_media(
                MediaKind::Video,
                Direction::SendOnly,
                None,
                None,
                Some(simulcast),
            );
            let screen = sdp.add_media(MediaKind::Video, Direction::SendOnly, None, None, None);
            let (offer, pending) = sdp.apply().context("no offer")?;
            (offer, pending, [audio, camera, screen])
        };
        let [audio_mid, camera_mid, screen_mid] = mids;
        eprintln!("--- publisher offer\n{}", offer.to_sdp_string());
        let descriptions = [
            (&*camera_mid.to_string(), "camera"),
            (&*screen_mid.to_string(), "screen"),
        ];
        let answer_sdp = a_pub.publish(&offer.to_sdp_string(), &descriptions).await?;
        eprintln!("--- Janus answer\n{answer_sdp}");
        {
            let mut p = a_peer.lock().unwrap();
            p.rtc()
                .sdp_api()
                .accept_answer(pending, SdpAnswer::from_sdp_string(&answer_sdp)?)?;
            let mut pt_of = |mid: Mid, codec: Codec| -> Result<(Mid, Pt)> {
                let writer = p.rtc().writer(mid).context("writer")?;
                let pt = writer
                    .payload_params()
                    .find(|pp| pp.spec().codec == codec)
                    .map(|pp| pp.pt());
                Ok((
                    mid,
                    pt.with_context(|| format!("{codec:?} not negotiated on {mid}"))?,
                ))
            };
            let sender = Sender {
                audio: pt_of(audio_mid, Codec::Opus)?,
                camera: pt_of(camera_mid, Codec::Vp8)?,
                screen: pt_of(screen_mid, Codec::Vp8)?,
                start: Instant::now(),
                next_audio: 0,
                next_video: 0,
                keyframe_wanted: [true; 3],
            };
            p.send = Some(sender);
        }
        let a_task = drive(a_peer.clone(), a_socket);
        next_event(&mut a_events, "webrtcup on A", |e| {
            matches!(e, JanusEvent::WebRtcUp { .. })
        })
        .await?;

        // Bot B learns about A from the room.
        let (b, mut b_events) = JanusClient::connect(&janus.ws_url).await?;
        let (b_pub, mut publishers) = b.join_publisher(room, "bot-b").await?;
        if publishers.is_empty() {
            let announce = next_event(&mut b_events, "A's announce", |e| {
                matches!(e, JanusEvent::Publishers { .. })
            });
            if let JanusEvent::Publishers { publishers: p, .. } = announce.await? {
                publishers = p;
            }
        }
        let a_feed = publishers
            .iter()
            .find(|p| p.id == a_pub.feed)
            .context("A not announced")?;
        eprintln!("A as B sees it: {a_feed:?}");
        let stream_of = |description: Option<&str>, kind: &str| {
            a_feed
                .streams
                .iter()
                .find(|s| s.kind == kind && s.description.as_deref() == description)
        };
        let a_audio = stream_of(None, "audio").context("no audio stream")?;
        let a_camera = stream_of(Some("camera"), "video").context("no camera stream")?;
        let a_screen = stream_of(Some("screen"), "video").context("no screen stream")?;
        assert!(a_camera.simulcast && !a_screen.simulcast);

        // B subscribes to A's audio and screen...
        let streams = [
            StreamRef::stream(a_feed.id, &a_audio.mid),
            StreamRef::stream(a_feed.id, &a_screen.mid),
        ];
        let (b_sub, offer) = b
            .join_subscriber(room, &streams, Some(b_pub.private_id))
            .await?;
        eprintln!(
            "--- Janus subscriber offer\n{}\nstreams {:?}",
            offer.sdp, offer.streams
        );
        let sub_mid = |offer: &Offer, feed_mid: &str| {
            offer
                .streams
                .iter()
                .find(|s| s.feed_mid.as_deref() == Some(feed_mid))
                .map(|s| s.mid.clone())
        };
        let screen_sub_mid = sub_mid(&offer, &a_screen.mid).context("screen not in the offer")?;
        let (b_peer, b_socket) = new_peer(media_ip)?;
        b_sub.start(&answer(&b_peer, &offer)?).await?;
        let b_task = drive(b_peer.clone(), b_socket);
        wait_for("audio at B", || b_peer.lock().unwrap().audio_frames >= 25).await?;
        assert_eq!(
            b_peer.lock().unwrap().audio_level,
            Some(-30),
            "audio level extension not relayed"
        );
        wait_for_frames(&b_peer, &screen_sub_mid, SCREEN, 5).await?;

        // ... then adds the camera: a renegotiation, answered with "start" again.
        let offer = match b_sub
            .subscribe(&[StreamRef::stream(a_feed.id, &a_camera.mid)])
            .await?
        {
            Some(offer) => offer,
            None => match next_event(&mut b_events, "update offer", |e| {
                matches!(e, JanusEvent::Offer { .. })
            })
            .await?
            {
                JanusEvent::Offer { offer, .. } => offer,
                _ => unreachable!(),
            },
        };
        eprintln!(
            "--- Janus renegotiation offer\n{}\nstreams {:?}",
            offer.sdp, offer.streams
        );
        let camera_sub_mid = sub_mid(&offer, &a_camera.mid).context("camera not in the offer")?;
        b_sub.start(&answer(&b_peer, &offer)?).await?;

        // Janus relays the highest substream by default; then each one on request.
        wait_for_frames(&b_peer, &camera_sub_mid, b'f', 10).await?;
        for (substream, rid) in [(0, b'q'), (1, b'h'), (2, b'f')] {
            b_sub.set_substream(&[(&camera_sub_mid, substream)]).await?;
            wait_for_frames(&b_peer, &camera_sub_mid, rid, 10).await?;
            eprintln!(
                "substream {substream}: frames so far {:?}",
                b_peer.lock().unwrap().frames_by_marker
            );
        }
        wait_for_frames(&b_peer, &screen_sub_mid, SCREEN, 5).await?;

        // A stops: B's publisher handle is told, B's subscription gets a new offer (any order).
        a_pub.unpublish().await?;
        let (mut told, mut offer) = (false, None);
        while !told || offer.is_none() {
            let wanted = |e: &JanusEvent| {
                matches!(e, JanusEvent::Unpublished { .. } | JanusEvent::Offer { .. })
            };
            match next_event(
                &mut b_events,
                "A's unpublish and the offer without A",
                wanted,
            )
            .await?
            {
                JanusEvent::Unpublished { feed, .. } => told |= feed == a_feed.id,
                JanusEvent::Offer { offer: o, .. } => offer = Some(o),
                _ => unreachable!(),
            }
        }
        let offer = offer.unwrap();
        eprintln!("streams after A left: {:?}", offer.streams);
        assert!(offer.streams.iter().all(|s| !s.active));
        b_sub.start(&answer(&b_peer, &offer)?).await?;

        a_peer.lock().unwrap().stop = true;
        b_peer.lock().unwrap().stop = true;
        a_task.join().expect("A's thread")?;
        b_task.join().expect("B's thread")?;
        b.destroy().await?;
        a.destroy().await?;
        Ok(())
    }
}
