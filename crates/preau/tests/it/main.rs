//! The `preau` command, run as a user runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn preau() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_preau"));
    c.env_remove("PREAU_CONFIG").env("PREAU_LOG", "warn");
    c
}

/// A minimal HTTP GET on loopback, to check the server answers.
fn http_get(url: &str, path: &str) -> String {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn demo_prints_the_url_and_every_account_then_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut child = preau()
        .args(["demo", "--port", "0", "--demo-password", "mot de passe commun", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    let mut roles = std::collections::BTreeMap::new();
    let mut logins = std::collections::HashSet::new();
    for line in lines.by_ref().take_while(|l| l.is_ok()) {
        let line = line.unwrap();
        let cols: Vec<_> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{line}");
        assert_eq!(cols[2], "mot de passe commun");
        *roles.entry(cols[0].to_owned()).or_insert(0) += 1;
        assert!(logins.insert(cols[1].to_owned()), "duplicate login {}", cols[1]);
        if roles.values().sum::<usize>() >= 259 {
            break;
        }
    }
    assert_eq!(roles["admin"], 1);
    assert_eq!(roles["principal"], 1);
    assert_eq!(roles["staff"], 1);
    assert_eq!(roles["teacher"], 12);
    assert!((96..=104).contains(&roles["pupil"]), "{roles:?}");
    assert!(roles["parent"] > 100, "{roles:?}");

    let ready = http_get(&url, "/readyz");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let login = http_get(&url, "/login");
    assert!(login.contains("Connexion"));

    // Graceful stop.
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");

    // The demo refuses to reseed a directory that already holds a school.
    let out = preau().args(["demo", "--port", "0", "--data-dir"]).arg(&data).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds a school"));
}

#[test]
fn a_broken_configuration_names_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preau.toml");
    std::fs::write(&file, "listen = \"not an address\"\n").unwrap();
    let out = preau().arg("--config").arg(&file).arg("check-config").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listen") && err.contains("preau.toml"), "{err}");

    std::fs::write(&file, "[[[").unwrap();
    let out = preau().arg("--config").arg(&file).arg("check-config").output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let elsewhere = tempfile::tempdir().unwrap();
    let out = preau().env("PREAU_SESSION_IDLE_MINUTES", "0").arg("check-config").current_dir(elsewhere.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("session_idle_minutes"));
}

#[test]
fn an_unwritable_data_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = preau().env("PREAU_DATA_DIR", blocker.join("data")).arg("serve").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&blocker.display().to_string()), "{err}");
}

#[test]
fn accounts_are_administered_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = preau()
            .env("PREAU_DATA_DIR", dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, _, err) = run(&["user", "add", "--login", "admin", "--first-name", "A", "--last-name", "B", "--role", "admin"], None);
    assert!(!ok && err.contains("establishment add"), "{err}");
    let (ok, _, err) = run(&["establishment", "add", "--uai", "0750001", "--name", "X", "--academie", "Paris"], None);
    assert!(!ok && err.contains("UAI"), "{err}");
    let (ok, out, _) = run(&["establishment", "add", "--uai", "0750001a", "--name", "Collège Test", "--academie", "Paris"], None);
    assert!(ok && out.contains("0750001A"), "{out}");
    let (ok, out, err) =
        run(&["user", "add", "--login", "chef.it", "--first-name", "Chef", "--last-name", "It", "--role", "admin"], None);
    assert!(ok, "{err}");
    assert!(out.lines().any(|l| l.starts_with("password\t") && l.len() > 20), "{out}");
    let (ok, _, err) = run(
        &["user", "add", "--login", "prof", "--first-name", "P", "--last-name", "Q", "--role", "teacher", "--role", "parent", "--password-stdin"],
        Some("court\n"),
    );
    assert!(!ok && err.contains("8 caractères"), "{err}");
    let (ok, _, _) = run(
        &["user", "add", "--login", "prof", "--first-name", "P", "--last-name", "Q", "--role", "teacher", "--role", "parent", "--password-stdin"],
        Some("une phrase de passe\n"),
    );
    assert!(ok);
    let (ok, _, err) = run(&["user", "add", "--login", "prof", "--first-name", "P", "--last-name", "Q", "--role", "wizard"], None);
    assert!(!ok && err.contains("wizard"), "{err}");
    let (ok, _, _) = run(&["user", "disable", "prof"], None);
    assert!(ok);
    let (ok, out, _) = run(&["user", "list"], None);
    assert!(ok);
    assert!(out.contains("prof\tparent,teacher\tdisabled\tP Q"), "{out}");
    assert!(out.contains("chef.it\tadmin\tactive"), "{out}");
    let (ok, out, _) = run(&["user", "passwd", "chef.it"], None);
    assert!(ok && out.contains("password\t"));
    let (ok, _, err) = run(&["user", "passwd", "nobody"], None);
    assert!(!ok && err.contains("nobody"));
}

#[test]
fn help_explains_the_commands() {
    let out = preau().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "demo", "user", "check-config", "preau.toml", "PREAU_"] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    let out = preau().args(["demo", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["--port", "--data-dir", "--demo-password"] {
        assert!(help.contains(word), "demo --help lacks {word}");
    }
}
