//! A test server: the real router on a temporary database with the demo school, and a small
//! browser-like client that keeps cookies.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use preau_core::demo::{DemoSchool, demo_school};
use preau_core::school::{Audience, Person, Role, TeachingAssignment};
use preau_store::Store;
use preau_web::{AppState, SharedState, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "mot de passe de démo";
pub const AUDIT: preau_store::Audit<'static> = preau_store::Audit { at: 1, actor: None, action: "test", detail: "" };

fn demo_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| preau_web::auth::hash_password(PASSWORD))
}

pub struct TestApp {
    pub state: SharedState,
    pub router: Router,
    pub school: DemoSchool,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(tweak: impl FnOnce(&mut WebConfig)) -> TestApp {
        Self::with_live_rooms(tweak, std::sync::Arc::new(preau_web::NoLiveRooms)).await
    }

    /// The application with a stand-in for the media layer's rooms in session.
    pub async fn with_live_rooms(
        tweak: impl FnOnce(&mut WebConfig),
        live: std::sync::Arc<dyn preau_web::LiveRooms + Send + Sync>,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 4).await.unwrap();
        let school = demo_school(1_790_000_000_000);
        store.insert_demo(&school, demo_hash(), 1_790_000_000_000).await.unwrap();
        let mut config = WebConfig::new("http://127.0.0.1:8080");
        tweak(&mut config);
        let state = AppState::with_live_rooms(store, config, Default::default(), live);
        let router = preau_web::app(state.clone());
        TestApp { state, router, school, _dir: dir }
    }

    /// The n-th demo person holding `role` (in the demo's order).
    pub fn person(&self, role: Role, n: usize) -> &Person {
        self.school.people.iter().filter(|p| p.roles.primary() == Some(role)).nth(n).expect("demo has that person")
    }

    /// The demo person with this id.
    pub fn person_by_id(&self, id: &preau_core::PersonId) -> Person {
        self.school.people.iter().find(|p| p.id == *id).expect("demo has that person").clone()
    }

    /// The first course given to a whole class.
    pub fn class_course(&self) -> &TeachingAssignment {
        self.school.assignments.iter().find(|a| matches!(a.audience, Audience::Division(_))).expect("demo has one")
    }

    /// The people around a course given to a whole class: its teacher, the class's first pupil,
    /// that pupil's parent, and a pupil of another class.
    pub fn cast(&self, course: &TeachingAssignment) -> Cast {
        let s = &self.school;
        let Audience::Division(division) = &course.audience else { panic!("a course given to a whole class") };
        let pupil = s.enrolments.iter().find(|(_, x)| x == division).map(|(p, _)| self.person_by_id(p)).unwrap();
        Cast {
            division: division.clone(),
            teacher: self.person_by_id(&course.teacher_id),
            parent: s.parent_links.iter().find(|(_, c)| *c == pupil.id).map(|(p, _)| self.person_by_id(p)).unwrap(),
            pupil,
            elsewhere: s.enrolments.iter().find(|(_, x)| x != division).map(|(p, _)| self.person_by_id(p)).unwrap(),
        }
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: vec![], peer: "127.0.0.1:50000".parse().unwrap(), headers: HeaderMap::new() }
    }

    /// A client already signed in as `person`.
    pub async fn signed_in(&self, person: &Person) -> Client {
        let mut c = self.client();
        let r = c.login(&person.login, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login of {} failed: {}", person.login, r.text);
        c
    }

    /// A second establishment (a neighbouring lycée) with its own administrator, who must
    /// reach nothing of the demo school's.
    pub async fn neighbour_admin(&self) -> Person {
        let other = preau_core::school::Establishment {
            id: preau_core::EstablishmentId::new(1, 99),
            uai: "0750001A".into(),
            name: "Lycée voisin".into(),
            academie: "Paris".into(),
        };
        self.state.store.create_establishment(&other).await.unwrap();
        let hash = preau_web::auth::hash_password(PASSWORD);
        let new = preau_store::NewPerson {
            id: preau_core::PersonId::new(1, 100),
            establishment_id: &other.id,
            login: "admin.voisin",
            first_name: "Admin",
            last_name: "Voisin",
            roles: preau_core::RoleSet::of(&[preau_core::Role::Admin]),
            password_hash: Some(&hash),
            now: 1,
        };
        self.state.store.create_person(&new, &AUDIT).await.unwrap()
    }

    pub async fn count_people(&self) -> usize {
        self.state.store.all_people().await.unwrap().len()
    }
}

/// See [`TestApp::cast`].
pub struct Cast {
    pub division: preau_core::DivisionId,
    pub teacher: Person,
    pub pupil: Person,
    pub parent: Person,
    pub elsewhere: Person,
}

