//! Audio conferences entered with a PIN, as on a phone bridge: `/conference` asks for the PIN
//! and a name; the participant PIN leads straight into the room, the host PIN into it as its
//! host. Guessing is slowed per client address (5 wrong PINs, then one a minute) and then
//! locked (20 wrong PINs: one an hour), and each wrong PIN is logged.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::booking::{self, Booking, MeetingRoomKind, clean_pin, new_pin};
use preau_core::throttle::{Bucket, Limit};
use preau_core::Millis;
use serde::Deserialize;

use super::meeting_live::{GUEST_NAME_MAX, Role, clean_guest_name, issue_pass};
use super::meetings::expand;
use crate::SharedState;
use crate::auth;
use crate::clock::random_u128;
use crate::errors::AppResult;
use crate::i18n::Tr;
use crate::view::{Chrome, Ctx, render};

/// Wrong PINs from one address: five in a row, then one a minute…
const TRIES: Limit = Limit { burst: 5, refill_ms: 60_000 };
/// …and after twenty, one an hour: the address is locked out.
const LOCK: Limit = Limit { burst: 20, refill_ms: 3_600_000 };

/// Addresses followed at most; when that many still wait, a new one waits too.
const MAX_KEYS: usize = 20_000;

/// Wrong PINs per client address — per /56 for IPv6, which hands a whole block to one customer.
#[derive(Default)]
pub struct PinThrottle(Mutex<HashMap<IpAddr, [Bucket; 2]>>);

/// The key of an address: itself for IPv4 (and IPv4 mapped into IPv6), its /56 for IPv6.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 72) - 1)).into()),
        },
    }
}

impl PinThrottle {
    /// Counts a guess in advance (refunded by [`PinThrottle::refund`] when it was not a wrong
    /// PIN), or the wait in milliseconds when this address must wait.
    fn begin(&self, ip: IpAddr, now: Millis) -> Result<(), Millis> {
        let ip = key(ip);
        let mut map = self.0.lock().unwrap();
        if map.len() >= MAX_KEYS && !map.contains_key(&ip) {
            map.retain(|_, b| !b.iter().all(|k| k.is_idle(now)));
            // Still full: a guesser spread over many addresses is at work; newcomers wait.
            if map.len() >= MAX_KEYS {
                return Err(TRIES.refill_ms);
            }
        }
        let buckets = map.entry(ip).or_default();
        let waits = [buckets[0].check(TRIES, now), buckets[1].check(LOCK, now)];
        if let Some(wait) = waits.iter().filter_map(|w| w.err()).max() {
            return Err(wait);
        }
        buckets[0].fail(TRIES, now);
        buckets[1].fail(LOCK, now);
        Ok(())
    }

    fn refund(&self, ip: IpAddr, now: Millis) {
        if let Some(b) = self.0.lock().unwrap().get_mut(&key(ip)) {
            b[0].refund(TRIES, now);
            b[1].refund(LOCK, now);
        }
    }
}

#[derive(Template)]
#[template(path = "conference.html")]
struct ConferencePage {
    c: Chrome,
    csrf: String,
    name: String,
    name_max: usize,
    error: Option<String>,
}

fn page(tr: Tr, csrf: String, name: &str, error: Option<String>) -> ConferencePage {
    let title = if error.is_some() { tr.t1("title-with-errors", "title", tr.t("conference-title")) } else { tr.t("conference-title") };
    ConferencePage { c: Chrome::new(tr, "conference", title, None), csrf, name: name.to_owned(), name_max: GUEST_NAME_MAX, error }
}

