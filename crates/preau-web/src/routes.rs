//! The route table. Every route is added here with the [`Permission`] it needs; the permission
//! is enforced by [`enforce`] before the handler runs, and marked on the response so that
//! [`require_marker`] can refuse any response that skipped the check.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use preau_core::policy::{Action, Target, may};

use crate::auth::{self, LOGIN_CSRF_COOKIE};
use crate::errors::AppError;
use crate::view::Viewer;
use crate::{SharedState, middleware, pages};

/// What a route requires of whoever calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Anyone; the session is not even looked up (static files, health probes).
    Anyone,
    /// Anyone, signed in or not; the page may differ when signed in (the login page).
    Public,
    /// The monitoring addresses configured, or the metrics bearer token.
    Metrics,
    /// A signed-in person whom the policy allows this action. Actions on oneself or one's
    /// establishment are decided here; actions on an object named in the URL (a person, a
    /// division) are decided again by the handler once it has loaded that object.
    Signed(Action),
}

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
}

/// Marks a response as having gone through [`enforce`], with the route it came from.
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    pub path: &'static str,
}

struct Routes {
    router: Router<SharedState>,
    table: Vec<RouteInfo>,
    state: SharedState,
}

impl Routes {
    fn add(mut self, method: Method, path: &'static str, permission: Permission, mr: MethodRouter<SharedState>) -> Self {
        let guard = from_fn_with_state((self.state.clone(), permission, path, false), enforce);
        self.router = self.router.route(path, mr.route_layer(guard));
        self.table.push(RouteInfo { method, path, permission });
        self
    }

