//! Configuration: defaults, then `preau.toml`, then `PREAU_*` environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use preau_core::throttle::Limit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    pub listen: SocketAddr,
    /// Where the database (and later, files) live.
    pub data_dir: PathBuf,
    /// The address people type, e.g. https://preau.example.org; defaults to http://<listen>.
    pub public_url: Option<String>,
    /// Reverse proxies whose X-Forwarded-For is believed, as CIDRs.
    pub trusted_proxies: Vec<IpNet>,
    /// A session ends after this many minutes without activity…
    pub session_idle_minutes: u32,
    /// …and in any case this many hours after login.
    pub session_lifetime_hours: u32,
    /// Largest request body accepted, in bytes…
    pub max_body_bytes: usize,
    /// …and for forms that carry files (homework, work handed in, feedback).
    pub max_upload_bytes: usize,
    /// Most bytes each establishment's class resources may take.
    pub resources_quota_bytes: u64,
    /// Addresses allowed to read /metrics without a token.
    pub metrics_allow: Vec<IpNet>,
    /// Bearer token that opens /metrics from anywhere.
    pub metrics_token: Option<String>,
    /// Failed logins allowed in a row per account, then one per `login_account_refill_seconds`.
    pub login_account_burst: u32,
    pub login_account_refill_seconds: u32,
    /// Failed logins allowed in a row per client address, then one per `login_ip_refill_seconds`.
    pub login_ip_burst: u32,
    pub login_ip_refill_seconds: u32,
    /// Most people in one virtual classroom (its hosts are admitted beyond).
    pub room_capacity: u32,
    /// Database connections.
    pub db_max_connections: u32,
    /// Log filter (tracing syntax), e.g. "info" or "preau_web=debug,info".
    pub log: String,
    /// The one UDP port of the SFU, for every participant of every room.
    pub media_udp: SocketAddr,
    /// Addresses announced to browsers for that port (the server's public addresses); empty:
    /// the address of `media_udp` itself, which must then be a specific address.
    pub media_public_ips: Vec<std::net::IpAddr>,
    /// STUN/TURN URLs handed to browsers (e.g. "turn:turn.example.org:3478"); none by default.
    pub ice_urls: Vec<String>,
    /// The coturn `static-auth-secret`: TURN credentials are derived from it (TURN REST scheme).
    pub turn_secret: Option<String>,
    /// How long those TURN credentials last.
    pub turn_ttl_seconds: u32,
    /// The SMTP server that sends e-mail (guests' invitations); none: no e-mail is sent.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// "starttls" (default, port 587), "tls" (port 465), or "none" (only for a relay on this machine).
    pub smtp_security: String,
    /// Credentials, if the SMTP server asks for them.
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    /// The sender, e.g. "Préau <ne-pas-repondre@college.example>".
    pub mail_from: Option<String>,
    /// Whether the hosts of audio conferences may record their sound (everyone present is
    /// told while it runs). Off by default.
    pub recording: bool,
    /// Recordings are deleted this many days after they began.
    pub recording_keep_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        let web = preau_web::WebConfig::new("");
        Config {
            listen: "127.0.0.1:8080".parse().unwrap(),
            data_dir: PathBuf::from("./preau-data"),
            public_url: None,
            trusted_proxies: vec![],
            session_idle_minutes: (web.session_idle_ms / 60_000) as u32,
            session_lifetime_hours: (web.session_lifetime_ms / 3_600_000) as u32,
            max_body_bytes: web.max_body_bytes,
            max_upload_bytes: web.max_upload_bytes,
            resources_quota_bytes: web.resources_quota_bytes as u64,
            metrics_allow: web.metrics_allow,
            metrics_token: None,
            login_account_burst: web.login_per_account.burst,
            login_account_refill_seconds: (web.login_per_account.refill_ms / 1000) as u32,
            login_ip_burst: web.login_per_ip.burst,
            login_ip_refill_seconds: (web.login_per_ip.refill_ms / 1000) as u32,
            room_capacity: u32::try_from(web.room_capacity).unwrap_or(u32::MAX),
            db_max_connections: 8,
            log: "info".into(),
            media_udp: "127.0.0.1:10000".parse().unwrap(),
            media_public_ips: vec![],
            ice_urls: vec![],
            turn_secret: None,
            turn_ttl_seconds: 86_400,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_user: None,
            smtp_password: None,
            mail_from: None,
            recording: false,
            recording_keep_days: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} not found")]
    Missing(PathBuf),
    #[error("{0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("invalid configuration: `{key}` {problem}")]
    Invalid { key: &'static str, problem: String },
}

