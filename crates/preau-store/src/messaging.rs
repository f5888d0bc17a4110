//! Messaging: the communication rules of each establishment, conversations, their members
//! (what each has read, whether they archived it), messages and their files.

use preau_core::messaging::CommunicationRules;
use preau_core::school::Person;
use preau_core::{ConversationId, EstablishmentId, MessageId, Millis, PersonId};
use sqlx::Row;

use crate::files::{self, Role, Upload};
use crate::people::{PERSON_COLUMNS, person_from_row};
use crate::{Result, Store, StoreError, corrupt};

/// A conversation as the inbox lists it, for one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationLine {
    pub id: ConversationId,
    pub subject: String,
    pub last_at: Millis,
    /// Messages from others since the member last read it.
    pub unread: i64,
    /// Everyone in it but the member, by name.
    pub others: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub establishment_id: EstablishmentId,
    pub subject: String,
    pub started_by: PersonId,
    pub members: Vec<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub author: PersonId,
    pub body: String,
    pub sent_at: Millis,
}

impl Store {
    /// The establishment's communication rules (the defaults until the administrator sets them).
    pub async fn communication_rules(&self, establishment: &EstablishmentId) -> Result<CommunicationRules> {
        let row = sqlx::query("SELECT * FROM communication_rules WHERE establishment_id = ?")
            .bind(establishment.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(CommunicationRules::default()) };
        Ok(CommunicationRules {
            pupils_to_teachers: r.try_get("pupils_to_teachers")?,
            pupils_to_classmates: r.try_get("pupils_to_classmates")?,
            pupils_to_staff: r.try_get("pupils_to_staff")?,
            parents_to_teachers: r.try_get("parents_to_teachers")?,
            parents_to_staff: r.try_get("parents_to_staff")?,
            parents_to_parents: r.try_get("parents_to_parents")?,
        })
    }

