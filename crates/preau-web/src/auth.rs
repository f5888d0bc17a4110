//! Passwords, sessions, CSRF tokens and login throttling.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use preau_core::Millis;
use preau_core::throttle::Bucket;
use sha2::{Digest, Sha256};

use crate::clock::random_bytes;
use crate::{AppState, SharedState};

pub const SESSION_COOKIE: &str = "preau_session";
pub const LOGIN_CSRF_COOKIE: &str = "preau_csrf";
pub const LANG_COOKIE: &str = "preau_lang";

/// Argon2id with the OWASP profile: 19 MiB, two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string. CPU-heavy: call it off the async threads.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
    argon2().hash_password(password.as_bytes(), &salt).expect("Argon2 hashing cannot fail with valid parameters").to_string()
}

/// Checks a password against a stored hash; a malformed hash never verifies.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the login does not exist, so that an unknown login takes
/// as long to refuse as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("préau: no such account"))
}

/// A password to hand to someone once: 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<20>().iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// A fresh session token (256 random bits) as it goes in the cookie.
pub fn new_token() -> String {
    B64.encode(random_bytes::<32>())
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The CSRF token of a session: derived from the session token, so it needs no storage and
/// only the holder of the cookie can know it.
pub fn csrf_for_session(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"preau csrf v1\0");
    h.update(token.as_bytes());
    B64.encode(h.finalize())
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Builds a Set-Cookie value.
pub fn cookie(state: &AppState, name: &str, value: &str, max_age_s: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_s {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.is_https() {
        c.push_str("; Secure");
    }
    c
}

/// The CSRF token of a form shown before any session (login, a guest's name): the one in the
/// double-submit cookie, or a new one with the cookie that carries it.
pub fn pre_session_csrf(state: &AppState, headers: &axum::http::HeaderMap) -> (String, Option<String>) {
    match read_cookie(headers, LOGIN_CSRF_COOKIE) {
        Some(c) if c.len() == 43 => (c.to_owned(), None),
        _ => {
            let token = new_token();
            let cookie = cookie(state, LOGIN_CSRF_COOKIE, &token, None);
            (token, Some(cookie))
        }
    }
}

/// Adds a `Set-Cookie` (a value [`cookie`] made: ASCII) to a response.
pub fn add_cookie(response: &mut axum::response::Response, cookie: &str) {
    response.headers_mut().append(axum::http::header::SET_COOKIE, axum::http::HeaderValue::from_str(cookie).expect("cookie is ASCII"));
}

/// Reads one cookie from the request headers.
pub fn read_cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Failed-login buckets per account and per client address.
#[derive(Default)]
pub struct LoginThrottle {
    buckets: Mutex<Buckets>,
}

#[derive(Default)]
struct Buckets {
    accounts: HashMap<String, Bucket>,
    ips: HashMap<IpAddr, Bucket>,
}

/// A password check that counts as a failure unless [`LoginThrottle::succeeded`] says otherwise.
pub struct Attempt {
    login: String,
    ip: IpAddr,
}

impl LoginThrottle {
    /// Starts a password check for `login` from `ip`: refused with the wait in milliseconds when
    /// either must wait; otherwise a failure is counted at once, under the lock, so that
    /// parallel attempts cannot all slip through before the first one fails.
    pub fn begin(&self, state: &AppState, login: &str, ip: IpAddr, now: Millis) -> Result<Attempt, Millis> {
        let (per_account, per_ip) = (state.config.login_per_account, state.config.login_per_ip);
        let mut b = self.buckets.lock().unwrap();
        // Forget drained keys now and then so that a scan of logins cannot grow the maps forever.
        if b.accounts.len() + b.ips.len() > 20_000 {
            b.accounts.retain(|_, k| !k.is_idle(now));
            b.ips.retain(|_, k| !k.is_idle(now));
        }
        let account = b.accounts.get(login).copied().unwrap_or_default().check(per_account, now);
        let address = b.ips.get(&ip).copied().unwrap_or_default().check(per_ip, now);
        match (account, address) {
            (Ok(()), Ok(())) => {}
            (Err(x), Err(y)) => return Err(x.max(y)),
            (Err(x), _) | (_, Err(x)) => return Err(x),
        }
        b.accounts.entry(login.to_owned()).or_default().fail(per_account, now);
        b.ips.entry(ip).or_default().fail(per_ip, now);
        Ok(Attempt { login: login.to_owned(), ip })
    }

    /// The password was right: the failure counted in advance is taken back.
    pub fn succeeded(&self, state: &AppState, attempt: Attempt, now: Millis) {
        let mut b = self.buckets.lock().unwrap();
        if let Some(k) = b.accounts.get_mut(&attempt.login) {
            k.refund(state.config.login_per_account, now);
        }
        if let Some(k) = b.ips.get_mut(&attempt.ip) {
            k.refund(state.config.login_per_ip, now);
        }
    }
}

/// Opens a session for `person` and returns the `Set-Cookie` value that carries it.
pub async fn open_session(
    state: &AppState,
    person: &preau_core::PersonId,
    headers: &axum::http::HeaderMap,
    ip: Option<IpAddr>,
) -> Result<String, preau_store::StoreError> {
    let (session, token) = new_session_parts(state, headers, ip);
    state.store.create_session(&session.as_new(person)).await?;
    Ok(session_cookie(state, &token))
}

/// What a new session is made of, before it is written (alone or inside a larger transaction).
pub struct SessionParts {
    id: String,
    token_hash: [u8; 32],
    now: Millis,
    expires_at: Millis,
    user_agent: String,
    ip: String,
}

impl SessionParts {
    pub fn as_new<'a>(&'a self, person: &'a preau_core::PersonId) -> preau_store::NewSession<'a> {
        preau_store::NewSession {
            id: &self.id,
            token_hash: &self.token_hash,
            person_id: person,
            now: self.now,
            expires_at: self.expires_at,
            user_agent: &self.user_agent,
            ip: &self.ip,
        }
    }
}

/// A fresh token and the session row it will open, with the browser and address shown on the
/// "my sessions" page.
pub fn new_session_parts(state: &AppState, headers: &axum::http::HeaderMap, ip: Option<IpAddr>) -> (SessionParts, String) {
    let now = state.clock.now();
    let token = new_token();
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    let parts = SessionParts {
        id: preau_core::PersonId::new(now, crate::clock::random_u128()).to_string(),
        token_hash: token_hash(&token),
        now,
        expires_at: now + state.config.session_lifetime_ms,
        user_agent,
        ip: ip.map(|i| i.to_string()).unwrap_or_default(),
    };
    (parts, token)
}

pub fn session_cookie(state: &AppState, token: &str) -> String {
    cookie(state, SESSION_COOKIE, token, Some(state.config.session_lifetime_ms / 1000))
}

/// Deletes expired sessions every ten minutes.
pub async fn sweep_sessions(state: SharedState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        match state.store.purge_sessions(now, state.config.session_idle_ms).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery staple");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("Correct horse battery staple", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 43, "256 bits in base64url");
        assert_ne!(t, new_token());
        assert_ne!(csrf_for_session(&t), csrf_for_session(&new_token()));
        assert!(same_secret(&csrf_for_session(&t), &csrf_for_session(&t)));
        assert!(!same_secret("abc", "abd"));
        assert_eq!(generate_password().len(), 20);
    }

    #[test]
    fn cookies_are_read_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("cookie", "a=1; preau_session=xyz; b=2".parse().unwrap());
        assert_eq!(read_cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(read_cookie(&h, "c"), None);
    }
}