    fn get<H, T>(self, path: &'static str, permission: Permission, handler: H) -> Self
    where
        H: axum::handler::Handler<T, SharedState>,
        T: 'static,
    {
        self.add(Method::GET, path, permission, get(handler))
    }

    fn post<H, T>(self, path: &'static str, permission: Permission, handler: H) -> Self
    where
        H: axum::handler::Handler<T, SharedState>,
        T: 'static,
    {
        self.add(Method::POST, path, permission, post(handler))
    }

    /// A POST whose form carries files (`multipart/form-data`): its body may be up to
    /// `max_upload_bytes`, and its CSRF token is read from the multipart fields.
    fn upload<H, T>(mut self, path: &'static str, permission: Permission, handler: H) -> Self
    where
        H: axum::handler::Handler<T, SharedState>,
        T: 'static,
    {
        let limit = axum::extract::DefaultBodyLimit::max(self.state.config.max_upload_bytes);
        let guard = from_fn_with_state((self.state.clone(), permission, path, true), enforce);
        self.router = self.router.route(path, post(handler).route_layer(limit).route_layer(guard));
        self.table.push(RouteInfo { method: Method::POST, path, permission });
        self
    }
}

/// Builds the application and its route table.
pub fn build(state: SharedState) -> (Router, Vec<RouteInfo>) {
    use Permission::*;
    use pages::*;
    let r = Routes { router: Router::new(), table: vec![], state: state.clone() }
        .get("/", Public, home)
        .get("/login", Public, login::form)
        .post("/login", Public, login::submit)
        .post("/logout", Signed(Action::ManageOwnAccount), login::logout)
        .get("/dashboard", Signed(Action::ViewDashboard), dashboard::show)
        .get("/people/{id}", Signed(Action::ViewPerson), people::show)
        .get("/divisions/{id}", Signed(Action::ViewDivision), divisions::show)
        .get("/rooms/new", Signed(Action::CreateRoom), rooms::new_form)
        .post("/rooms/new", Signed(Action::CreateRoom), rooms::create)
        .get("/rooms/{id}", Signed(Action::JoinRoom), rooms::show)
        .get("/rooms/{id}/ws", Signed(Action::JoinRoom), crate::signal::upgrade)
        // Answers 404 unless the server was started for a benchmark; the handler checks the token.
        .get("/bench/rooms/{id}/ws", Anyone, crate::signal::bench_upgrade)
        .get("/meetings", Signed(Action::BookMeeting), meetings::index)
        .get("/meetings/new", Signed(Action::BookMeeting), meetings::new_form)
        .post("/meetings/new", Signed(Action::BookMeeting), meetings::create)
        .get("/meetings/{id}", Signed(Action::ViewBooking), meetings::show)
        .get("/meetings/{id}/invitation.ics", Signed(Action::ViewBooking), meetings::invitation)
        .post("/meetings/{id}/cancel", Signed(Action::CancelBooking), meetings::cancel)
        .get("/meetings/{id}/edit", Signed(Action::CancelBooking), meetings::edit_form)
        .post("/meetings/{id}/edit", Signed(Action::CancelBooking), meetings::edit)
        .get("/meetings/{id}/recordings/{rid}", Signed(Action::CancelBooking), crate::recordings::download)
        .post("/meetings/{id}/recordings/{rid}/delete", Signed(Action::CancelBooking), crate::recordings::delete)
        .get("/meetings/{id}/room", Signed(Action::JoinMeeting), meeting_live::room)
        .get("/meetings/{id}/ws", Signed(Action::JoinMeeting), meeting_live::socket)
        // Guests have no account: their link's signature, then their pass, are checked by the handlers.
        .get("/invite/{id}/{expires}/{sig}", Public, meeting_live::invite)
        .post("/invite/{id}/{expires}/{sig}", Public, meeting_live::knock)
        // Audio conferences: the PIN is checked (and guessing slowed) by the handler.
        .get("/conference", Public, conference::form)
        .post("/conference", Public, conference::enter)
        .get("/guest/{id}", Anyone, meeting_live::guest_room)
        .get("/guest/{id}/ws", Anyone, meeting_live::guest_socket)
        .get("/meeting-rooms/{id}", Signed(Action::BookMeeting), meetings::room_week)
        .post("/meetings/feed", Signed(Action::BookMeeting), meetings::create_feed)
        .post("/meetings/feed/revoke", Signed(Action::BookMeeting), meetings::revoke_feed)
        // A calendar program has no session: the secret in the address is checked by the handler.
        .get("/calendar/{file}", Anyone, meetings::feed)
        .get("/homework", Signed(Action::ViewDashboard), homework::list)
        .get("/homework/new", Signed(Action::SetHomework), homework::new_form)
        .upload("/homework/new", Signed(Action::SetHomework), homework::create)
        .get("/homework/{id}", Signed(Action::ViewHomework), homework::show)
        .get("/homework/{id}/files/{sha}", Signed(Action::ViewHomework), homework::homework_file)
        .get("/homework/{id}/edit", Signed(Action::ManageHomework), homework::edit_form)
        .upload("/homework/{id}/edit", Signed(Action::ManageHomework), homework::edit)
        .post("/homework/{id}/delete", Signed(Action::ManageHomework), homework::delete)
        .post("/homework/{id}/done", Signed(Action::HandIn), homework::done)
        .upload("/homework/{id}/hand-in", Signed(Action::HandIn), homework::hand_in)
        .get("/homework/{id}/submissions/{sid}", Signed(Action::ViewSubmission), homework::submission)
        .get("/homework/{id}/submissions/{sid}/files/{sha}", Signed(Action::ViewSubmission), homework::submission_file)
        .upload("/homework/{id}/submissions/{sid}/feedback", Signed(Action::ManageHomework), homework::feedback)
        .get("/messages", Signed(Action::UseMessaging), messages::inbox)
        .get("/messages/new", Signed(Action::UseMessaging), messages::new_form)
        .upload("/messages/new", Signed(Action::UseMessaging), messages::send)
        .get("/messages/{id}", Signed(Action::ReadConversation), messages::show)
        .upload("/messages/{id}/reply", Signed(Action::ReadConversation), messages::reply)
        .post("/messages/{id}/archive", Signed(Action::ReadConversation), messages::archive)
        .get("/messages/{id}/files/{sha}", Signed(Action::ReadConversation), messages::file)
        .get("/admin/communication", Signed(Action::ManageCommunication), messages::rules_form)
        .post("/admin/communication", Signed(Action::ManageCommunication), messages::save_rules)
        .get("/announcements", Signed(Action::UseMessaging), announcements::show)
        .post("/announcements", Signed(Action::UseMessaging), announcements::publish)
        .post("/announcements/{id}/delete", Signed(Action::UseMessaging), announcements::withdraw)
        .get("/resources", Signed(Action::ViewDashboard), resources::list)
        .get("/resources/{audience}/{subject}", Signed(Action::ViewResources), resources::shelf)
        .upload("/resources/{audience}/{subject}", Signed(Action::ManageResources), resources::add)
        .get("/resources/folders/{id}/files/{sha}", Signed(Action::ViewResources), resources::file)
        .post("/resources/folders/{id}/files/{sha}/rename", Signed(Action::ManageResources), resources::rename)
        .post("/resources/folders/{id}/files/{sha}/delete", Signed(Action::ManageResources), resources::delete_file)
        .post("/resources/folders/{id}/delete", Signed(Action::ManageResources), resources::delete_folder)
        .get("/search", Signed(Action::ViewDashboard), search::show)
        .get("/notifications", Signed(Action::ViewDashboard), notifications::show)
        .post("/notifications/digest", Signed(Action::ManageOwnAccount), notifications::set_digest)
        .get("/timetable", Signed(Action::ViewDashboard), timetable::week)
        .post("/timetable/lessons/{course}/{date}", Signed(Action::ChangeLesson), timetable::change_lesson)
        .post("/timetable/lessons/{course}/{date}/content", Signed(Action::ChangeLesson), timetable::write_content)
        .get("/admin/timetable", Signed(Action::ManageTimetable), timetable::admin)
        .post("/admin/timetable", Signed(Action::ManageTimetable), timetable::add)
        .upload("/admin/timetable/import", Signed(Action::ManageTimetable), timetable::import)
        .get("/admin/timetable/modele.csv", Signed(Action::ManageTimetable), timetable::template)
        .post("/admin/timetable/{id}/delete", Signed(Action::ManageTimetable), timetable::delete)
        .get("/profile", Signed(Action::ManageOwnAccount), profile::show)
        .post("/profile/language", Signed(Action::ManageOwnAccount), profile::set_language)
        .post("/profile/password", Signed(Action::ManageOwnAccount), profile::change_password)
        .post("/profile/email", Signed(Action::ManageOwnAccount), profile::set_email)
        .get("/profile/sessions", Signed(Action::ManageOwnAccount), profile::sessions)
        .post("/profile/sessions/{id}/revoke", Signed(Action::ManageOwnAccount), profile::revoke)
        .get("/admin/people", Signed(Action::AdministerPeople), admin::directory)
        .get("/admin/people/new", Signed(Action::AdministerPeople), admin::new_form)
        .post("/admin/people/new", Signed(Action::AdministerPeople), admin::create)
        .get("/admin/people/{id}/password", Signed(Action::AdministerPeople), admin::password_form)
        .post("/admin/people/{id}/password", Signed(Action::AdministerPeople), admin::reset_password)
        .post("/admin/people/{id}/disable", Signed(Action::AdministerPeople), admin::disable)
        .post("/admin/people/{id}/enable", Signed(Action::AdministerPeople), admin::enable)
        .get("/admin/divisions", Signed(Action::AdministerPeople), admin::divisions)
        .get("/admin/meeting-rooms", Signed(Action::ManageMeetingRooms), meetings::admin_rooms)
        .post("/admin/meeting-rooms", Signed(Action::ManageMeetingRooms), meetings::admin_create_room)
        .get("/static/{file}", Anyone, crate::assets::serve)
        .get("/healthz", Anyone, ops::healthz)
        .get("/readyz", Anyone, ops::readyz)
        .get("/metrics", Metrics, ops::metrics);
    let router = r
        .router
        .fallback(not_found)
        .layer(from_fn(require_marker))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), middleware::error_pages))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), middleware::observe))
        .layer(from_fn_with_state(state.clone(), middleware::security_headers))
        .with_state(state);
    (router, r.table)
}

