//! Interface languages: French first, English available. Messages live in Fluent catalogs
//! (`i18n/fr.ftl`, `i18n/en.ftl`), never in code.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use preau_core::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let Some(lang) = it.next().and_then(Lang::parse) else { continue };
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The person's preference, then the language cookie, then the browser, then French.
    pub fn negotiate(preference: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        preference
            .and_then(Lang::parse)
            .or_else(|| cookie.and_then(Lang::parse))
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::Fr)
    }
}

pub const FR_FTL: &str = include_str!("../i18n/fr.ftl");
pub const EN_FTL: &str = include_str!("../i18n/en.ftl");

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    fn build(lang: &str, source: &'static str) -> FluentBundle<FluentResource> {
        let resource = FluentResource::try_new(source.to_owned()).expect("the catalogs parse (checked by a test)");
        let mut bundle = FluentBundle::new_concurrent(vec![lang.parse().expect("valid language tag")]);
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).expect("no duplicate messages (checked by a test)");
        bundle
    }
    static FR: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| build("fr", FR_FTL)),
        Lang::En => EN.get_or_init(|| build("en", EN_FTL)),
    }
}

/// A translator for one language, handed to every template.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = bundle(self.lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, lang = self.lang.code(), "missing message");
            return id.to_owned();
        };
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::error!(id, ?errors, "message formatting failed");
        }
        text
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with two arguments.
    pub fn t2(&self, id: &str, n1: &str, v1: impl std::fmt::Display, n2: &str, v2: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(n1, FluentValue::from(v1.to_string()));
        args.set(n2, FluentValue::from(v2.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with a number argument (for plural selection).
    pub fn tn(&self, id: &str, name: &str, value: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value));
        self.format(id, Some(&args))
    }

    /// The message `id` with a number argument (for plural selection) and a text argument.
    pub fn tn1(&self, id: &str, n_name: &str, n: i64, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(n_name, FluentValue::from(n));
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// "29 novembre 2026 à 17:45" / "29 November 2026 at 17:45", in Paris time.
    pub fn datetime(&self, at: Millis) -> String {
        let Some(z) = paris(at) else { return String::new() };
        let mut args = FluentArgs::new();
        args.set("date", FluentValue::from(self.date_of(&z)));
        args.set("time", FluentValue::from(format!("{:02}:{:02}", z.hour(), z.minute())));
        self.format("datetime", Some(&args))
    }

    /// "dimanche 29 novembre 2026" / "Sunday 29 November 2026", in Paris time.
    pub fn long_date(&self, at: Millis) -> String {
        let Some(z) = paris(at) else { return String::new() };
        let weekday = self.t(&format!("weekday-{}", z.weekday().to_monday_one_offset()));
        format!("{weekday} {}", self.date_of(&z))
    }

    fn date_of(&self, z: &jiff::Zoned) -> String {
        let month = self.t(&format!("month-{}", z.month()));
        format!("{} {month} {}", z.day(), z.year())
    }
}

fn paris(at: Millis) -> Option<jiff::Zoned> {
    let tz = jiff::tz::TimeZone::get("Europe/Paris").ok()?;
    Some(jiff::Timestamp::from_millisecond(at).ok()?.to_zoned(tz))
}

/// Every message id of a catalog, for the completeness tests.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_the_person_then_cookie_then_browser() {
        assert_eq!(Lang::negotiate(None, None, None), Lang::Fr);
        assert_eq!(Lang::negotiate(None, None, Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, None, Some("de-DE,en;q=0.5,fr;q=0.8")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, Some("en"), Some("fr")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr"), Some("en"), Some("en")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, None, Some("de, es")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, None, Some("en;q=0")), Lang::Fr);
    }

    #[test]
    fn catalogs_parse_and_have_the_same_messages() {
        for source in [FR_FTL, EN_FTL] {
            FluentResource::try_new(source.to_owned()).expect("catalog parses");
        }
        let mut fr = message_ids(FR_FTL);
        let mut en = message_ids(EN_FTL);
        fr.sort();
        en.sort();
        let missing_en: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let missing_fr: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(missing_en.is_empty() && missing_fr.is_empty(), "en lacks {missing_en:?}, fr lacks {missing_fr:?}");
        let mut dedup = fr.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), fr.len(), "duplicate message in fr.ftl");
    }

    #[test]
    fn dates_are_in_paris_time_and_french_words() {
        // 2026-03-29 01:30 UTC is 03:30 in Paris: the night summer time starts.
        let at = 1_774_747_800_000;
        assert_eq!(Tr::new(Lang::Fr).datetime(at), "29 mars 2026 à 03:30");
        assert_eq!(Tr::new(Lang::En).datetime(at), "29 March 2026 at 03:30");
        assert_eq!(Tr::new(Lang::Fr).long_date(at), "dimanche 29 mars 2026");
    }
}
