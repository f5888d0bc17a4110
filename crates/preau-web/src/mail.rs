//! E-mail over SMTP (lettre): the meetings' guests get their invitation, its updates and its
//! cancellation, with the iCalendar file attached and, for an invitation, their link to join.
//!
//! Pages never send mail themselves: they write an outbox row in the same transaction as the
//! change (see `preau_store::outbox`) and wake [`run`], which composes each message from the
//! thing as it is when it leaves, sends it, and retries failures with a growing delay.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use preau_core::BookingId;
use preau_core::booking::{self, MeetingRoomKind};
use preau_core::ical::{self, Method};
use preau_store::outbox::{DIGEST, MEETING, Pending, REPORT};

use crate::SharedState;
use crate::i18n::{Lang, Tr};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then STARTTLS, required (port 587).
    StartTls,
    /// No encryption: only for a relay on the same machine.
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s {
            "tls" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "none" => Some(Security::None),
            _ => None,
        }
    }
}

/// The SMTP server and the sender, from the configuration.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, if the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The From address, e.g. `Préau <ne-pas-repondre@college.example>`.
    pub from: String,
}

/// Whether `s` is an address lettre can send from or to (`a@b.example`, `Nom <a@b.example>`).
pub fn valid_mailbox(s: &str) -> bool {
    s.parse::<Mailbox>().is_ok()
}

/// At most this many messages per pass; the next pass follows at once if there were more.
const BATCH: i64 = 20;
/// A pass runs at least this often, for retries coming due.
const TICK: Duration = Duration::from_secs(60);

/// The delay before the next attempt after `attempts` failures: 1, 5, 15 minutes, then hourly.
fn backoff_ms(attempts: i64) -> i64 {
    match attempts {
        ..=1 => 60_000,
        2 => 5 * 60_000,
        3 => 15 * 60_000,
        _ => 60 * 60_000,
    }
}

fn transport(state: &SharedState, c: &MailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match c.security {
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(|e| e.to_string())?,
        Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host).map_err(|e| e.to_string())?,
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
    };
    let mut builder = builder.port(c.port).timeout(Some(Duration::from_secs(30))).hello_name(ClientId::Domain(public_host(state)));
    if let Some((user, password)) = &c.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// The host name of the public URL (for EHLO, message ids and iCalendar UIDs).
pub(crate) fn public_host(state: &SharedState) -> String {
    let url = &state.config.public_url;
    url.split("://").nth(1).unwrap_or("preau").split(['/', ':']).next().unwrap_or("preau").to_owned()
}

