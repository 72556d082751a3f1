//! Black-box API tests over HTTP against a real PostgreSQL (one fresh database per test).

mod access;
mod classify;
mod conditional;
mod conversation;
mod errors;
mod health;
mod helpers;
mod llm;
mod mail;
mod plans;
mod reliability;
mod rollup;
#[cfg(feature = "aws-secrets")]
mod secrets;
mod seeding;
mod sign_in;
mod sla;
mod smtp_sink;
mod stats;
mod tickets;
mod tokens;
mod transactions;
mod triage;
mod vocabulary;