/// The media layer as the tests want it: a head count per room.
#[derive(Default)]
pub struct Crowd(std::sync::Mutex<std::collections::HashMap<preau_core::RoomId, usize>>);

impl Crowd {
    pub fn set(&self, room: &preau_core::RoomId, n: usize) {
        self.0.lock().unwrap().insert(room.clone(), n);
    }
}

impl preau_web::LiveRooms for Crowd {
    fn participants(&self, room: &preau_core::RoomId) -> usize {
        self.0.lock().unwrap().get(room).copied().unwrap_or(0)
    }
}

/// The value of attribute `name` on the page's `<main>`.
pub fn main_attr<'a>(r: &'a Resp, name: &str) -> &'a str {
    let start = r.text.find("<main ").expect("a main element");
    let tag = &r.text[start..start + r.text[start..].find('>').unwrap()];
    let needle = format!(" {name}=\"");
    let Some(at) = tag.find(&needle) else { panic!("<main> has no {name}: {tag}") };
    let value = &tag[at + needle.len()..];
    &value[..value.find('"').unwrap()]
}

/// The page's text with HTML's escapes of quotes and ampersands undone, to look for messages.
pub fn plain(html: &str) -> String {
    html.replace("&#39;", "'").replace("&#x27;", "'").replace("&quot;", "\"").replace("&#34;", "\"").replace("&amp;", "&")
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub extensions: axum::http::Extensions,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
    /// The `data-page` of the page's main element.
    pub fn page(&self) -> &str {
        let start = self.text.find("data-page=\"").map(|i| i + 11).unwrap_or(0);
        let end = self.text[start..].find('"').map(|i| start + i).unwrap_or(start);
        &self.text[start..end]
    }
    /// The value of the first hidden input named `name`.
    pub fn hidden(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\" value=\"");
        let start = self.text.find(&needle).map(|i| i + needle.len()).expect("hidden field present");
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_owned()
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    cookies: Vec<(String, String)>,
    pub peer: SocketAddr,
    pub headers: HeaderMap,
}

impl Client {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(k, _)| k != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if !self.cookies.is_empty() {
            let jar = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req.headers_mut().insert(header::COOKIE, jar.parse().unwrap());
        }
        req.headers_mut().entry(header::HOST).or_insert("127.0.0.1:8080".parse().unwrap());
        for (k, v) in &self.headers {
            req.headers_mut().insert(k, v.clone());
        }
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = response.into_parts();
        for sc in parts.headers.get_all(header::SET_COOKIE) {
            let sc = sc.to_str().unwrap();
            let (pair, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let bytes = body.collect().await.unwrap().to_bytes();
        Resp {
            status: parts.status,
            headers: parts.headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            extensions: parts.extensions,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a `multipart/form-data` form: text fields, then files as (input name, file name, bytes).
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Resp {
        let boundary = "----preau-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        for (k, name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a multipart form with the CSRF token of the page at `from` (sent first, as the pages do).
    pub async fn submit_multipart(&mut self, from: &str, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Resp {
        let csrf = self.get(from).await.hidden("csrf");
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_multipart(path, &all, files).await
    }

    /// Posts a form with the CSRF token of the page at `from`.
    pub async fn submit(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Resp {
        let page = self.get(from).await;
        let csrf = page.hidden("csrf");
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &csrf));
        self.post(path, &all).await
    }

    pub async fn login(&mut self, login: &str, password: &str) -> Resp {
        self.submit("/login", "/login", &[("login", login), ("password", password)]).await
    }
}

/// A message as the SMTP sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// An SMTP server on loopback that accepts every message and keeps it: enough of RFC 5321 for
/// lettre (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), no TLS, no AUTH.
pub struct SmtpSink {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut current = Received { from: String::new(), to: vec![], data: String::new() };
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "MAIL" => {
                                current = Received { from: line[10..].trim().to_owned(), to: vec![], data: String::new() };
                                b"250 OK\r\n"
                            }
                            "RCPT" => {
                                current.to.push(line[8..].trim().to_owned());
                                b"250 OK\r\n"
                            }
                            "DATA" => {
                                let _ = write.write_all(b"354 go on\r\n").await;
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    current.data.push_str(l.strip_prefix('.').unwrap_or(&l));
                                    current.data.push('\n');
                                }
                                store.lock().unwrap().push(current.clone());
                                b"250 kept\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            "RSET" | "NOOP" => b"250 OK\r\n",
                            _ => b"502 not here\r\n",
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { port, received, task }
    }

    /// The web front's mail settings for sending to this sink.
    pub fn config(&self) -> preau_web::mail::MailConfig {
        preau_web::mail::MailConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: preau_web::mail::Security::None,
            credentials: None,
            from: "Collège Lucie Aubrac <ne-pas-repondre@college.example>".into(),
        }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}
