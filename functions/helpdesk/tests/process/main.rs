//! The real `helpdesk` binary as a process, each test against a PostgreSQL cluster of its own.

mod disconnects;
mod eval;
mod lifecycle;
mod mail;
mod support;