/// `GET /conference`: the PIN form.
pub async fn form(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap) -> AppResult {
    let (csrf, cookie) = auth::pre_session_csrf(&state, &headers);
    let mut response = render(StatusCode::OK, &page(ctx.tr, csrf, "", None))?;
    if let Some(c) = cookie {
        auth::add_cookie(&mut response, &c);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct PinForm {
    #[serde(default)]
    pin: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /conference`: a PIN and a name; in with a pass, or the form again with why not.
pub async fn enter(State(state): State<SharedState>, ctx: Ctx, headers: HeaderMap, ext: axum::http::Extensions, Form(f): Form<PinForm>) -> AppResult {
    let tr = ctx.tr;
    let now = state.clock.now();
    let ip = crate::client_ip::client_ip(&state, &headers, &ext).map(|c| c.ip).unwrap_or([0, 0, 0, 0].into());
    let name: String = f.name.chars().take(GUEST_NAME_MAX * 2).collect();
    let again = |status: StatusCode, message: String| render(status, &page(tr, f.csrf.clone(), &name, Some(message)));
    if let Err(wait) = state.pin_throttle.begin(ip, now) {
        tracing::warn!(%ip, "conference PIN: too many wrong PINs, refused");
        let minutes = (wait + 59_999) / 60_000;
        let mut response = again(StatusCode::TOO_MANY_REQUESTS, tr.tn("conference-throttled", "minutes", minutes))?;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from((wait + 999) / 1000));
        return Ok(response);
    }
    // Not a guess at all: said, and not counted.
    let (Some(pin), Some(clean_name)) = (clean_pin(&f.pin), clean_guest_name(&f.name)) else {
        state.pin_throttle.refund(ip, now);
        let message = if clean_pin(&f.pin).is_none() { "conference-pin-format" } else { "guest-name-error" };
        return again(StatusCode::UNPROCESSABLE_ENTITY, tr.t(message));
    };
    // A PIN opens an audio conference only (its booking moved to another room keeps none).
    let mut found = None;
    if let Some((id, host)) = state.store.pin_booking(&pin).await?
        && let Some(b) = state.store.booking(&id).await?
        && state.store.meeting_room(&b.room).await?.is_some_and(|r| r.kind == MeetingRoomKind::AudioConference)
    {
        found = Some((b, host));
    }
    let Some((b, host)) = found else {
        tracing::warn!(%ip, "conference PIN: wrong PIN");
        return again(StatusCode::FORBIDDEN, tr.t("conference-pin-wrong"));
    };
    state.pin_throttle.refund(ip, now);
    let slots = expand(&b.when);
    if b.cancelled || booking::next_slot(&slots, now).is_none() {
        return again(StatusCode::GONE, tr.t(if b.cancelled { "meeting-live-cancelled" } else { "meeting-live-over" }));
    }
    let role = if host { Role::Host } else { Role::Participant };
    let cookie = issue_pass(&state, &b, role, &clean_name, booking::link_expiry(&slots)).await?;
    let mut response = Redirect::to(&format!("/guest/{}", b.id)).into_response();
    auth::add_cookie(&mut response, &cookie);
    Ok(response)
}

/// A conference's PINs (participant, host), made the first time they are asked for.
pub(crate) async fn pins(state: &SharedState, b: &Booking, kind: MeetingRoomKind) -> AppResult<Option<(String, String)>> {
    if kind != MeetingRoomKind::AudioConference {
        return Ok(None);
    }
    // A fresh PIN may already be another conference's (one chance in millions): try others.
    for _ in 0..5 {
        let fresh = (new_pin(random_u128() as u64), new_pin(random_u128() as u64));
        if let (Some(p), Some(h)) = state.store.conference_pins(&b.id, (&fresh.0, &fresh.1)).await? {
            return Ok(Some((p, h)));
        }
    }
    Err(crate::errors::AppError::Internal(format!("no free PIN for {}", b.id)))
}

/// "123 456 789": a PIN as it is read out.
pub(crate) fn spaced(pin: &str) -> String {
    pin.as_bytes().chunks(3).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_pins_are_slowed_then_locked_and_good_ones_cost_nothing() {
        let t = PinThrottle::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        let now = 1_000_000_000;
        for _ in 0..100 {
            t.begin(ip, now).unwrap();
            t.refund(ip, now);
        }
        for i in 0..5 {
            assert!(t.begin(ip, now).is_ok(), "wrong PIN {i}");
        }
        let wait = t.begin(ip, now).unwrap_err();
        assert!(wait > 0 && wait <= 60_000, "{wait}");
        // One a minute after that, until twenty: then an hour.
        let mut at = now;
        for _ in 5..20 {
            at += 60_000;
            assert!(t.begin(ip, at).is_ok());
        }
        at += 60_000;
        let wait = t.begin(ip, at).unwrap_err();
        assert!(wait > 30 * 60_000, "locked for long: {wait}");
        assert!(t.begin([10, 0, 0, 2].into(), at).is_ok(), "another address is not");
        // IPv6: one /56 is one key.
        let a: IpAddr = "2001:db8:1:100::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:1ff:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:200::1".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
        assert_eq!(key("::ffff:10.0.0.1".parse().unwrap()), key([10, 0, 0, 1].into()));
    }

    #[test]
    fn a_full_table_makes_newcomers_wait_rather_than_forget_guessers() {
        let t = PinThrottle::default();
        let now = 1_000_000_000;
        for n in 0..MAX_KEYS as u32 {
            t.begin(IpAddr::V4(n.into()), now).unwrap();
        }
        assert!(t.begin([250, 0, 0, 1].into(), now).is_err(), "a new address waits while the table is full");
        assert!(t.begin(IpAddr::V4(7u32.into()), now).is_ok(), "known ones keep their own count");
        assert!(t.begin([250, 0, 0, 1].into(), now + 4 * 3_600_000 * 24).is_ok(), "once the old entries drain, room again");
    }

    #[test]
    fn pins_are_read_out_in_threes() {
        assert_eq!(spaced("123456789"), "123 456 789");
        assert_eq!(spaced("1234567"), "123 456 7");
    }
}
