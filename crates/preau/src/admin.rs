//! `preau user …` and `preau establishment …`: administration from the shell.

use std::io::Read;

use anyhow::{Context, bail};
use clap::Subcommand;
use preau_core::password::check_new_password;
use preau_core::school::{Establishment, Role, RoleSet, valid_login, valid_uai};
use preau_core::{EstablishmentId, PersonId};
use preau_store::{Audit, NewPerson, Store};
use preau_web::auth::{generate_password, hash_password};
use preau_web::clock::{Clock, random_u128};

use crate::config::Config;
use crate::open_store;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Without --password-stdin a password is generated and printed once.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        /// pupil, parent, teacher, staff, principal, admin or guest; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// UAI of the establishment (needed only when there are several).
        #[arg(long)]
        uai: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (generated and printed, or read with --password-stdin); ends the
    /// account's sessions.
    Passwd {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it can no longer log in and its sessions end.
    Disable { login: String },
    /// Enable a disabled account again.
    Enable { login: String },
    /// List every account: login, roles, state, name.
    List,
}

#[derive(Subcommand)]
pub enum EstablishmentCommand {
    /// Create an establishment.
    Add {
        /// National code: seven digits and a letter, e.g. 0750001A.
        #[arg(long)]
        uai: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        academie: String,
    },
    /// List establishments.
    List,
}

/// An audit entry for an action taken from the shell.
fn audit(at: preau_core::Millis, action: &'static str) -> Audit<'static> {
    Audit { at, actor: None, action, detail: "command line" }
}

fn read_password(login: &str) -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("cannot read the password from standard input")?;
    let password = s.trim_end_matches(['\n', '\r']).to_owned();
    check_new_password(&password, login)?;
    Ok(password)
}

async fn person_id(store: &Store, login: &str) -> anyhow::Result<PersonId> {
    match store.person_by_login(login).await? {
        Some((p, _)) => Ok(p.id),
        None => bail!("no account with login {login:?}"),
    }
}

async fn establishment_for(store: &Store, uai: Option<&str>) -> anyhow::Result<EstablishmentId> {
    let all = store.establishments().await?;
    match (uai, all.as_slice()) {
        (_, []) => bail!("no establishment yet: create one first with `preau establishment add`"),
        (None, [only]) => Ok(only.id.clone()),
        (None, _) => bail!("several establishments: say which one with --uai"),
        (Some(uai), all) => {
            all.iter().find(|e| e.uai == uai).map(|e| e.id.clone()).with_context(|| format!("no establishment with UAI {uai}"))
        }
    }
}

pub async fn user(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let now = Clock::default().now();
    match cmd {
        UserCommand::Add { login, first_name, last_name, roles, uai, password_stdin } => {
            let login = login.trim().to_lowercase();
            if !valid_login(&login) {
                bail!("invalid login {login:?}: 2 to 64 characters among a-z, 0-9, '.', '-', '_'");
            }
            for (what, v) in [("--first-name", &first_name), ("--last-name", &last_name)] {
                if v.trim().is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) {
                    bail!("{what}: give a name of 1 to 100 printable characters");
                }
            }
            let establishment = establishment_for(&store, uai.as_deref()).await?;
            let (password, generated) =
                if password_stdin { (read_password(&login)?, false) } else { (generate_password(), true) };
            let hash = hash_password(&password);
            store
                .create_person(
                    &NewPerson {
                        id: PersonId::new(now, random_u128()),
                        establishment_id: &establishment,
                        login: &login,
                        first_name: first_name.trim(),
                        last_name: last_name.trim(),
                        roles: RoleSet::of(&roles),
                        password_hash: Some(&hash),
                        now,
                    },
                    &audit(now, "person.create"),
                )
                .await?;
            println!("created {login}");
            if generated {
                println!("password\t{password}");
            }
        }
        UserCommand::Passwd { login, password_stdin } => {
            let id = person_id(&store, &login).await?;
            let (password, generated) =
                if password_stdin { (read_password(&login)?, false) } else { (generate_password(), true) };
            store.set_password_hash(&id, &hash_password(&password), None, &audit(now, "password.reset")).await?;
            println!("password of {login} changed; its sessions are closed");
            if generated {
                println!("password\t{password}");
            }
        }
        UserCommand::Disable { login } => {
            let id = person_id(&store, &login).await?;
            store.set_disabled(&id, true, &audit(now, "person.disable")).await?;
            println!("{login} disabled; its sessions are closed");
        }
        UserCommand::Enable { login } => {
            let id = person_id(&store, &login).await?;
            store.set_disabled(&id, false, &audit(now, "person.enable")).await?;
            println!("{login} enabled");
        }
        UserCommand::List => {
            for p in store.all_people().await? {
                let roles: Vec<_> = p.roles.iter().map(Role::as_str).collect();
                let state = if p.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{state}\t{} {}", p.login, roles.join(","), p.first_name, p.last_name);
            }
        }
    }
    store.close().await;
    Ok(())
}

pub async fn establishment(config: &Config, cmd: EstablishmentCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    match cmd {
        EstablishmentCommand::Add { uai, name, academie } => {
            let uai = uai.trim().to_uppercase();
            if !valid_uai(&uai) {
                bail!("invalid UAI {uai:?}: seven digits and a letter, e.g. 0750001A");
            }
            if name.trim().is_empty() || academie.trim().is_empty() {
                bail!("--name and --academie must not be empty");
            }
            let e = Establishment {
                id: EstablishmentId::new(Clock::default().now(), random_u128()),
                uai: uai.clone(),
                name: name.trim().to_owned(),
                academie: academie.trim().to_owned(),
            };
            store.create_establishment(&e).await.with_context(|| format!("cannot create {uai} (does it already exist?)"))?;
            println!("created {uai} {}", e.name);
        }
        EstablishmentCommand::List => {
            for e in store.establishments().await? {
                println!("{}\t{}\t{}", e.uai, e.name, e.academie);
            }
        }
    }
    store.close().await;
    Ok(())
}
