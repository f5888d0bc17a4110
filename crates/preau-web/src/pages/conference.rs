//! Audio conferences entered with a PIN, as on a phone bridge: `/conference` asks for the PIN
//! and a name; the participant PIN leads straight into the room, the host PIN into it as its
//! host. Guessing is slowed per client address (5 wrong PINs, then one a minute) and then
//! locked (20 wrong PINs: one an hour), and each wrong PIN is logged.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use preau_core::booking::{self, Booking, MeetingRoomKind, clean_pin, new_pin};
use preau_core::throttle::Limit;

use crate::address_throttle::AddressThrottle;
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

/// The throttle of wrong PINs.
pub fn pin_throttle() -> AddressThrottle {
    AddressThrottle::new([TRIES, LOCK])
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
    use std::net::IpAddr;

    #[test]
    fn wrong_pins_are_slowed_then_locked_and_good_ones_cost_nothing() {
        let t = pin_throttle();
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
    }

    #[test]
    fn pins_are_read_out_in_threes() {
        assert_eq!(spaced("123456789"), "123 456 789");
        assert_eq!(spaced("1234567"), "123 456 7");
    }
}