/// Unknown paths: public by nature, and nothing is read.
async fn not_found() -> Response {
    let mut response = AppError::NotFound.into_response();
    response.extensions_mut().insert(Checked { path: "fallback" });
    response
}

pub async fn home_redirect(viewer: Option<Viewer>) -> Redirect {
    match viewer {
        Some(_) => Redirect::to("/dashboard"),
        None => Redirect::to("/login"),
    }
}

/// Checks the route's permission, loads the signed-in person, verifies the CSRF token of
/// state-changing requests, then runs the handler and marks its response.
async fn enforce(
    State((state, permission, path, upload)): State<(SharedState, Permission, &'static str, bool)>,
    req: Request,
    next: Next,
) -> Response {
    let viewer = match permission {
        Permission::Anyone | Permission::Metrics => None,
        Permission::Public | Permission::Signed(_) => match crate::view::load_viewer(&state, req.headers()).await {
            Ok(v) => v,
            Err(e) => return marked(e.into_response(), path),
        },
    };
    let mut response = match check(&state, permission, viewer.clone(), req, upload).await {
        Ok(req) => next.run(req).await,
        Err(refusal) => refusal,
    };
    // Error pages show the signed-in header, so a refused person can find their way back.
    if let Some(v) = viewer
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        response.extensions_mut().insert(v);
    }
    marked(response, path)
}

fn marked(mut response: Response, path: &'static str) -> Response {
    response.extensions_mut().insert(Checked { path });
    response
}

