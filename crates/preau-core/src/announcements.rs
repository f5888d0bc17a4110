//! Announcements (« actualités »): news from the staff to the whole establishment, or from a
//! class's teachers and the staff to that class and its parents, shown on dashboards during
//! their publication period.

use crate::{AnnouncementId, DivisionId, Millis, PersonId};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 5000;
/// Longest publication period.
pub const MAX_PERIOD_MS: Millis = 366 * 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub id: AnnouncementId,
    /// `None`: the whole establishment.
    pub division: Option<DivisionId>,
    pub author: PersonId,
    pub title: String,
    pub body: String,
    pub from: Millis,
    pub until: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnnouncementError {
    #[error("le titre est obligatoire (200 caractères au plus, une ligne)")]
    Title,
    #[error("le texte est obligatoire (5000 caractères au plus)")]
    Body,
    #[error("la fin de la publication doit suivre son début, dans l'année")]
    Period,
}

impl Announcement {
    /// Checks what was typed; title and text are trimmed.
    pub fn check(&mut self) -> Result<(), AnnouncementError> {
        self.title = self.title.trim().to_owned();
        self.body = self.body.trim().to_owned();
        if self.title.is_empty() || self.title.chars().count() > MAX_TITLE || self.title.chars().any(char::is_control) {
            return Err(AnnouncementError::Title);
        }
        if self.body.is_empty() || self.body.chars().count() > MAX_BODY {
            return Err(AnnouncementError::Body);
        }
        if self.until <= self.from || self.until - self.from > MAX_PERIOD_MS {
            return Err(AnnouncementError::Period);
        }
        Ok(())
    }

    pub fn shown_at(&self, now: Millis) -> bool {
        self.from <= now && now < self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_are_checked_and_shown_in_their_period() {
        let ok = || Announcement {
            id: AnnouncementId::new(1, 1),
            division: None,
            author: PersonId::new(1, 2),
            title: " Fermeture exceptionnelle ".into(),
            body: "Le collège sera fermé lundi.".into(),
            from: 1000,
            until: 2000,
        };
        let mut a = ok();
        a.check().unwrap();
        assert_eq!(a.title, "Fermeture exceptionnelle");
        assert!(!a.shown_at(999) && a.shown_at(1000) && a.shown_at(1999) && !a.shown_at(2000));
        for (change, error) in [
            (Box::new(|a: &mut Announcement| a.title = " ".into()) as Box<dyn Fn(&mut Announcement)>, AnnouncementError::Title),
            (Box::new(|a: &mut Announcement| a.title = "a\nb".into()), AnnouncementError::Title),
            (Box::new(|a: &mut Announcement| a.body = "x".repeat(MAX_BODY + 1)), AnnouncementError::Body),
            (Box::new(|a: &mut Announcement| a.until = a.from), AnnouncementError::Period),
            (Box::new(|a: &mut Announcement| a.until = a.from + MAX_PERIOD_MS + 1), AnnouncementError::Period),
        ] {
            let mut a = ok();
            change(&mut a);
            assert_eq!(a.check(), Err(error));
        }
    }
}