/// Sends what is due until nothing is, then waits for a wake-up or the next tick. Runs for the
/// server's life when mail is configured.
pub async fn run(state: SharedState) {
    loop {
        queue_digests(&state).await;
        while send_due(&state).await == BATCH as usize {}
        tokio::select! {
            _ = state.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

/// One pass over the messages due: each sent, or its failure recorded with the next attempt's
/// time. Answers how many were taken up — 0 if an attempt could not be recorded, so that
/// [`run`] waits before trying again rather than sending the same messages in a loop.
pub async fn send_due(state: &SharedState) -> usize {
    let Some(config) = &state.config.mail else { return 0 };
    let now = state.clock.now();
    let due = match state.store.due_mail(now, BATCH).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "mail: cannot read the outbox");
            return 0;
        }
    };
    if due.is_empty() {
        return 0;
    }
    let smtp = match transport(state, config) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, host = config.host, "mail: bad SMTP settings");
            return 0;
        }
    };
    for p in &due {
        let outcome = match compose(state, config, p).await {
            Ok(Some(message)) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            // Nothing left to tell (the thing is gone): done.
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        let now = state.clock.now();
        let recorded = match &outcome {
            Ok(()) => {
                tracing::info!(kind = p.kind, about = p.about, "mail: sent");
                // False: changed while it was being sent; it stays due and leaves again.
                state.store.mail_sent(p.id, p.revision, now).await.map(|_| ())
            }
            Err(e) => {
                tracing::warn!(kind = p.kind, about = p.about, attempt = p.attempts + 1, error = %e, "mail: not sent");
                state.store.mail_failed(p.id, e, now + backoff_ms(p.attempts + 1)).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(error = %e, "mail: cannot record an attempt; pausing");
            return 0;
        }
    }
    due.len()
}

/// The message of an outbox row, from the thing as it is now; None when there is nothing to
/// send any more.
async fn compose(state: &SharedState, config: &MailConfig, p: &Pending) -> Result<Option<Message>, String> {
    match p.kind.as_str() {
        MEETING => meeting_message(state, config, p).await,
        REPORT => report_message(state, config, p).await,
        DIGEST => digest_message(state, config, p).await,
        other => Err(format!("unknown kind of mail {other}")),
    }
}

fn failed(e: crate::errors::AppError) -> String {
    format!("{e:?}")
}

/// A meeting's invitation (or its update) to a guest or an invitee still on the list; its
/// cancellation to one taken off it, or to all when the meeting is cancelled. In French:
/// guests have no account, hence no language of their own.
async fn meeting_message(state: &SharedState, config: &MailConfig, p: &Pending) -> Result<Option<Message>, String> {
    let tr = Tr::new(Lang::Fr);
    let Ok(id) = p.about.parse::<BookingId>() else { return Ok(None) };
    let Some(b) = state.store.booking(&id).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let Some(room) = state.store.meeting_room(&b.room).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let guest = b.guests.contains(&p.recipient);
    // An invitee of the establishment whose address this is: they join from the meeting's page.
    let emails = state.store.emails_of(&b.invitees).await.map_err(|e| e.to_string())?;
    let invitee = emails.into_iter().find(|(_, email)| *email == p.recipient).map(|(person, _)| person);
    let invited = !b.cancelled && (guest || invitee.is_some());
    let organizer = state.store.person(&b.organizer).await.map_err(|e| e.to_string())?.map(|o| o.display_name()).unwrap_or_default();
    let school = state.establishment_name(&room.establishment_id).await.map_err(|e| e.to_string())?;
    let mut event = crate::pages::meetings::event_of(state, &b).await.map_err(failed)?;
    match &invitee {
        // The calendar program knows its owner by address: name the invitee by theirs.
        Some(person) => {
            let urn = format!("urn:x-preau:person:{person}");
            for a in event.attendees.iter_mut().filter(|a| a.address == urn) {
                *a = ical::Attendee::mailto(&a.name, &p.recipient);
            }
        }
        // Taken off the list: the cancellation names this recipient alone.
        None if !guest => event.attendees = vec![ical::Attendee::mailto(&p.recipient, &p.recipient)],
        None => {}
    }
    let method = if invited { Method::Request } else { Method::Cancel };
    if !invited {
        event.cancelled = true;
    }
    let ics = ical::calendar(method, None, &[event]).map_err(|e| e.to_string())?;
    let slots = crate::pages::meetings::expand(&b.when);
    let when = match (slots.first(), slots.len()) {
        (Some(s), 1) => crate::pages::meetings::span_text(&tr, s.start, s.end),
        (Some(s), n) => tr.t2("mail-meeting-series", "first", crate::pages::meetings::span_text(&tr, s.start, s.end), "count", n),
        (None, _) => String::new(),
    };
    let (subject, body) = if invited {
        let public = state.config.public_url.trim_end_matches('/');
        let link = match (&invitee, room.kind) {
            (Some(_), _) => Some(format!("{public}/meetings/{}", b.id)),
            (None, MeetingRoomKind::StaffOnly) => None,
            (None, _) => Some(crate::pages::meeting_live::guest_link(state, &b).await.map_err(failed)?),
        };
        let subject_id = if b.sequence == 0 { "mail-meeting-invite-subject" } else { "mail-meeting-update-subject" };
        let mut body = tr.t2("mail-meeting-invite", "organizer", &organizer, "title", &b.title);
        body.push_str(&format!("\n\n{}\n", tr.t1("mail-meeting-when", "when", &when)));
        match (link, &invitee) {
            (Some(link), Some(_)) => body.push_str(&format!("\n{}\n{link}\n", tr.t("mail-meeting-page"))),
            (Some(link), None) => {
                let expires = tr.long_date(booking::link_expiry(&slots));
                body.push_str(&format!("\n{}\n{link}\n{}\n", tr.t("mail-meeting-link"), tr.t1("mail-meeting-link-hint", "until", expires)));
            }
            (None, _) => {}
        }
        body.push_str(&format!("\n{}\n", tr.t("mail-meeting-ics")));
        (tr.t1(subject_id, "title", &b.title), body)
    } else {
        let body = tr.t2("mail-meeting-cancelled", "organizer", &organizer, "title", &b.title) + &format!("\n\n{}\n", tr.t1("mail-meeting-when", "when", &when));
        (tr.t1("mail-meeting-cancel-subject", "title", &b.title), body)
    };
    let content_type = format!("text/calendar; charset=utf-8; method={}", if invited { "REQUEST" } else { "CANCEL" });
    let content_type = ContentType::parse(&content_type).map_err(|e| e.to_string())?;
    let file = if invited { "invitation.ics" } else { "annulation.ics" };
    let parts = MultiPart::mixed()
        .singlepart(SinglePart::plain(signed(&tr, &body, &school)))
        .singlepart(Attachment::new(file.into()).body(ics, content_type));
    envelope(state, config, p, subject)?.multipart(parts).map(Some).map_err(|e| e.to_string())
}

/// "Bonjour, … -- school · Préau".
fn signed(tr: &Tr, body: &str, school: &str) -> String {
    format!("{}\n\n{body}\n-- \n{school} · Préau\n", tr.t("mail-hello"))
}

/// From, to, subject and a message id that says which outbox row and attempt it was.
fn envelope(state: &SharedState, config: &MailConfig, p: &Pending, subject: String) -> Result<lettre::message::MessageBuilder, String> {
    let from: Mailbox = config.from.parse().map_err(|e| format!("from: {e}"))?;
    let to: Mailbox = p.recipient.parse().map_err(|e| format!("to: {e}"))?;
    let id = format!("<outbox-{}.{}@{}>", p.id, p.attempts, public_host(state));
    Ok(Message::builder().from(from).to(to).subject(subject).message_id(Some(id)))
}

/// The hour (Paris) from which the day's digests leave.
const DIGEST_HOUR: i8 = 17;

/// From 17:00 (Paris), queues the day's digests: at most one a day per person.
async fn queue_digests(state: &SharedState) {
    let now = state.clock.now();
    let Ok(local) = preau_core::booking::local(now) else { return };
    if local.hour() < DIGEST_HOUR {
        return;
    }
    match state.store.queue_digests(&local.date().to_string(), now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(digests = n, "daily digests queued"),
        Err(e) => tracing::error!(error = %e, "daily digests could not be queued"),
    }
}

/// Someone's digest of the day: the notifications it told of, with their links.
async fn digest_message(state: &SharedState, config: &MailConfig, p: &Pending) -> Result<Option<Message>, String> {
    let Some((person, day)) = p.about.split_once(':') else { return Ok(None) };
    let Ok(person) = person.parse::<preau_core::PersonId>() else { return Ok(None) };
    let Ok(day) = day.parse::<preau_core::booking::Date>() else { return Ok(None) };
    let Some(who) = state.store.person(&person).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let from = preau_core::booking::instant(day.at(0, 0, 0, 0)).map_err(|e| e.to_string())?;
    let to = from + 86_400_000 + 3_600_000;
    let items = state.store.digest_of(&person, from, to).await.map_err(|e| e.to_string())?;
    if items.is_empty() {
        return Ok(None);
    }
    let tr = Tr::new(who.locale.as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr));
    let base = state.config.public_url.trim_end_matches('/');
    let mut body = format!("{}

", tr.t("mail-digest-intro"));
    for n in &items {
        body.push_str(&format!("- {}
  {base}{}
", crate::pages::notifications::text(&tr, n), n.link));
    }
    body.push_str(&format!("
{}
{base}/notifications
", tr.t("mail-digest-outro")));
    let school = state.establishment_name(&who.establishment_id).await.map_err(|e| e.to_string())?;
    envelope(state, config, p, tr.t("mail-digest-subject"))?.singlepart(SinglePart::plain(signed(&tr, &body, &school))).map(Some).map_err(|e| e.to_string())
}

/// The report of a session to the meeting's organizer: when, how long, who was there and when.
async fn report_message(state: &SharedState, config: &MailConfig, p: &Pending) -> Result<Option<Message>, String> {
    let Ok(id) = p.about.parse::<i64>() else { return Ok(None) };
    let Some(session) = state.store.live_session(id).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let Ok(booking) = session.room.as_str().parse::<BookingId>() else { return Ok(None) };
    let Some(b) = state.store.booking(&booking).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let Some(room) = state.store.meeting_room(&b.room).await.map_err(|e| e.to_string())? else { return Ok(None) };
    // In the organizer's language.
    let organizer = state.store.person(&b.organizer).await.map_err(|e| e.to_string())?;
    let tr = Tr::new(organizer.and_then(|o| o.locale).as_deref().and_then(Lang::parse).unwrap_or(Lang::Fr));
    let view = crate::pages::meetings::session_view(&tr, &session);
    let mut body = tr.t2("mail-report-intro", "title", &b.title, "when", format!("{} ({})", view.when, view.duration));
    body.push_str("\n\n");
    for (name, span, what) in &view.presences {
        let what = if what.is_empty() { String::new() } else { format!(", {what}") };
        body.push_str(&format!("- {name} : {span}{what}\n"));
    }
    body.push_str(&format!("\n{}\n{}/meetings/{}\n", tr.t("mail-report-page"), state.config.public_url.trim_end_matches('/'), b.id));
    let school = state.establishment_name(&room.establishment_id).await.map_err(|e| e.to_string())?;
    let subject = tr.t1("mail-report-subject", "title", &b.title);
    envelope(state, config, p, subject)?.singlepart(SinglePart::plain(signed(&tr, &body, &school))).map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_come_later_and_later() {
        let delays: Vec<i64> = (1..=6).map(backoff_ms).collect();
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(delays[0], 60_000);
        assert_eq!(delays[5], 3_600_000);
    }

    #[test]
    fn security_is_named_as_configured() {
        assert_eq!(Security::parse("starttls"), Some(Security::StartTls));
        assert_eq!(Security::parse("tls"), Some(Security::Tls));
        assert_eq!(Security::parse("none"), Some(Security::None));
        assert_eq!(Security::parse("ssl"), None);
    }
}