async fn check(
    state: &SharedState,
    permission: Permission,
    viewer: Option<Viewer>,
    mut req: Request,
    upload: bool,
) -> Result<Request, Response> {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    match permission {
        Permission::Anyone => {
            if changes_state {
                return Err(AppError::Forbidden.into_response());
            }
        }
        Permission::Public => {
            if changes_state {
                // Before login there is no session: a double-submit cookie guards the form.
                let cookie = auth::read_cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_owned);
                req = check_csrf(state, req, cookie.as_deref(), false).await?;
            }
        }
        Permission::Metrics => {
            if !crate::metrics::may_read(state, &req) {
                return Err(AppError::Forbidden.into_response());
            }
        }
        Permission::Signed(action) => {
            let Some(viewer) = viewer.as_ref() else {
                return Err(to_login(&req));
            };
            let establishment = &viewer.actor.establishment_id;
            let target = match action {
                Action::ViewDashboard | Action::ManageOwnAccount => Some(Target::Myself),
                Action::ViewEstablishment
                | Action::AdministerPeople
                | Action::CreateRoom
                | Action::BookMeeting
                | Action::SetHomework
                | Action::UseMessaging
                | Action::ManageCommunication
                | Action::ManageTimetable
                | Action::ManageMeetingRooms => Some(Target::Establishment(establishment)),
                // Decided by the handler on the object it loads.
                Action::ViewPerson
                | Action::ViewDivision
                | Action::ViewDivisionRoster
                | Action::AdministerPerson
                | Action::JoinRoom
                | Action::HostRoom
                | Action::ViewBooking
                | Action::CancelBooking
                | Action::JoinMeeting
                | Action::HostMeeting
                | Action::InviteParents
                | Action::ViewHomework
                | Action::ManageHomework
                | Action::HandIn
                | Action::ViewSubmission
                | Action::MessageDivision
                | Action::ReadConversation
                | Action::ChangeLesson
                | Action::Announce
                | Action::WithdrawAnnouncement
                | Action::ViewResources
                | Action::ManageResources => None,
            };
            if let Some(target) = target
                && !may(&viewer.actor, action, target).is_allowed()
            {
                return Err(AppError::Forbidden.into_response());
            }
            if changes_state {
                // Forms with files are held in memory while they are checked and stored: a few
                // at a time, and only once the route's permission is known to hold.
                let turn = match upload {
                    true => state.uploads.clone().acquire_owned().await.ok(),
                    false => None,
                };
                let expected = viewer.csrf.clone();
                req = check_csrf(state, req, Some(&expected), upload).await?;
                if let Some(turn) = turn {
                    req.extensions_mut().insert(std::sync::Arc::new(turn));
                }
            }
        }
    }
    if let Some(viewer) = viewer {
        req.extensions_mut().insert(viewer);
    }
    Ok(req)
}

/// Sends someone who is not signed in to the login page, remembering where they were going.
fn to_login(req: &Request) -> Response {
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if req.method() == Method::GET {
        let next: String = form_urlencode(target);
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

fn form_urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// How long a request's body may take to arrive.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Reads the form body, compares its `csrf` field to `expected`, and puts the body back. On an
/// `upload` route the body may be larger, and a multipart form's fields are read.
async fn check_csrf(state: &SharedState, req: Request, expected: Option<&str>, upload: bool) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    // From another site: refused before the body is read at all.
    if !same_origin(&parts.headers, &state.config.public_url) {
        return Err(AppError::Csrf.into_response());
    }
    let limit = if upload { state.config.max_upload_bytes } else { state.config.max_body_bytes };
    // A body that trickles in is not waited for past this.
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return Err(AppError::TooLarge.into_response()),
        Err(_) => return Err(AppError::BadRequest("error-400-text").into_response()),
    };
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let sent = if upload && multipart {
        multipart_field(&parts.headers, bytes.clone(), "csrf").await
    } else {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        fields.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v)
    };
    let sent = sent.as_deref();
    let origin_ok = same_origin(&parts.headers, &state.config.public_url);
    match (sent, expected) {
        (Some(sent), Some(expected)) if origin_ok && auth::same_secret(sent, expected) => {
            Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
        }
        _ => Err(AppError::Csrf.into_response()),
    }
}

/// The text of the multipart field `name` (the pages put the CSRF token first, so only what
/// comes before it is read through). multer directly: the body is already in memory and
/// within the upload limit, and axum's extractor would apply its own 2 MiB default to it.
async fn multipart_field(headers: &axum::http::HeaderMap, bytes: axum::body::Bytes, name: &str) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let mut form = multer::Multipart::new(axum::body::Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// When the browser says where a request comes from, it must be this site: the configured
/// public URL's origin, or the host the request was sent to (a proxy may rewrite the port away).
pub(crate) fn same_origin(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    let public_origin = public_url.trim_end_matches('/');
    let public_origin = match public_origin.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or("")),
        None => String::new(),
    };
    if origin == public_origin {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    host.is_some_and(|host| origin.split_once("://").is_some_and(|(_, rest)| rest == host))
}

/// Refuses any response that did not go through [`enforce`]: a route added without a
/// permission fails closed.
async fn require_marker(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    // 405 comes from the router itself when a path exists for other methods: no handler ran.
    if response.extensions().get::<Checked>().is_some() || response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response
    } else {
        tracing::error!("a route answered without a permission check");
        let mut refused = AppError::Internal("route without permission".into()).into_response();
        *refused.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        refused
    }
}

/// The route table, for the test that walks it.
pub fn table(state: SharedState) -> Vec<RouteInfo> {
    build(state).1
}

