//! The server's signing keys, one per purpose, made at first use.

use preau_core::Millis;

use crate::{Result, Store, corrupt};

impl Store {
    /// The key named `name`: the one stored, or `fresh` (random bytes from the caller) stored
    /// now if there was none. Two callers racing both get the first one stored.
    pub async fn server_key(&self, name: &str, fresh: [u8; 32], now: Millis) -> Result<[u8; 32]> {
        sqlx::query("INSERT INTO server_keys (name, key, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&fresh[..])
            .bind(now)
            .execute(&self.pool)
            .await?;
        let key: Vec<u8> = sqlx::query_scalar("SELECT key FROM server_keys WHERE name = ?").bind(name).fetch_one(&self.pool).await?;
        key.try_into().map_err(|_| corrupt(format!("server key {name}")))
    }
}
