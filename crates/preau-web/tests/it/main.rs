//! Integration tests of the web front: the whole application in-process on a temporary
//! SQLite database holding the demo school. One test binary, modules by area.

mod harness;

mod accounts;
mod admin;
mod announcements;
mod hardening;
mod homework;
mod meeting_live;
mod meetings;
mod messages;
mod notifications;
mod policy;
mod resources;
mod rooms;
mod search;
mod timetable;
mod routes;
