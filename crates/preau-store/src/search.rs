//! Search within what someone may see: their classes' homework, their classes' resources, their
//! conversations. The caller says which classes; the queries never look further.

use preau_core::school::Audience;
use preau_core::{Millis, PersonId};

use crate::{Result, Store, like_pattern};

/// One thing found: its label and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub label: String,
    pub detail: String,
    pub link: String,
}

const LIMIT: i64 = 30;

impl Store {
    /// Homework of these classes (published at `published_at`, or all for their teachers)
    /// whose instructions or subject contain `query`, latest due first.
    pub async fn search_homework(&self, audiences: &[Audience], published_at: Option<Millis>, query: &str) -> Result<Vec<Found>> {
        let (divisions, groups) = crate::json_audiences(audiences);
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT h.id, s.name || ' (' || coalesce(d.name, g.name) || ')', h.instructions FROM homework h JOIN subjects s ON s.id = h.subject_id \
             LEFT JOIN divisions d ON d.id = h.division_id LEFT JOIN teaching_groups g ON g.id = h.group_id \
             WHERE (h.division_id IN (SELECT value FROM json_each(?1)) OR h.group_id IN (SELECT value FROM json_each(?2))) \
               AND (?3 IS NULL OR h.publish_at <= ?3) \
               AND (h.instructions LIKE ?4 ESCAPE '\\' OR s.name LIKE ?4 ESCAPE '\\') ORDER BY h.due_at DESC LIMIT ?5",
        )
        .bind(divisions)
        .bind(groups)
        .bind(published_at)
        .bind(like_pattern(query))
        .bind(LIMIT)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, label, text)| Found { label, detail: text.chars().take(160).collect(), link: format!("/homework/{id}") })
            .collect())
    }

    /// Documents of these classes' resources whose name contains `query`.
    pub async fn search_resources(&self, audiences: &[Audience], query: &str) -> Result<Vec<Found>> {
        let (divisions, groups) = crate::json_audiences(audiences);
        // (document, subject, division, group, subject id)
        type Row = (String, String, Option<String>, Option<String>, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT a.name, s.name, f.division_id, f.group_id, f.subject_id FROM attachments a \
             JOIN resource_folders f ON f.id = a.owner_id JOIN subjects s ON s.id = f.subject_id \
             WHERE a.role = 'resource' AND (f.division_id IN (SELECT value FROM json_each(?1)) OR f.group_id IN (SELECT value FROM json_each(?2))) \
               AND a.name LIKE ?3 ESCAPE '\\' ORDER BY a.name LIMIT ?4",
        )
        .bind(divisions)
        .bind(groups)
        .bind(like_pattern(query))
        .bind(LIMIT)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, subject, division, group, subject_id)| {
                // The shelf the document is on (its page lists it, with its folder).
                let shelf = match (division, group) {
                    (Some(d), _) => format!("d-{d}"),
                    (None, Some(g)) => format!("g-{g}"),
                    (None, None) => String::new(),
                };
                Found { label: name, detail: subject, link: format!("/resources/{shelf}/{subject_id}") }
            })
            .collect())
    }

    /// Someone's conversations whose subject or messages contain `query`, latest first.
    pub async fn search_messages(&self, person: &PersonId, query: &str) -> Result<Vec<Found>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.id, c.subject FROM conversations c JOIN conversation_members me ON me.conversation_id = c.id AND me.person_id = ?1 \
             WHERE c.subject LIKE ?2 ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.body LIKE ?2 ESCAPE '\\') \
             ORDER BY c.last_at DESC LIMIT ?3",
        )
        .bind(person.as_str())
        .bind(like_pattern(query))
        .bind(LIMIT)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, subject)| Found { label: subject, detail: String::new(), link: format!("/messages/{id}") }).collect())
    }
}