impl Config {
    /// Loads the configuration. `file` given explicitly must exist; otherwise `./preau.toml`
    /// is read when present.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.to_path_buf())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("preau.toml").exists() => figment = figment.merge(Toml::file_exact("preau.toml")),
            None => {}
        }
        // Only known keys are taken from the environment: other PREAU_* variables (a script's
        // PREAU_BIN, say) are not settings. `unknown_env_keys` lets the caller warn about them.
        let known = Config::keys();
        let figment = figment.merge(Env::prefixed("PREAU_").filter(move |k| known.iter().any(|n| k == n.as_str())));
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// The names of every setting.
    pub fn keys() -> Vec<String> {
        match toml::Value::try_from(Config::default()) {
            Ok(toml::Value::Table(t)) => {
                let mut keys: Vec<String> = t.keys().cloned().collect();
                // Optional settings are absent from the serialized defaults.
                keys.extend(
                    ["public_url", "metrics_token", "turn_secret", "smtp_host", "smtp_user", "smtp_password", "mail_from"]
                        .map(String::from),
                );
                keys
            }
            _ => vec![],
        }
    }

    /// `PREAU_*` variables of the environment that name no setting (PREAU_CONFIG aside).
    pub fn unknown_env_keys() -> Vec<String> {
        let known = Config::keys();
        std::env::vars()
            .filter_map(|(k, _)| k.strip_prefix("PREAU_").map(str::to_ascii_lowercase))
            .filter(|k| k != "config" && !known.contains(k))
            .map(|k| format!("PREAU_{}", k.to_ascii_uppercase()))
            .collect()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, problem: &str| Err(ConfigError::Invalid { key, problem: problem.to_owned() });
        if let Some(url) = &self.public_url {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                return bad("public_url", "must start with http:// or https:// and name a host, e.g. https://preau.example.org");
            }
        }
        if self.session_idle_minutes == 0 {
            return bad("session_idle_minutes", "must be at least 1");
        }
        if self.session_lifetime_hours == 0 || self.session_lifetime_hours > 24 * 31 {
            return bad("session_lifetime_hours", "must be between 1 and 744");
        }
        if self.max_body_bytes < 1024 {
            return bad("max_body_bytes", "must be at least 1024");
        }
        if self.login_account_burst == 0 || self.login_ip_burst == 0 {
            return bad("login_account_burst / login_ip_burst", "must be at least 1");
        }
        if self.login_account_refill_seconds == 0 || self.login_ip_refill_seconds == 0 {
            return bad("login_account_refill_seconds / login_ip_refill_seconds", "must be at least 1");
        }
        if self.max_upload_bytes < self.max_body_bytes || self.max_upload_bytes > 1 << 30 {
            return bad("max_upload_bytes", "must be at least max_body_bytes and at most 1 GiB");
        }
        if self.recording_keep_days == 0 || self.recording_keep_days > 3650 {
            return bad("recording_keep_days", "must be between 1 and 3650");
        }
        if self.room_capacity == 0 || self.room_capacity > 1000 {
            return bad("room_capacity", "must be between 1 and 1000");
        }
        if self.media_udp.ip().is_unspecified() && self.media_public_ips.is_empty() {
            return bad("media_public_ips", "must list the server's public addresses when media_udp listens on all of them");
        }
        for url in &self.ice_urls {
            if !(url.starts_with("stun:") || url.starts_with("turn:") || url.starts_with("turns:")) {
                return bad("ice_urls", "entries start with stun:, turn: or turns:");
            }
        }
        if self.ice_urls.iter().any(|u| u.starts_with("turn")) && self.turn_secret.is_none() {
            return bad("turn_secret", "is needed for the TURN servers of ice_urls");
        }
        if self.db_max_connections == 0 {
            return bad("db_max_connections", "must be at least 1");
        }
        if let Some(t) = &self.metrics_token
            && t.len() < 16
        {
            return bad("metrics_token", "must be at least 16 characters");
        }
        self.validate_mail()
    }

    fn validate_mail(&self) -> Result<(), ConfigError> {
        let bad = |key, problem: &str| Err(ConfigError::Invalid { key, problem: problem.to_owned() });
        let Some(security) = preau_web::mail::Security::parse(&self.smtp_security) else {
            return bad("smtp_security", "must be \"starttls\", \"tls\" or \"none\"");
        };
        if self.smtp_user.is_some() != self.smtp_password.is_some() {
            return bad("smtp_user / smtp_password", "go together");
        }
        let Some(host) = &self.smtp_host else {
            if self.mail_from.is_some() || self.smtp_user.is_some() {
                return bad("smtp_host", "is needed to send e-mail (mail_from or smtp_user is set)");
            }
            return Ok(());
        };
        if host.trim().is_empty() || host.contains(char::is_whitespace) {
            return bad("smtp_host", "must be a host name or an address");
        }
        if self.smtp_port == 0 {
            return bad("smtp_port", "must be a port number");
        }
        let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]");
        if security == preau_web::mail::Security::None && !local {
            return bad("smtp_security", "\"none\" sends mail in clear: only for a relay on this machine (localhost)");
        }
        match &self.mail_from {
            None => bad("mail_from", "is needed with smtp_host, e.g. \"Préau <ne-pas-repondre@college.example>\""),
            Some(from) if !preau_web::mail::valid_mailbox(from) => {
                bad("mail_from", "must be an address, e.g. \"Préau <ne-pas-repondre@college.example>\"")
            }
            Some(_) => Ok(()),
        }
    }

    /// The SMTP settings, if e-mail is set up (`validate` checked them).
    pub fn mail(&self) -> Option<preau_web::mail::MailConfig> {
        let host = self.smtp_host.clone()?;
        Some(preau_web::mail::MailConfig {
            host,
            port: self.smtp_port,
            security: preau_web::mail::Security::parse(&self.smtp_security)?,
            credentials: self.smtp_user.clone().zip(self.smtp_password.clone()),
            from: self.mail_from.clone()?,
        })
    }

    /// The web front's settings, for a server reachable at `public_url`.
    pub fn web(&self, public_url: String) -> preau_web::WebConfig {
        let mut web = preau_web::WebConfig::new(public_url);
        web.trusted_proxies = self.trusted_proxies.clone();
        web.session_idle_ms = i64::from(self.session_idle_minutes) * 60_000;
        web.session_lifetime_ms = i64::from(self.session_lifetime_hours) * 3_600_000;
        web.max_body_bytes = self.max_body_bytes;
        web.max_upload_bytes = self.max_upload_bytes;
        web.resources_quota_bytes = i64::try_from(self.resources_quota_bytes).unwrap_or(i64::MAX);
        web.metrics_allow = self.metrics_allow.clone();
        web.metrics_token = self.metrics_token.clone();
        web.login_per_account =
            Limit { burst: self.login_account_burst, refill_ms: i64::from(self.login_account_refill_seconds) * 1000 };
        web.login_per_ip = Limit { burst: self.login_ip_burst, refill_ms: i64::from(self.login_ip_refill_seconds) * 1000 };
        web.room_capacity = self.room_capacity as usize;
        web.mail = self.mail();
        web.recordings = Some(preau_web::recordings::RecordingsConfig {
            dir: self.recordings_dir(),
            keep_days: self.recording_keep_days,
            allowed: self.recording,
        });
        web
    }

    /// Where recordings are written: `recordings/` in the data directory.
    pub fn recordings_dir(&self) -> PathBuf {
        self.data_dir.join("recordings")
    }

    /// The SFU's settings, listening on `udp`.
    pub fn media(&self, udp: SocketAddr) -> preau_media::driver::MediaConfig {
        preau_media::driver::MediaConfig::new(udp, self.media_public_ips.clone())
    }

    /// What browsers are told about STUN/TURN.
    pub fn ice(&self) -> preau_web::signal::IceConfig {
        preau_web::signal::IceConfig {
            urls: self.ice_urls.clone(),
            turn_secret: self.turn_secret.clone(),
            ttl: std::time::Duration::from_secs(u64::from(self.turn_ttl_seconds)),
        }
    }

    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{bound}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_environment_override_defaults_and_typos_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("preau.toml", "listen = \"127.0.0.1:9000\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n")?;
            jail.set_env("PREAU_SESSION_IDLE_MINUTES", "15");
            let c = Config::load(None).expect("loads");
            assert_eq!(c.listen.port(), 9000);
            assert_eq!(c.session_idle_minutes, 15);
            assert_eq!(c.trusted_proxies.len(), 1);

            jail.create_file("typo.toml", "lisen = \"127.0.0.1:9000\"\n")?;
            let e = Config::load(Some(Path::new("typo.toml"))).unwrap_err().to_string();
            assert!(e.contains("lisen"), "{e}");

            jail.create_file("cidr.toml", "trusted_proxies = [\"10.0.0.0/33\"]\n")?;
            let e = Config::load(Some(Path::new("cidr.toml"))).unwrap_err().to_string();
            assert!(e.contains("trusted_proxies"), "{e}");

            jail.create_file("url.toml", "public_url = \"preau.example.org\"\n")?;
            let e = Config::load(Some(Path::new("url.toml"))).unwrap_err().to_string();
            assert!(e.contains("public_url"), "{e}");

            jail.create_file("rooms.toml", "room_capacity = 0\n")?;
            let e = Config::load(Some(Path::new("rooms.toml"))).unwrap_err().to_string();
            assert!(e.contains("room_capacity"), "{e}");
            jail.set_env("PREAU_ROOM_CAPACITY", "30");
            assert_eq!(Config::load(None).expect("loads").web(String::new()).room_capacity, 30);

            assert!(!Config::load(None).expect("loads").web(String::new()).recordings.expect("kept on time").allowed, "no recording by default");
            jail.create_file("keep.toml", "recording = true\nrecording_keep_days = 0\n")?;
            let e = Config::load(Some(Path::new("keep.toml"))).unwrap_err().to_string();
            assert!(e.contains("recording_keep_days"), "{e}");
            jail.create_file("record.toml", "recording = true\ndata_dir = \"/srv/preau\"\n")?;
            let r = Config::load(Some(Path::new("record.toml"))).expect("loads").web(String::new()).recordings.expect("on");
            assert_eq!((r.dir, r.keep_days, r.allowed), (PathBuf::from("/srv/preau/recordings"), 30, true));

            let e = Config::load(Some(Path::new("absent.toml"))).unwrap_err().to_string();
            assert!(e.contains("absent.toml"), "{e}");

            // Other programs' PREAU_* variables are not settings: ignored, and reported.
            jail.set_env("PREAU_BIN", "/usr/local/bin/preau");
            jail.set_env("PREAU_PUBLIC_URL", "https://preau.example.org");
            let c = Config::load(None).expect("loads");
            assert_eq!(c.public_url.as_deref(), Some("https://preau.example.org"));
            assert_eq!(Config::unknown_env_keys(), vec!["PREAU_BIN".to_owned()]);

            // E-mail: off unless set up, and set up whole.
            assert!(c.mail().is_none());
            for (file, key) in [
                ("smtp_host = \"smtp.example.org\"\n", "mail_from"),
                ("smtp_host = \"smtp.example.org\"\nmail_from = \"pas une adresse\"\n", "mail_from"),
                ("smtp_host = \"smtp.example.org\"\nmail_from = \"a@b.example\"\nsmtp_security = \"ssl\"\n", "smtp_security"),
                ("smtp_host = \"smtp.example.org\"\nmail_from = \"a@b.example\"\nsmtp_security = \"none\"\n", "smtp_security"),
                ("smtp_host = \"smtp.example.org\"\nmail_from = \"a@b.example\"\nsmtp_user = \"preau\"\n", "smtp_user"),
                ("mail_from = \"a@b.example\"\n", "smtp_host"),
            ] {
                jail.create_file("mail.toml", file)?;
                let e = Config::load(Some(Path::new("mail.toml"))).unwrap_err().to_string();
                assert!(e.contains(key), "{file}: {e}");
            }
            jail.create_file("mail.toml", "smtp_host = \"localhost\"\nsmtp_port = 25\nsmtp_security = \"none\"\nmail_from = \"Préau <ne-pas-repondre@college.example>\"\n")?;
            jail.set_env("PREAU_SMTP_USER", "preau");
            jail.set_env("PREAU_SMTP_PASSWORD", "secret");
            let m = Config::load(Some(Path::new("mail.toml"))).expect("loads").mail().expect("mail on");
            assert_eq!((m.host.as_str(), m.port, m.security), ("localhost", 25, preau_web::mail::Security::None));
            assert_eq!(m.credentials, Some(("preau".into(), "secret".into())));
            Ok(())
        });
    }
}