    pub async fn set_communication_rules(&self, establishment: &EstablishmentId, rules: &CommunicationRules, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO communication_rules (establishment_id, pupils_to_teachers, pupils_to_classmates, pupils_to_staff, \
                 parents_to_teachers, parents_to_staff, parents_to_parents, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (establishment_id) DO UPDATE SET pupils_to_teachers = ?2, pupils_to_classmates = ?3, pupils_to_staff = ?4, \
                 parents_to_teachers = ?5, parents_to_staff = ?6, parents_to_parents = ?7, updated_at = ?8",
        )
        .bind(establishment.as_str())
        .bind(rules.pupils_to_teachers)
        .bind(rules.pupils_to_classmates)
        .bind(rules.pupils_to_staff)
        .bind(rules.parents_to_teachers)
        .bind(rules.parents_to_staff)
        .bind(rules.parents_to_parents)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Starts a conversation: its members (the author among them), the first message and its
    /// files, all or nothing.
    pub async fn start_conversation(
        &self,
        c: &Conversation,
        subject: &str,
        first: &Message,
        uploads: &[Upload],
        now: Millis,
    ) -> Result<()> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO conversations (id, establishment_id, subject, started_by, started_at, last_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(c.id.as_str())
        .bind(c.establishment_id.as_str())
        .bind(subject)
        .bind(c.started_by.as_str())
        .bind(first.sent_at)
        .bind(first.sent_at)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::IdTaken(c.id.to_string()));
        }
        for m in &c.members {
            let read_at = if *m == first.author { first.sent_at } else { 0 };
            sqlx::query("INSERT INTO conversation_members (conversation_id, person_id, read_at, archived) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING")
                .bind(c.id.as_str())
                .bind(m.as_str())
                .bind(read_at)
                .execute(&mut *tx)
                .await?;
        }
        insert_message(&mut tx, &c.id, first).await?;
        files::attach(&mut tx, first.id.as_str(), Role::Message, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a message to a conversation (the caller checked the author is in it): it comes
    /// back out of everyone's archive, and counts as read by its author.
    pub async fn reply(&self, conversation: &ConversationId, m: &Message, uploads: &[Upload], now: Millis) -> Result<()> {
        let hashes = self.put_files(uploads).await?;
        let mut tx = self.pool.begin().await?;
        insert_message(&mut tx, conversation, m).await?;
        sqlx::query("UPDATE conversations SET last_at = ? WHERE id = ?").bind(m.sent_at).bind(conversation.as_str()).execute(&mut *tx).await?;
        sqlx::query("UPDATE conversation_members SET archived = 0, read_at = CASE WHEN person_id = ?1 THEN ?2 ELSE read_at END WHERE conversation_id = ?3")
            .bind(m.author.as_str())
            .bind(m.sent_at)
            .bind(conversation.as_str())
            .execute(&mut *tx)
            .await?;
        files::attach(&mut tx, m.id.as_str(), Role::Message, uploads, &hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn conversation(&self, id: &ConversationId) -> Result<Option<Conversation>> {
        let Some(r) = sqlx::query("SELECT * FROM conversations WHERE id = ?").bind(id.as_str()).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let members: Vec<(String,)> = sqlx::query_as("SELECT person_id FROM conversation_members WHERE conversation_id = ?")
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?;
        let establishment: String = r.try_get("establishment_id")?;
        let started_by: String = r.try_get("started_by")?;
        Ok(Some(Conversation {
            id: id.clone(),
            establishment_id: establishment.parse().map_err(corrupt)?,
            subject: r.try_get("subject")?,
            started_by: started_by.parse().map_err(corrupt)?,
            members: members.into_iter().map(|(p,)| p.parse().map_err(corrupt)).collect::<Result<_>>()?,
        }))
    }

    /// A conversation's messages, oldest first.
    pub async fn messages(&self, id: &ConversationId) -> Result<Vec<Message>> {
        let rows = sqlx::query("SELECT id, author_id, body, sent_at FROM messages WHERE conversation_id = ? ORDER BY sent_at, id")
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let author: String = r.try_get("author_id")?;
                Ok(Message { id: id.parse().map_err(corrupt)?, author: author.parse().map_err(corrupt)?, body: r.try_get("body")?, sent_at: r.try_get("sent_at")? })
            })
            .collect()
    }

    /// A member's conversations, the latest first: those in the inbox, or the archived ones.
    pub async fn conversations_of(&self, person: &PersonId, archived: bool, limit: i64) -> Result<Vec<ConversationLine>> {
        let rows = sqlx::query(
            "SELECT c.id, c.subject, c.last_at, \
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.sent_at > me.read_at AND m.author_id <> ?1) AS unread, \
                (SELECT group_concat(p.first_name || ' ' || p.last_name, ', ') FROM conversation_members o JOIN people p ON p.id = o.person_id \
                    WHERE o.conversation_id = c.id AND o.person_id <> ?1) AS others \
             FROM conversation_members me JOIN conversations c ON c.id = me.conversation_id \
             WHERE me.person_id = ?1 AND me.archived = ?2 ORDER BY c.last_at DESC, c.id LIMIT ?3",
        )
        .bind(person.as_str())
        .bind(archived)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let others: Option<String> = r.try_get("others")?;
                Ok(ConversationLine {
                    id: id.parse().map_err(corrupt)?,
                    subject: r.try_get("subject")?,
                    last_at: r.try_get("last_at")?,
                    unread: r.try_get("unread")?,
                    others: others.map(|o| o.split(", ").map(str::to_owned).collect()).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Messages from others a person has not read, in conversations not archived.
    pub async fn unread_messages(&self, person: &PersonId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM conversation_members me JOIN messages m ON m.conversation_id = me.conversation_id \
             WHERE me.person_id = ?1 AND me.archived = 0 AND m.sent_at > me.read_at AND m.author_id <> ?1",
        )
        .bind(person.as_str())
        .fetch_one(&self.pool)
        .await?)
    }

    /// A member has read a conversation up to `at`.
    pub async fn mark_read(&self, id: &ConversationId, person: &PersonId, at: Millis) -> Result<()> {
        sqlx::query("UPDATE conversation_members SET read_at = max(read_at, ?) WHERE conversation_id = ? AND person_id = ?")
            .bind(at)
            .bind(id.as_str())
            .bind(person.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_archived(&self, id: &ConversationId, person: &PersonId) -> Result<bool> {
        let v: Option<bool> = sqlx::query_scalar("SELECT archived FROM conversation_members WHERE conversation_id = ? AND person_id = ?")
            .bind(id.as_str())
            .bind(person.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.unwrap_or(false))
    }

    pub async fn set_archived(&self, id: &ConversationId, person: &PersonId, archived: bool) -> Result<()> {
        sqlx::query("UPDATE conversation_members SET archived = ? WHERE conversation_id = ? AND person_id = ?")
            .bind(archived)
            .bind(id.as_str())
            .bind(person.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The teachers of these divisions and groups (head teachers included), active, by name:
    /// whom their pupils and parents may write to.
    pub async fn teachers_of(&self, divisions: &[preau_core::DivisionId], groups: &[preau_core::GroupId]) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE p.disabled = 0 AND p.id IN ( \
                SELECT teacher_id FROM teaching_assignments WHERE division_id IN (SELECT value FROM json_each(?1)) \
                    OR group_id IN (SELECT value FROM json_each(?2)) \
                UNION SELECT head_teacher_id FROM divisions WHERE id IN (SELECT value FROM json_each(?1))) \
             ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql)
            .bind(crate::json_ids(divisions.iter().map(|d| d.as_str())))
            .bind(crate::json_ids(groups.iter().map(|g| g.as_str())))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The education staff, the principal and the administrators, active, by name.
    pub async fn school_office_of(&self, establishment: &EstablishmentId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE p.establishment_id = ? AND p.disabled = 0 AND EXISTS \
                (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role IN ('staff', 'principal', 'admin')) \
             ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE"
        );
        let rows = sqlx::query(&sql).bind(establishment.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }
}

async fn insert_message(tx: &mut sqlx::SqliteConnection, conversation: &ConversationId, m: &Message) -> Result<()> {
    sqlx::query("INSERT INTO messages (id, conversation_id, author_id, body, sent_at) VALUES (?, ?, ?, ?, ?)")
        .bind(m.id.as_str())
        .bind(conversation.as_str())
        .bind(m.author.as_str())
        .bind(&m.body)
        .bind(m.sent_at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
